/**
 * Shared by the resilience suites: a seeded random source (the seed is printed so a failing run can
 * be repeated), a bot child process that can be killed and restarted on the same data folder and
 * port, a call-in driver that survives the bot going away, and the mailbox's exactly-once figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningTenant, SentMail } from '../../dev/tenant/server';
import { spawnBot, freePort, type BotProcess } from '../helpers/botProcess';
import { ChatUser, type Connector } from '../helpers/channel';
import { confirmCard, toConfirm, DEMO_JOURLEDARE, FlowError, NIGHT_CLOCK } from '../helpers/callInFlow';
import { tenantEnv } from '../helpers/local';
import { openPglite } from '../../store/db';

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The bot on one data folder and one port, restartable. */
export class RestartableBot {
  current?: BotProcess;
  starts = 0;
  startMs: number[] = [];
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv
  ) {}

  static async create(tenant: RunningTenant, extra: Record<string, string> = {}): Promise<RestartableBot> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-resilience-'));
    const port = await freePort();
    const env = tenantEnv(tenant, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', CLOCK_START: NIGHT_CLOCK, OUTBOX_POLL_MS: '200', SYNC_ENABLED: 'false', ...extra });
    return new RestartableBot(dataDir, port, env);
  }

  get messages(): string {
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const p = await spawnBot({ env: { ...this.env, PORT: String(this.port) }, timeoutMs: 90_000 });
    this.current = p;
    this.starts++;
    this.startMs.push(p.startMs);
  }

  async kill9(): Promise<void> {
    await this.current?.kill9();
  }

  async stop(): Promise<void> {
    await this.current?.stop();
  }

  /** The store, opened here once the bot is stopped (the lock file keeps it exclusive). */
  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const db = await openPglite(this.dataDir);
    try {
      return (await db.query<T>(sql)).rows;
    } finally {
      await db.close();
    }
  }

  remove(): void {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface DriverStats {
  confirmed: Set<string>;
  /** Ids a client was told twice by different flows (must stay 0). */
  clientDuplicates: number;
  flowRestarts: number;
  confirmReplays: number;
  alreadyConfirmed: number;
  /** Answers that were not what the flow expects (not network errors or 5xx). */
  unexpected: string[];
}

/**
 * `users` simulated jourledare confirm `target` call-ins between them through the real flow. A
 * request that fails because the bot is gone (or answers 5xx) is retried once the bot is back: a
 * failure before confirming starts the flow again; a failure of confirm replays the same confirm
 * (the answer is then the receipt, or "already confirmed (TJ-…)" when the first one committed).
 */
export async function confirmMany(opts: {
  botUrl: string;
  connector: Connector;
  target: number;
  users: number;
  deadlineMs: number;
  /** Called just before a confirm is sent. */
  beforeConfirm?: () => void;
}): Promise<DriverStats> {
  const stats: DriverStats = { confirmed: new Set(), clientDuplicates: 0, flowRestarts: 0, confirmReplays: 0, alreadyConfirmed: 0, unexpected: [] };
  let slots = 0;
  const deadline = Date.now() + opts.deadlineMs;
  const overdue = (): void => {
    if (Date.now() > deadline) {
      throw new Error(`confirmMany: deadline passed with ${stats.confirmed.size}/${opts.target} confirmed`);
    }
  };
  const worker = async (i: number): Promise<void> => {
    const user = new ChatUser({ botUrl: opts.botUrl, connector: opts.connector, user: DEMO_JOURLEDARE[i % DEMO_JOURLEDARE.length], conversationId: `a:resilience-${i}`, timeoutMs: 20_000 });
    while (slots < opts.target) {
      slots++;
      let done = false;
      while (!done) {
        overdue();
        let card;
        try {
          card = (await toConfirm(user)).card;
        } catch (err) {
          const a = (err as FlowError).answer;
          if (!(err instanceof FlowError)) {
            throw err;
          }
          if (a && a.status < 500) {
            // The bot answered, but not as the flow expects: a bug, not a crash artefact (a turn
            // interrupted by a kill ends in a network error, and the flow starts again at "ny").
            stats.unexpected.push(err.message);
            if (stats.unexpected.length > 5) {
              throw new Error(`confirmMany: unexpected answers:\n${stats.unexpected.join('\n')}`);
            }
          }
          stats.flowRestarts++;
          await sleep(300);
          continue;
        }
        for (let r = 0; ; r++) {
          overdue();
          try {
            opts.beforeConfirm?.();
            const c = await confirmCard(user, card);
            if (c.via === 'alreadyConfirmed') {
              stats.alreadyConfirmed++;
            }
            if (stats.confirmed.has(c.id)) {
              stats.clientDuplicates++;
            }
            stats.confirmed.add(c.id);
            done = true;
            break;
          } catch (err) {
            const a = (err as FlowError).answer;
            if (a && a.status < 500) {
              throw err; // an answer without an id: not a crash artefact
            }
            stats.confirmReplays++;
            await sleep(300);
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.users }, (_, i) => worker(i)));
  return stats;
}

export interface MailFigures {
  mails: number;
  distinct: number;
  duplicates: number;
  lost: string[];
  unknown: string[];
}

/** Exactly-once figures: by the call-in header, checked against the idempotency key header and subject. */
export function mailFigures(mails: SentMail[], confirmed: Set<string>): MailFigures {
  const seen = new Map<string, number>();
  for (const m of mails) {
    const h = (name: string): string | undefined => m.internetMessageHeaders.find((x) => x.name.toLowerCase() === name)?.value;
    const id = h('x-trygghetsjouren-callin') ?? /\[TJ-([A-Za-z0-9]+)\]/.exec(m.subject)?.[1] ?? `?${m.id}`;
    const key = h('x-trygghetsjouren-key');
    if (key && key !== `notice:${id}:new`) {
      throw new Error(`mail ${m.id}: header key ${key} does not match call-in ${id}`);
    }
    if (!m.subject.includes(`[TJ-${id}]`)) {
      throw new Error(`mail ${m.id}: subject ${m.subject} lacks [TJ-${id}]`);
    }
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const n of seen.values()) {
    duplicates += n - 1;
  }
  return {
    mails: mails.length,
    distinct: seen.size,
    duplicates,
    lost: [...confirmed].filter((id) => !seen.has(id)),
    unknown: [...seen.keys()].filter((id) => !confirmed.has(id))
  };
}

/** Waits until every confirmed call-in has a mail (or the timeout). */
export async function waitForMails(tenant: RunningTenant, confirmed: Set<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (mailFigures(tenant.mail(), confirmed).lost.length === 0) {
      return;
    }
    await sleep(200);
  }
}
