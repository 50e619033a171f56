/**
 * The Teams activity handler: thin. It parses the activity (typed command, `Action.Execute` invoke,
 * or the `Action.Submit` fallback's message with a value), checks who is asking, calls one use case
 * (bot/flow) and sends its card. The flow state lives in conversation state (SQL-backed), saved at
 * the end of every turn; turns of one conversation run one at a time in this process (a double
 * click is handled in order, and the second sees the first's state), and across instances the
 * state's eTag refuses a concurrent write.
 */
import {
  ActivityHandler,
  CardFactory,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationState,
  type InvokeResponse,
  type StatePropertyAccessor
} from 'botbuilder';
import type { Logger } from 'pino';
import { CARD_CONTENT_TYPE, type AdaptiveCard } from '../cards/render';
import type { ConversationRefs } from '../store/callIns';
import { GraphError } from '../graph/errors';
import { langOf, t } from './texts';
import { HANDLERS, cancelFlow, logSearch, start, tonight, unitInfo, welcome } from './flow';
import { parseAction } from './flow/parse';
import type { FlowDeps, FlowState, Reply, Turn } from './flow/types';
import { messageCard } from './flow/views';

/** Admin commands ("behörighet <enhet>", "synk", "synk torrkörning"), built by the sync's owner. */
export type AdminCommands = (text: string, ctx: { userId: string; lang: 'sv' | 'en' }) => Promise<string | object | undefined>;

export interface BotDeps {
  flow: FlowDeps;
  conversationState: ConversationState;
  conversationRefs?: ConversationRefs;
  adminCommands?: AdminCommands;
  logger: Logger;
}

const ADMIN_COMMAND = /^(behörighet|behorighet|synk|sync)\b/i;

type Command = 'welcome' | 'help' | 'start' | 'tonight' | 'cancel' | 'log' | 'unit' | 'admin';

function parseCommand(text: string): { cmd: Command; args: string } | undefined {
  const s = text.trim().replace(/^<at>.*?<\/at>\s*/i, '');
  const lower = s.toLowerCase();
  if (/^(hej|hallå|hello|hi|start)\b/.test(lower) || lower === '') {
    return { cmd: 'welcome', args: '' };
  }
  if (/^(hjälp|hjalp|help|\?)$/.test(lower)) {
    return { cmd: 'help', args: '' };
  }
  if (/^(ny|ny frånvaro|new|new absence)$/.test(lower)) {
    return { cmd: 'start', args: '' };
  }
  if (/^(ikväll|ikvall|i kväll|inatt|i natt|tonight)$/.test(lower)) {
    return { cmd: 'tonight', args: '' };
  }
  if (/^(avbryt|cancel)$/.test(lower)) {
    return { cmd: 'cancel', args: '' };
  }
  const log = /^(logg|log)\b\s*(.*)$/i.exec(s);
  if (log) {
    return { cmd: 'log', args: log[2] };
  }
  const unit = /^(enhet|unit)\b\s*(.*)$/i.exec(s);
  if (unit) {
    return { cmd: 'unit', args: unit[2] };
  }
  if (ADMIN_COMMAND.test(s)) {
    return { cmd: 'admin', args: s };
  }
  return undefined;
}

export class TrygghetsjourenBot extends ActivityHandler {
  private readonly flowState: StatePropertyAccessor<FlowState | undefined>;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly log: Logger;

  constructor(private readonly deps: BotDeps) {
    super();
    this.log = deps.logger.child({ component: 'bot' });
    this.flowState = deps.conversationState.createProperty<FlowState | undefined>('flow');

    // One welcome per install: Teams' personal install lists only the bot as added, the Playground
    // lists the bot and the user; either way the user who installed is `from`.
    this.onMembersAdded(async (context, next) => {
      if ((context.activity.membersAdded ?? []).length > 0 && context.activity.from?.id !== context.activity.recipient?.id) {
        await this.welcomeOrRefuse(context);
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      if (context.activity.value && typeof context.activity.value === 'object') {
        await this.submitFallback(context);
      } else {
        await this.command(context);
      }
      await next();
    });
  }

  /** One turn at a time per conversation; state saved at the end of every turn. */
  override async run(context: TurnContext): Promise<void> {
    const key = context.activity.conversation?.id ?? '';
    const prev = this.locks.get(key) ?? Promise.resolve();
    const mine = prev.catch(() => undefined).then(async () => {
      await super.run(context);
      await this.deps.conversationState.saveChanges(context);
    });
    this.locks.set(key, mine);
    try {
      await mine;
    } finally {
      if (this.locks.get(key) === mine) {
        this.locks.delete(key);
      }
    }
  }

  /* ---------------------------------------------------------------- who is asking */

  /** The Turn for a jourledare, or the refusal text for anyone else. */
  private async turnFor(context: TurnContext): Promise<Turn | string> {
    const lang = langOf(context.activity.locale);
    const aad = context.activity.from?.aadObjectId;
    if (!aad) {
      return t(lang, 'notJourledare');
    }
    let ok: boolean;
    try {
      ok = await this.deps.flow.graph.authz.isJourledare(aad);
    } catch (err) {
      this.log.warn({ code: (err as GraphError).code, status: (err as GraphError).status }, 'authorization check failed');
      return t(lang, 'authUnavailable');
    }
    if (!ok) {
      this.log.info({ user: aad }, 'refused: not in the jourledare group');
      return t(lang, 'notJourledare');
    }
    const flow = await this.flowState.get(context);
    return {
      lang,
      user: { id: aad, name: context.activity.from.name },
      conversationRef: TurnContext.getConversationReference(context.activity),
      cardActivityId: context.activity.replyToId,
      locale: context.activity.locale,
      flow,
      setFlow: (f) => {
        void this.flowState.set(context, f);
      }
    };
  }

  private async rememberConversation(context: TurnContext, userId: string): Promise<void> {
    if (!this.deps.conversationRefs) {
      return;
    }
    const isAdmin = await this.deps.flow.graph.authz.isAdmin(userId).catch(() => false);
    await this.deps.conversationRefs.save(userId, TurnContext.getConversationReference(context.activity), context.activity.locale, isAdmin);
  }

  /** An administrator who is not a jourledare still gets alerts: keep their conversation. */
  private async rememberAdmin(context: TurnContext): Promise<void> {
    const aad = context.activity.from?.aadObjectId;
    if (aad && this.deps.conversationRefs && (await this.deps.flow.graph.authz.isAdmin(aad).catch(() => false))) {
      await this.deps.conversationRefs.save(aad, TurnContext.getConversationReference(context.activity), context.activity.locale, true);
    }
  }

  /* ---------------------------------------------------------------- entry points */

  private async welcomeOrRefuse(context: TurnContext): Promise<void> {
    const turn = await this.turnFor(context);
    if (typeof turn === 'string') {
      await this.rememberAdmin(context);
      await context.sendActivity(turn);
      return;
    }
    await this.rememberConversation(context, turn.user.id);
    await this.send(context, await welcome(this.deps.flow, turn, false));
  }

  private async command(context: TurnContext): Promise<void> {
    const text = context.activity.text ?? '';
    const parsed = parseCommand(text);
    const lang = langOf(context.activity.locale);
    if (parsed?.cmd === 'admin') {
      await this.admin(context, parsed.args);
      return;
    }
    const turn = await this.turnFor(context);
    if (typeof turn === 'string') {
      await this.rememberAdmin(context);
      await context.sendActivity(turn);
      return;
    }
    await this.rememberConversation(context, turn.user.id);
    this.log.info({ step: 'command', cmd: parsed?.cmd ?? 'unknown' }, 'turn');
    const deps = this.deps.flow;
    const reply = await this.safely(lang, async () => {
      switch (parsed?.cmd) {
        case 'welcome':
          return welcome(deps, turn, false);
        case 'help':
          return welcome(deps, turn, true);
        case 'start':
          return start(deps, turn);
        case 'tonight':
          return tonight(deps, turn);
        case 'cancel':
          return cancelFlow(deps, turn, undefined);
        case 'log':
          return logSearch(deps, turn, parsed.args);
        case 'unit':
          return unitInfo(deps, turn, parsed.args);
        default:
          return { kind: 'message', text: t(lang, 'unknownCommand') } as Reply;
      }
    });
    await this.send(context, reply);
  }

  private async admin(context: TurnContext, text: string): Promise<void> {
    const lang = langOf(context.activity.locale);
    const aad = context.activity.from?.aadObjectId;
    let isAdmin = false;
    if (aad) {
      try {
        isAdmin = await this.deps.flow.graph.authz.isAdmin(aad);
      } catch {
        await context.sendActivity(t(lang, 'authUnavailable'));
        return;
      }
    }
    if (!isAdmin || !aad) {
      await context.sendActivity(t(lang, 'notAdmin'));
      return;
    }
    await this.deps.conversationRefs?.save(aad, TurnContext.getConversationReference(context.activity), context.activity.locale, true);
    if (!this.deps.adminCommands) {
      await context.sendActivity(t(lang, 'adminNotAvailable'));
      return;
    }
    this.log.info({ step: 'admin', user: aad }, 'admin command');
    const out = await this.deps.adminCommands(text, { userId: aad, lang });
    if (typeof out === 'string') {
      await context.sendActivity(out);
    } else if (out) {
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(out)] });
    }
  }

  /** Runs the action's use case; undefined reply means "not ours". */
  private async action(context: TurnContext, raw: unknown): Promise<Reply> {
    const lang = langOf(context.activity.locale);
    const turn = await this.turnFor(context);
    if (typeof turn === 'string') {
      return { kind: 'message', text: turn };
    }
    const data = parseAction(raw);
    if (!data) {
      this.log.warn({ step: 'action', reason: 'bad shape' }, 'refused card data');
      return { kind: 'message', text: t(lang, 'badInput') };
    }
    this.log.info({ step: 'action', verb: data.verb, flowStep: turn.flow?.step, rev: data.rev }, 'turn');
    return this.safely(lang, () => HANDLERS[data.verb](this.deps.flow, turn, data));
  }

  private async safely(lang: 'sv' | 'en', fn: () => Promise<Reply>): Promise<Reply> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GraphError) {
        this.log.warn({ code: err.code, status: err.status }, 'graph unavailable during turn');
        return { kind: 'message', text: t(lang, 'graphUnavailable') };
      }
      throw err;
    }
  }

  /**
   * An `adaptiveCard/action` invoke without `value.action` (an object) is refused 400 here:
   * botbuilder's own dispatch would read `value.action.type` and fail with a TypeError (501).
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'adaptiveCard/action') {
      const value = context.activity.value as unknown;
      const action = value && typeof value === 'object' ? (value as { action?: unknown }).action : undefined;
      if (!action || typeof action !== 'object' || Array.isArray(action)) {
        this.log.warn({ step: 'invoke', reason: value ? 'no action' : 'no value' }, 'refused card invoke');
        const message = value ? 'adaptiveCard/action needs value.action (an Action.Execute)' : 'adaptiveCard/action needs a value';
        return { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } } };
      }
    }
    return super.onInvokeActivity(context);
  }

  /** Action.Execute (Universal Actions): the answer replaces the card in place. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const data = { ...((invokeValue.action.data as object | undefined) ?? {}), verb: invokeValue.action.verb };
    const reply = await this.action(context, data);
    if (reply.kind === 'card') {
      await reply.afterSend?.(context.activity.replyToId);
      return { statusCode: 200, type: CARD_CONTENT_TYPE, value: reply.card as unknown as Record<string, unknown> };
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: reply.text as unknown as Record<string, unknown> };
  }

  /** Action.Submit fallback: update the card's message (replyToId) or send a new one. */
  private async submitFallback(context: TurnContext): Promise<void> {
    const reply = await this.action(context, context.activity.value);
    if (reply.kind === 'message') {
      await context.sendActivity(reply.text);
      return;
    }
    const replyTo = context.activity.replyToId;
    if (replyTo) {
      try {
        await context.updateActivity({ id: replyTo, type: 'message', attachments: [CardFactory.adaptiveCard(reply.card)] });
        await reply.afterSend?.(replyTo);
        return;
      } catch (err) {
        this.log.info({ err: (err as Error).message }, 'could not update the card; sending a new one');
      }
    }
    await this.send(context, reply);
  }

  private async send(context: TurnContext, reply: Reply): Promise<void> {
    if (reply.kind === 'message') {
      await context.sendActivity(reply.text);
      return;
    }
    const res = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(reply.card)] });
    await reply.afterSend?.(res?.id);
  }
}

/** A refusal or information card for proactive messages. */
export function textCard(lang: 'sv' | 'en', text: string): AdaptiveCard {
  return messageCard(lang, text);
}
