/**
 * Composition root: config → store → graph → bot → server → workers. The only file that knows every
 * part. `start()` returns a running app with `stop()`; `main()` adds signal handling for the process.
 */
import { loadConfig, summarizeConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { openDb, type Db } from './store/db';
import { migrate } from './store/migrations';
import { StateStore } from './store/stateStore';
import { startServer, type RunningServer } from './server';
import { createAdapter, processActivity } from './bot/adapter';
import { SqlStorage } from './bot/storage';
import { ConversationState } from 'botbuilder';
import { createGraph, type Graph, type GraphSettings } from './graph';
import { ConfigError } from './config';
import { KeyValueStore } from './store/stateStore';
import { Outbox, OutboxWorker } from './store/outbox';
import { CallIns, ConversationRefs } from './store/callIns';
import { TrygghetsjourenBot, type AdminCommands } from './bot/TrygghetsjourenBot';
import { Proactive } from './bot/proactive';
import { calendarFromConfig, offsetClock } from './bot/clock';
import { noticeHandler, noticeHooks } from './jobs/notices';
import { ReminderJob } from './jobs/reminders';
import { createSync, type SyncConfig } from './jobs/sync';
import { createAdminCommands } from './bot/admin';
import { randomBytes } from 'node:crypto';

export interface StartOptions {
  config?: Config;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Test hook: token validation against a local OpenID metadata server (see test/integration/auth.spec.ts). */
  adapterOverrides?: { openIdMetadataUrl?: string; tokenIssuer?: string };
  /** Inject a Graph (tests); default: created from the configuration. */
  graph?: Graph;
  /** Admin commands ("behörighet <enhet>", "synk", "synk torrkörning"); guarded by the admin group in the bot. */
  adminCommands?: AdminCommands;
}

/**
 * Graph settings from the configuration. Local mode needs the local tenant's address and token, which
 * `npm start` (dev/start.ts) provides.
 * @throws ConfigError naming what is missing.
 */
export function graphSettings(config: Config): GraphSettings {
  const missing: string[] = [];
  const need = (key: keyof Config): string => {
    const v = config[key];
    if (typeof v !== 'string' || v === '') {
      missing.push(`${key}: required${config.mode === 'local' ? ' (local mode: run `npm start`, which starts the local tenant and sets it)' : ''}`);
      return '';
    }
    return v;
  };
  let auth: GraphSettings['auth'];
  if (config.mode === 'local') {
    auth = { kind: 'static', token: need('GRAPH_STATIC_TOKEN') };
  } else if (config.GRAPH_CERTIFICATE_PATH) {
    auth = { kind: 'certificate', tenantId: need('GRAPH_TENANT_ID'), clientId: need('GRAPH_CLIENT_ID'), certificatePath: config.GRAPH_CERTIFICATE_PATH };
  } else {
    auth = { kind: 'clientSecret', tenantId: need('GRAPH_TENANT_ID'), clientId: need('GRAPH_CLIENT_ID'), clientSecret: need('GRAPH_CLIENT_SECRET') };
  }
  const settings: GraphSettings = {
    baseUrl: config.GRAPH_BASE_URL,
    auth,
    siteId: need('SHAREPOINT_SITE_ID'),
    unitsList: config.UNITS_LIST,
    staffDrive: config.STAFF_LIBRARY,
    mailbox: need('MAILBOX'),
    jourledareGroupId: need('JOURLEDARE_GROUP_ID'),
    adminGroupId: need('ADMIN_GROUP_ID'),
    maxConcurrency: config.GRAPH_MAX_CONCURRENCY,
    maxRetries: config.GRAPH_MAX_RETRIES,
    timeoutMs: config.GRAPH_TIMEOUT_MS,
    unitsCacheRefreshMs: config.UNITS_CACHE_REFRESH_SECONDS * 1000,
    unitsCacheMaxAgeMs: config.UNITS_CACHE_MAX_AGE_SECONDS * 1000
  };
  if (missing.length > 0) {
    throw new ConfigError(missing);
  }
  return settings;
}

export interface App {
  config: Config;
  db: Db;
  url: string;
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

export async function start(opts: StartOptions = {}): Promise<App> {
  const config = opts.config ?? loadConfig(opts.env);
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  logger.info({ config: summarizeConfig(config) }, 'starting');

  const settings = opts.graph ? undefined : graphSettings(config);
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  let server: RunningServer | undefined;
  let workers: { worker: OutboxWorker; reminders: ReminderJob; sync: ReturnType<typeof createSync> } | undefined;
  try {
    await migrate(db);
    const graph = opts.graph ?? createGraph(settings!, { logger: logger.child({ component: 'graph' }), deltaStore: new KeyValueStore(db) });
    const storage = new SqlStorage(new StateStore(db));
    const conversationState = new ConversationState(storage);
    const adapter = createAdapter(
      { appId: config.MicrosoftAppId, appPassword: config.MicrosoftAppPassword, tenantId: config.MicrosoftAppTenantId, appType: config.MicrosoftAppType, ...opts.adapterOverrides },
      logger
    );
    // The call-in flow: its clock (CLOCK_START lets a demo by day run as at night), the log, the
    // outbox with the notice sender, and the proactive side (receipt updates, alerts, reminders).
    const clock = offsetClock(config.CLOCK_START);
    const callIns = new CallIns(db);
    const conversationRefs = new ConversationRefs(db);
    const outbox = new Outbox(db, { maxAttempts: config.OUTBOX_MAX_ATTEMPTS, leaseSeconds: config.OUTBOX_LEASE_SECONDS });
    const proactive = new Proactive(adapter, config.MicrosoftAppId ?? '', conversationRefs, logger);
    const alertTo = config.MAILBOX;
    const hooks = noticeHooks({
      callIns,
      events: proactive,
      clock,
      logger,
      alertMail: alertTo ? (subject, html, key, callInId) => graph.mail.sendNotice({ to: alertTo, subject, html, callInId, idempotencyKey: key }) : undefined
    });
    const worker = new OutboxWorker(
      outbox,
      {
        notice: noticeHandler({ mail: graph.mail, clock, logger, ambiguousRetryMs: config.OUTBOX_LEASE_SECONDS * 1000 }),
        adminMail: async (row) => {
          const p = row.payload as { to: string; subject: string; text: string; ref: string };
          await graph.mail.sendNotice({ to: p.to, subject: p.subject, html: textToHtml(p.text), callInId: p.ref, idempotencyKey: row.idempotencyKey });
        }
      },
      {
        pollMs: config.OUTBOX_POLL_MS,
        onDone: hooks.onDone,
        onDead: hooks.onDead,
        onError: (err) => logger.error({ err: { message: (err as Error).message } }, 'outbox worker error')
      }
    );
    const reminders = new ReminderJob({
      callIns,
      clock,
      send: (ref, text) => proactive.remind(ref, text),
      logger,
      retentionDays: config.CALLIN_RETENTION_DAYS
    });
    // The permission sync. In local mode the local tenant notifies our loopback URL (known once the
    // server listens) with a per-process clientState; in production PUBLIC_BASE_URL and the configured one.
    const syncConfig: SyncConfig = {
      maxRevokeShare: config.SYNC_MAX_REVOKE_SHARE,
      intervalMinutes: config.SYNC_INTERVAL_MINUTES,
      notifications: config.SYNC_NOTIFICATIONS,
      notificationUrl: config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/graph/notifications` : undefined,
      clientState: config.NOTIFICATION_CLIENT_STATE ?? (config.mode === 'local' ? randomBytes(24).toString('base64url') : undefined)
    };
    const sync = createSync({
      db,
      graph,
      logger,
      config: syncConfig,
      notifyAdmins: async (summary) => {
        await proactive.notifyAdmins(summary.text);
        if (config.ADMIN_EMAIL) {
          await db.transaction((tx) =>
            outbox.enqueue(tx, {
              idempotencyKey: `sync-summary:${summary.runId ?? Date.now()}`,
              kind: 'adminMail',
              payload: { to: config.ADMIN_EMAIL, subject: 'Trygghetsjouren: behörighetssynk', text: summary.text, ref: `synk-${summary.runId ?? 'x'}` }
            })
          );
          worker.kick();
        }
      }
    });
    const bot = new TrygghetsjourenBot({
      flow: {
        graph,
        db,
        callIns,
        outbox,
        clock,
        settings: { enforceJourtid: config.enforceJourtid, cal: calendarFromConfig(config.extraHolidays), reminderMinutes: config.REMINDER_MINUTES },
        logger,
        onEnqueued: () => worker.kick()
      },
      conversationState,
      conversationRefs,
      adminCommands: opts.adminCommands ?? createAdminCommands({ db, sync, graph }),
      logger
    });
    workers = { worker, reminders, sync };
    server = await startServer(
      {
        graphNotifications: (req, res) => sync.handleNotificationHttp(req, res),
        messages: async (req, res) => {
          await processActivity(adapter, req, res, async (context) => {
            if (config.BOT_LOCALE) {
              // A fixed language whatever the client says (local demo: the Playground always sends en-US).
              context.activity.locale = config.BOT_LOCALE;
            }
            // The bot saves conversation state at the end of each turn (TrygghetsjourenBot.run).
            await bot.run(context);
          });
        },
        ready: async () => ({
          store: await db
            .query('select 1')
            .then(() => true)
            .catch(() => false),
          graph: await graph.ping()
        })
      },
      { host: config.host, port: config.PORT, logger }
    );
    workers?.worker.start();
    workers?.reminders.start();
    if (config.mode === 'local' && !syncConfig.notificationUrl) {
      syncConfig.notificationUrl = `${server.url}/api/graph/notifications`;
    }
    // After the server listens: creating the subscription makes Graph call the URL to validate it.
    if (config.SYNC_ENABLED) {
      await sync.start();
    }
  } catch (err) {
    await server?.close().catch(() => undefined);
    await workers?.worker.stop().catch(() => undefined);
    await workers?.reminders.stop().catch(() => undefined);
    await workers?.sync.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  const running = server;
  const jobs = workers;
  let stopping: Promise<void> | undefined;
  return {
    config,
    db,
    url: running.url,
    port: running.port,
    logger,
    stop() {
      stopping ??= (async () => {
        logger.info('stopping: draining in-flight turns and jobs');
        await running.close();
        await jobs?.worker.stop();
        await jobs?.reminders.stop();
        await jobs?.sync.stop();
        await db.close();
        logger.info('stopped');
      })();
      return stopping;
    }
  };
}

function textToHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<pre style="font-family:inherit;white-space:pre-wrap">${esc}</pre>`;
}

/** Process entry: start, and drain on SIGTERM/SIGINT, then exit 0. */
export async function main(): Promise<void> {
  // Handlers first: a signal that comes while starting (the server may already answer /healthz)
  // must also end in a drained stop, not in the default kill.
  let app: App | undefined;
  let signalled: string | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    signalled ??= signal;
    if (!app) {
      return; // start() still running: stop once it has finished
    }
    if (stopping) {
      // A second Ctrl-C (or a relayed signal) while draining: keep draining.
      app.logger.info({ signal }, 'signal received again; still draining');
      return;
    }
    stopping = true;
    app.logger.info({ signal }, 'signal received');
    app.stop().then(
      () => process.exit(0),
      (err) => {
        app?.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    app = await start();
  } catch (err) {
    // A configuration error is the most common cause: say it plainly, no stack.
    console.error((err as Error).message);
    process.exit(1);
  }
  if (signalled) {
    shutdown(signalled);
  }
}

if (require.main === module) {
  void main();
}
