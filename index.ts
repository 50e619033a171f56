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

export interface StartOptions {
  config?: Config;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Test hook: token validation against a local OpenID metadata server (see test/integration/auth.spec.ts). */
  adapterOverrides?: { openIdMetadataUrl?: string; tokenIssuer?: string };
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

  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  let server: RunningServer | undefined;
  try {
    await migrate(db);
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
            .catch(() => false)
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
