/**
 * A simulated Teams channel, for the resilience suites and the benchmarks.
 *
 * - `startConnector()`: an HTTP server on 127.0.0.1 that acts as the Bot Connector service (the
 *   `serviceUrl` of the activities we send): it accepts `POST /v3/conversations/{id}/activities[/{replyToId}]`
 *   (send / reply) and `PUT /v3/conversations/{id}/activities/{activityId}` (update), records them per
 *   conversation and answers like the connector (`{ id }`).
 * - `ChatUser`: POSTs activities to the bot's /api/messages as a given user (text messages, the
 *   `Action.Submit` fallback's message with a `value`, and `invoke` `adaptiveCard/action` with
 *   `Action.Execute`), and returns what the bot answered in that turn: the replies the connector
 *   received while the turn ran, and the invoke response.
 * Local mode has no app id, so no tokens are involved either way.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export type Card = { body?: unknown[]; actions?: unknown[] } & Record<string, unknown>;

export interface RecordedActivity {
  /** The id the connector gave it (for updates: the id that was updated). */
  id: string;
  op: 'send' | 'reply' | 'update';
  conversationId: string;
  replyToId?: string;
  at: number;
  activity: Record<string, unknown>;
}

export interface Connector {
  url: string;
  /** Everything received for a conversation, in order. */
  activities(conversationId: string): RecordedActivity[];
  /** Every activity received, all conversations. */
  all(): RecordedActivity[];
  /** How many requests the connector answered (for the benchmarks). */
  count(): number;
  /** Resolves when `pred` holds for a conversation's activities, or rejects after `timeoutMs`. */
  waitFor(conversationId: string, pred: (acts: RecordedActivity[]) => boolean, timeoutMs?: number): Promise<RecordedActivity[]>;
  clear(): void;
  stop(): Promise<void>;
}

export async function startConnector(): Promise<Connector> {
  const byConv = new Map<string, RecordedActivity[]>();
  const all: RecordedActivity[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let n = 0;
  let seq = 0;

  const record = (r: RecordedActivity): void => {
    let list = byConv.get(r.conversationId);
    if (!list) {
      list = [];
      byConv.set(r.conversationId, list);
    }
    list.push(r);
    all.push(r);
    for (const w of [...waiters]) {
      w();
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n++;
      const u = new URL(req.url ?? '/', 'http://connector.local');
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(u.pathname);
      const answer = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (!m) {
        return answer(404, { error: { code: 'NotFound', message: `no connector route ${req.method} ${u.pathname}` } });
      }
      let activity: Record<string, unknown>;
      try {
        activity = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return answer(400, { error: { code: 'BadSyntax', message: 'invalid JSON' } });
      }
      const conversationId = decodeURIComponent(m[1]);
      const pathId = m[2] ? decodeURIComponent(m[2]) : undefined;
      if (req.method === 'POST') {
        const id = `act-${++seq}`;
        record({ id, op: pathId ? 'reply' : 'send', conversationId, replyToId: pathId, at: Date.now(), activity });
        return answer(200, { id });
      }
      if (req.method === 'PUT' && pathId) {
        record({ id: pathId, op: 'update', conversationId, at: Date.now(), activity });
        return answer(200, { id: pathId });
      }
      return answer(405, { error: { code: 'MethodNotAllowed', message: String(req.method) } });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    activities: (id) => [...(byConv.get(id) ?? [])],
    all: () => [...all],
    count: () => n,
    waitFor(conversationId, pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const acts = byConv.get(conversationId) ?? [];
          if (pred(acts)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve([...acts]);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`connector: condition not met for ${conversationId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      byConv.clear();
      all.length = 0;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) {
          s.destroy();
        }
      });
    }
  };
}

/* ------------------------------------------------------------------ the user's side */

export interface ChatAccount {
  /** Entra object id. */
  aadObjectId: string;
  name: string;
}

export interface BotAnswer {
  /** HTTP status of /api/messages. */
  status: number;
  /** Cards: sent messages' attachments, the invoke response's card, or the updated card of a submit. */
  cards: Card[];
  /** Cards of messages updated (PUT) while the turn ran. */
  updated: Card[];
  /** Texts of messages, or an invoke response of type message. */
  texts: string[];
  /** The invoke response body, for invokes. */
  invoke?: { statusCode: number; type: string; value: unknown };
  /** What the connector received during the turn. */
  activities: RecordedActivity[];
  /** Raw body of the HTTP answer (non-invoke errors). */
  body: string;
  ms: number;
}

export interface ChatUserOptions {
  /** The bot's /api/messages; a function is asked before every request (a load balancer: the scale-out suite). */
  botUrl: string | (() => string);
  connector: Connector;
  user: ChatAccount;
  conversationId?: string;
  locale?: string;
  tenantId?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** One person in a personal chat with the bot. Turns of one user are sequential. */
export class ChatUser {
  readonly conversationId: string;
  private lastCardActivityId?: string;

  constructor(private readonly opts: ChatUserOptions) {
    this.conversationId = opts.conversationId ?? `a:${randomUUID()}`;
  }

  get user(): ChatAccount {
    return this.opts.user;
  }

  /** A typed message. */
  say(text: string): Promise<BotAnswer> {
    return this.post({ type: 'message', text });
  }

  /** The bot was added (personal install). */
  install(): Promise<BotAnswer> {
    return this.post({ type: 'conversationUpdate', membersAdded: [this.from()] });
  }

  /** Clicks a card's Action.Execute button (by verb and optional data predicate) with input values. */
  act(card: Card, verb: string, inputs: Record<string, unknown> = {}, where?: (d: Record<string, unknown>) => boolean, via: 'execute' | 'submit' = 'execute'): Promise<BotAnswer> {
    const action = findAction(card, verb, where);
    if (!action) {
      throw new Error(`no ${verb} action on the card: ${cardText(card).slice(0, 300)}`);
    }
    return this.send({ ...inputValues(card), ...action.data, ...inputs, verb }, via);
  }

  /** Raw action data (possibly forged): as an Action.Execute invoke, or as the Action.Submit fallback. */
  send(data: Record<string, unknown>, via: 'execute' | 'submit' = 'execute'): Promise<BotAnswer> {
    if (via === 'submit') {
      return this.post({ type: 'message', value: data, replyToId: this.lastCardActivityId });
    }
    const { verb, ...rest } = data;
    return this.post({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: this.lastCardActivityId,
      value: { action: { type: 'Action.Execute', verb, data: rest }, trigger: 'manual' }
    });
  }

  private from(): Record<string, unknown> {
    return { id: `29:${this.opts.user.aadObjectId}`, name: this.opts.user.name, aadObjectId: this.opts.user.aadObjectId };
  }

  /** The activity envelope as Teams sends it. */
  envelope(extra: Record<string, unknown>): Record<string, unknown> {
    return {
      id: `in-${randomUUID()}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.opts.connector.url,
      from: this.from(),
      recipient: { id: '28:trygghetsjouren-bot', name: 'Trygghetsjouren' },
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: this.opts.tenantId ?? 'local-tenant' },
      channelData: { tenant: { id: this.opts.tenantId ?? 'local-tenant' } },
      locale: this.opts.locale ?? 'sv-SE',
      ...extra
    };
  }

  async post(extra: Record<string, unknown>): Promise<BotAnswer> {
    const before = this.opts.connector.activities(this.conversationId).length;
    const t0 = performance.now();
    const botUrl = typeof this.opts.botUrl === 'function' ? this.opts.botUrl() : this.opts.botUrl;
    const res = await fetch(botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.envelope(extra)),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000)
    });
    const body = await res.text();
    const ms = performance.now() - t0;
    const activities = this.opts.connector.activities(this.conversationId).slice(before);
    const out: BotAnswer = { status: res.status, cards: [], updated: [], texts: [], activities, body, ms };
    for (const a of activities) {
      const act = a.activity as { text?: string; attachments?: Array<{ content?: unknown }> };
      if (typeof act.text === 'string' && act.text) {
        out.texts.push(act.text);
      }
      for (const att of act.attachments ?? []) {
        if (a.op === 'update') {
          out.updated.push(att.content as Card);
        } else {
          out.cards.push(att.content as Card);
          this.lastCardActivityId = a.id;
        }
      }
    }
    // The Action.Submit fallback answers by updating the card's message in place; other updates
    // (the receipt after the notice went) arrive on their own time and are left in `updated`.
    if (extra.type === 'message' && extra.value !== undefined && out.cards.length === 0) {
      out.cards.push(...out.updated);
    }
    if (extra.type === 'invoke' && body) {
      try {
        const inv = JSON.parse(body) as { statusCode: number; type: string; value: unknown };
        out.invoke = inv;
        if (inv?.type === 'application/vnd.microsoft.card.adaptive') {
          out.cards.push(inv.value as Card);
        } else if (inv && inv.value !== undefined) {
          out.texts.push(String(inv.value));
        }
      } catch {
        /* not JSON: left in body */
      }
    }
    return out;
  }
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
    if ((r.type === 'Action.Execute' || r.type === 'Action.Submit') && r.verb === verb && where((r.data ?? {}) as Record<string, unknown>)) {
      hit = { verb, data: (r.data ?? {}) as Record<string, unknown> };
      return;
    }
    Object.values(r).forEach(walk);
  };
  walk(card);
  return hit;
}

/** Every Action.Execute's data with a given verb. */
export function allActions(card: Card, verb: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') {
      return;
    }
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    const r = n as Record<string, unknown>;
    if (r.type === 'Action.Execute' && r.verb === verb) {
      out.push((r.data ?? {}) as Record<string, unknown>);
    }
    Object.values(r).forEach(walk);
  };
  walk(card);
  return out;
}

/** The ids and prefilled values of a card's inputs (a real client sends them with every action). */
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

/** All visible texts of a card, joined. */
export function cardText(card: Card | undefined): string {
  const parts: string[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') {
      return;
    }
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    const r = n as Record<string, unknown>;
    for (const k of ['text', 'title', 'value', 'label']) {
      if (typeof r[k] === 'string') {
        parts.push(r[k] as string);
      }
    }
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'data' && k !== 'fallback') {
        walk(v);
      }
    }
  };
  walk(card);
  return parts.join('\n');
}

/** The single card of an answer, or a clear error. */
export function onlyCard(a: BotAnswer, what = 'answer'): Card {
  if (a.cards.length !== 1) {
    throw new Error(`${what}: expected one card, got ${a.cards.length} (status ${a.status}; texts: ${a.texts.join(' | ')}; body: ${a.body.slice(0, 200)})`);
  }
  return a.cards[0];
}
