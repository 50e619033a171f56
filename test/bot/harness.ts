/**
 * In-process conversation harness: botbuilder's TestAdapter (with proactive continuation), the real
 * SQL store (PGlite in memory), the real outbox and call-in repository, and a Graph that is either a
 * small in-memory fake (conversation tests) or the real graph/ against the local tenant.
 * Tests click the buttons of the cards the bot actually sent: `act(card, verb, inputs)`.
 */
import { ConversationState, TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import pino from 'pino';
import type { Clock, StaffMember, Unit } from '../../core/model';
import type { StaffListResult } from '../../graph';
import { openPglite, type Db } from '../../store/db';
import { migrate } from '../../store/migrations';
import { Outbox } from '../../store/outbox';
import { StateStore } from '../../store/stateStore';
import { CallIns, ConversationRefs } from '../../store/callIns';
import { SqlStorage } from '../../bot/storage';
import { TrygghetsjourenBot, type AdminCommands } from '../../bot/TrygghetsjourenBot';
import type { BotGraph, FlowDeps } from '../../bot/flow/types';

export const silent = pino({ level: 'silent' });

/** TestAdapter does not implement proactive continuation; this one runs the logic on a fresh context. */
export class ProactiveTestAdapter extends TestAdapter {
  override async continueConversationAsync(_botAppId: unknown, reference: Partial<ConversationReference>, ...rest: unknown[]): Promise<void> {
    const logic = rest[rest.length - 1] as (ctx: TurnContext) => Promise<void>;
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'proactive' }, reference, true) as Activity;
    await logic(new TurnContext(this, activity));
  }

  /** Records an update as a new outgoing activity, so tests see the updated card. */
  override async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.activeQueue.push({ ...activity, replaces: activity.id } as Partial<Activity> as Activity);
    this.updates.push(activity);
  }

  readonly updates: Array<Partial<Activity>> = [];
}

export const JOURLEDARE = { id: 'aad-jourledare-1', name: 'Jourledare Ett' };
export const ADMIN = { id: 'aad-admin-1', name: 'Admin Ett' };
export const OUTSIDER = { id: 'aad-outsider', name: 'Handläggare' };

const member = (name: string, employmentForm: StaffMember['employmentForm'], phone?: string): StaffMember => ({
  id: name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, '-'),
  name,
  employmentForm,
  phone
});

export const UNITS: Unit[] = [
  { id: '1', name: 'Hemtjänst Majorna', managers: [], acting: [], dgAddress: 'hemtjanst.majorna@goteborg.example', folder: 'Hemtjänst Majorna', active: true, problems: [] },
  { id: '2', name: 'Hemtjänst Linné', managers: [], acting: [], dgAddress: 'hemtjanst.linne@goteborg.example', folder: 'Hemtjänst Linné', active: true, problems: [] },
  { id: '3', name: 'Hemtjänst Stängd', managers: [], acting: [], folder: 'Stängd', active: false, problems: [] },
  { id: '4', name: 'Hemtjänst Kortedala', managers: [], acting: [], folder: 'Hemtjänst Kortedala', active: true, problems: ['DG-adress saknas'] }
];

export const STAFF: Record<string, StaffMember[]> = {
  '1': [
    member('Anna Andersson', 'Tillsvidare', '+46701740605'),
    member('Bertil Berg', 'Månadsanställd', '+46701740606'),
    member('Cecilia Carlsson', 'Timanställd', '+46701740607'),
    member('David Dahl', 'Tillsvidare', '+46701740608'),
    member('Elin Ek', 'Tillsvidare')
  ],
  '2': [member('Fatima Fors', 'Tillsvidare', '+46313906900')],
  '4': []
};

function staffResult(unit: Unit): StaffListResult {
  const staff = STAFF[unit.id] ?? [];
  const coop = unit.id === '1' ? ['Hemtjänst Linné'] : [];
  return {
    unitId: unit.id,
    staff,
    instructions: { minimumStaffing: { kvall: 3, natt: 2 }, cooperatingUnits: coop },
    problems: unit.id === '4' ? [{ message: 'Personallistan kunde inte läsas.' }] : [],
    unusable: unit.id === '4',
    cooperating: { matched: coop.map((n) => ({ name: n, unitName: n, unitId: UNITS.find((u) => u.name === n)?.id })), unmatched: [] },
    fromCache: true
  };
}

/** An in-memory Graph for conversation tests: exactly the part the bot uses. */
export function fakeGraph(opts: { jourledare?: string[]; admins?: string[] } = {}): BotGraph & { calls: string[] } {
  const jl = new Set(opts.jourledare ?? [JOURLEDARE.id]);
  const ad = new Set(opts.admins ?? [ADMIN.id]);
  const calls: string[] = [];
  return {
    calls,
    units: {
      list: async () => (calls.push('units.list'), UNITS),
      get: async (id) => (calls.push('units.get'), UNITS.find((u) => u.id === id))
    },
    staff: {
      get: async (u) => (calls.push(`staff.get:${u.id}`), staffResult(u)),
      documents: async (u) => (calls.push('staff.documents'), u.id === '1' ? [{ name: 'Nyckelrutin.pdf', webUrl: 'https://example.invalid/nyckel.pdf' }] : [])
    },
    authz: {
      isJourledare: async (id) => (calls.push('authz.isJourledare'), jl.has(id)),
      isAdmin: async (id) => ad.has(id)
    }
  };
}

export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    set: (s: string) => {
      now = new Date(s);
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    }
  };
}

export interface Harness {
  db: Db;
  adapter: ProactiveTestAdapter;
  bot: TrygghetsjourenBot;
  deps: FlowDeps;
  callIns: CallIns;
  outbox: Outbox;
  refs: ConversationRefs;
  /** A new bot instance on the same store (a restart). */
  restart(): void;
}

export async function openStore(): Promise<Db> {
  const db = await openPglite(':memory:');
  await migrate(db);
  return db;
}

export async function resetStore(db: Db): Promise<void> {
  await db.exec('truncate call_ins, call_in_events, callin_reminders, outbox, bot_state, conversation_refs cascade');
}

export function makeHarness(
  db: Db,
  opts: { graph?: BotGraph; clock: Clock; enforceJourtid?: boolean; reminderMinutes?: number; adminCommands?: AdminCommands; onEnqueued?: () => void }
): Harness {
  const callIns = new CallIns(db);
  const outbox = new Outbox(db, { maxAttempts: 3, leaseSeconds: 30, backoffBaseMs: 1, backoffCapMs: 5 });
  const refs = new ConversationRefs(db);
  const deps: FlowDeps = {
    graph: opts.graph ?? fakeGraph(),
    db,
    callIns,
    outbox,
    clock: opts.clock,
    settings: { enforceJourtid: opts.enforceJourtid ?? true, cal: { midsommarafton: true, julafton: true, nyarsafton: true }, reminderMinutes: opts.reminderMinutes ?? 30 },
    logger: silent,
    onEnqueued: opts.onEnqueued
  };
  const build = () =>
    new TrygghetsjourenBot({
      flow: deps,
      conversationState: new ConversationState(new SqlStorage(new StateStore(db))),
      conversationRefs: refs,
      adminCommands: opts.adminCommands,
      logger: silent
    });
  const h: Harness = {
    db,
    adapter: undefined as unknown as ProactiveTestAdapter,
    bot: build(),
    deps,
    callIns,
    outbox,
    refs,
    restart() {
      h.bot = build();
    }
  };
  h.adapter = new ProactiveTestAdapter(async (ctx) => {
    await h.bot.run(ctx);
  });
  return h;
}

/* ------------------------------------------------------------------ the user's side */

export type Card = { body: unknown[]; actions?: unknown[] } & Record<string, unknown>;

export interface BotAnswer {
  /** Cards sent as messages, or the card of an invoke response. */
  cards: Card[];
  /** Plain texts (messages, or an invoke response of type message). */
  texts: string[];
  /** Everything, for privacy checks. */
  raw: unknown[];
  invoke?: { statusCode: number; type: string; value: unknown };
  /** Activity id of the first message sent in this turn. */
  activityId?: string;
}

function collect(adapter: TestAdapter): BotAnswer {
  const out: BotAnswer = { cards: [], texts: [], raw: [] };
  let a: Partial<Activity> | undefined;
  while ((a = adapter.activeQueue.shift())) {
    out.raw.push(a);
    if (a.type === 'invokeResponse') {
      const body = (a.value as { body?: { statusCode: number; type: string; value: unknown } }).body;
      out.invoke = body;
      if (body?.type === 'application/vnd.microsoft.card.adaptive') {
        out.cards.push(body.value as Card);
      } else if (body) {
        out.texts.push(String(body.value));
      }
      continue;
    }
    out.activityId ??= a.id;
    if (a.text) {
      out.texts.push(a.text);
    }
    for (const att of a.attachments ?? []) {
      out.cards.push(att.content as Card);
    }
  }
  return out;
}

function from(user: { id: string; name: string }) {
  return { id: `29:${user.id}`, name: user.name, aadObjectId: user.id };
}

export async function say(h: Harness, text: string, opts: { user?: { id: string; name: string }; locale?: string } = {}): Promise<BotAnswer> {
  await h.adapter.processActivity({ type: 'message', text, from: from(opts.user ?? JOURLEDARE), locale: opts.locale ?? 'sv-SE' } as Activity);
  return collect(h.adapter);
}

export async function install(h: Harness, opts: { user?: { id: string; name: string }; locale?: string } = {}): Promise<BotAnswer> {
  await h.adapter.processActivity({
    type: 'conversationUpdate',
    from: from(opts.user ?? JOURLEDARE),
    membersAdded: [from(opts.user ?? JOURLEDARE)],
    locale: opts.locale ?? 'sv-SE'
  } as unknown as Activity);
  return collect(h.adapter);
}

/** Finds an Action.Execute by verb (and optional data predicate) anywhere in a card. */
export function findAction(card: Card, verb: string, where: (data: Record<string, unknown>) => boolean = () => true): { verb: string; data: Record<string, unknown> } | undefined {
  let hit: { verb: string; data: Record<string, unknown> } | undefined;
  const walk = (n: unknown): void => {
    if (hit || !n || typeof n !== 'object') {
      return;
    }
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    const r = n as Record<string, unknown>;
    if (r.type === 'Action.Execute' && r.verb === verb && where((r.data ?? {}) as Record<string, unknown>)) {
      hit = { verb, data: r.data as Record<string, unknown> };
      return;
    }
    Object.values(r).forEach(walk);
  };
  walk(card);
  return hit;
}

/** Clicks a button (Action.Execute invoke) with the given input values. */
export async function act(
  h: Harness,
  card: Card,
  verb: string,
  inputs: Record<string, unknown> = {},
  opts: { where?: (d: Record<string, unknown>) => boolean; user?: { id: string; name: string }; locale?: string; replyToId?: string; via?: 'execute' | 'submit' } = {}
): Promise<BotAnswer> {
  const action = findAction(card, verb, opts.where);
  if (!action) {
    throw new Error(`no ${verb} action on the card`);
  }
  // Like a real client: the card's inputs are sent with their current (prefilled) values.
  return send(h, { ...inputValues(card), ...action.data, ...inputs }, opts);
}

/** The ids and prefilled values of a card's inputs. */
export function inputValues(card: Card): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') {
      return;
    }
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    const r = n as Record<string, unknown>;
    if (typeof r.type === 'string' && r.type.startsWith('Input.') && typeof r.id === 'string') {
      out[r.id] = r.value ?? '';
    }
    Object.values(r).forEach(walk);
  };
  walk(card.body);
  return out;
}

/** Sends raw action data (possibly forged), as Action.Execute (default) or as the Submit fallback. */
export async function send(
  h: Harness,
  data: Record<string, unknown>,
  opts: { user?: { id: string; name: string }; locale?: string; replyToId?: string; via?: 'execute' | 'submit' } = {}
): Promise<BotAnswer> {
  const base = { from: from(opts.user ?? JOURLEDARE), locale: opts.locale ?? 'sv-SE', replyToId: opts.replyToId ?? 'card-1' };
  if (opts.via === 'submit') {
    await h.adapter.processActivity({ type: 'message', value: data, ...base } as unknown as Activity);
  } else {
    const { verb, ...rest } = data;
    await h.adapter.processActivity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data: rest }, trigger: 'manual' },
      ...base
    } as unknown as Activity);
  }
  return collect(h.adapter);
}

/** All TextBlock/FactSet texts of a card, joined: for assertions on what the user sees (one walker for every suite). */
export { cardText } from '../helpers/channel';

export async function count(db: Db, table: string): Promise<number> {
  const r = await db.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(r.rows[0].n);
}
