/**
 * The baseline for the turn-cost benchmark: a bare botbuilder echo bot on the same store (the
 * embedded PGlite in DATA_DIR, migrated, conversation state through the same SqlStorage), the same
 * server stack (server.ts, restify) and the same adapter (bot/adapter.ts). Each turn reads and
 * writes a conversation-state property, so the store is touched as in a real turn, and answers:
 * a message with a text, an Action.Execute invoke with an invoke response.
 * Run as a child process: `node -r tsx/cjs bench/echoBot.ts` with PORT and DATA_DIR.
 */
import { ActivityHandler, ConversationState, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDb } from '../store/db';
import { migrate } from '../store/migrations';
import { StateStore } from '../store/stateStore';
import { SqlStorage } from '../bot/storage';
import { createAdapter, processActivity } from '../bot/adapter';
import { startServer } from '../server';

class EchoBot extends ActivityHandler {
  constructor(private readonly state: ConversationState) {
    super();
    const turns = state.createProperty<number>('turns');
    this.onMessage(async (context, next) => {
      const n = ((await turns.get(context)) ?? 0) + 1;
      await turns.set(context, n);
      await context.sendActivity(`echo ${n}: ${context.activity.text ?? ''}`);
      await next();
    });
    this.turns = turns;
  }

  private readonly turns;

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const n = ((await this.turns.get(context)) ?? 0) + 1;
    await this.turns.set(context, n);
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `echo ${n}: ${value.action.verb}` as unknown as Record<string, unknown> };
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.state.saveChanges(context);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDb({ dataDir: config.DATA_DIR });
  await migrate(db);
  const state = new ConversationState(new SqlStorage(new StateStore(db)));
  const adapter = createAdapter({}, logger);
  const bot = new EchoBot(state);
  const server = await startServer(
    {
      messages: (req, res) => processActivity(adapter, req, res, (ctx) => bot.run(ctx)),
      ready: async () => ({ store: await db.query('select 1').then(() => true, () => false) })
    },
    { host: '127.0.0.1', port: config.PORT, logger }
  );
  const stop = (): void => {
    void server.close().then(() => db.close()).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
