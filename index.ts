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
import { ActivityHandler, ConversationState, UserState } from 'botbuilder';
import { createGraph, type Graph, type GraphSettings } from './graph';
import { ConfigError } from './config';
import { KeyValueStore } from './store/stateStore';

export interface StartOptions {
  config?: Config;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Test hook: token validation against a local OpenID metadata server (see test/integration/auth.spec.ts). */
  adapterOverrides?: { openIdMetadataUrl?: string; tokenIssuer?: string };
  /** Inject a Graph (tests); default: created from the configuration. */
  graph?: Graph;
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
    timeoutMs: config.GRAPH_TIMEOUT_MS
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
  try {
    await migrate(db);
    const graph = opts.graph ?? createGraph(settings!, { logger: logger.child({ component: 'graph' }), deltaStore: new KeyValueStore(db) });
    const storage = new SqlStorage(new StateStore(db));
    const conversationState = new ConversationState(storage);
    const userState = new UserState(storage);
    const adapter = createAdapter(
      { appId: config.MicrosoftAppId, appPassword: config.MicrosoftAppPassword, tenantId: config.MicrosoftAppTenantId, appType: config.MicrosoftAppType, ...opts.adapterOverrides },
      logger
    );
    const bot = new ActivityHandler();
    bot.onMessage(async (context, next) => {
      await context.sendActivity('Hej! Trygghetsjourens bot startar.');
      await next();
    });
    server = await startServer(
      {
        messages: async (req, res) => {
          await processActivity(adapter, req, res, async (context) => {
            await bot.run(context);
            await conversationState.saveChanges(context);
            await userState.saveChanges(context);
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
  } catch (err) {
    await server?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  const running = server;
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
        await db.close();
        logger.info('stopped');
      })();
      return stopping;
    }
  };
}

/** Process entry: start, and drain on SIGTERM/SIGINT, then exit 0. */
export async function main(): Promise<void> {
  let app: App;
  try {
    app = await start();
  } catch (err) {
    // A configuration error is the most common cause: say it plainly, no stack.
    console.error((err as Error).message);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    app.logger.info({ signal }, 'signal received');
    app.stop().then(
      () => process.exit(0),
      (err) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  void main();
}
