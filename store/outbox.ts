/**
 * The transactional outbox. A notice is enqueued in the same transaction as the business change that
 * causes it, under a unique idempotency key (enqueueing twice is a no-op). Workers claim due rows with
 * `FOR UPDATE SKIP LOCKED` and a lease; completion and failure are fenced by the claim's token, so a
 * worker whose lease ran out cannot overwrite the row another worker now holds. Handlers run outside
 * any transaction. After the last attempt a row is `dead` and the `onDead` hook alerts.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Sql } from './db';

export interface OutboxRow<P = unknown> {
  id: string;
  idempotencyKey: string;
  kind: string;
  payload: P;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date;
  leaseToken?: string;
  lastError?: string;
  result?: unknown;
  createdAt: Date;
  doneAt?: Date;
}

export interface OutboxOptions {
  maxAttempts: number;
  leaseSeconds: number;
  /** Backoff base and cap in ms; attempt n waits about base·2^(n-1), capped, with full jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
}

interface RowRecord {
  id: string;
  idempotency_key: string;
  kind: string;
  payload: unknown;
  status: OutboxRow['status'];
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | string;
  lease_token: string | null;
  last_error: string | null;
  result: unknown;
  created_at: Date | string;
  done_at: Date | string | null;
}

function toRow<P>(r: RowRecord): OutboxRow<P> {
  return {
    id: String(r.id),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    payload: r.payload as P,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: new Date(r.next_attempt_at),
    leaseToken: r.lease_token ?? undefined,
    lastError: r.last_error ?? undefined,
    result: r.result ?? undefined,
    createdAt: new Date(r.created_at),
    doneAt: r.done_at ? new Date(r.done_at) : undefined
  };
}

/** A claim: the row plus the token that fences completion. */
export interface Claim<P = unknown> {
  row: OutboxRow<P>;
  token: string;
}

export class Outbox {
  private readonly base: number;
  private readonly cap: number;
  private readonly random: () => number;

  constructor(private readonly db: Db, private readonly opts: OutboxOptions) {
    this.base = opts.backoffBaseMs ?? 2000;
    this.cap = opts.backoffCapMs ?? 5 * 60_000;
    this.random = opts.random ?? Math.random;
  }

  /**
   * Enqueues inside the caller's transaction. Returns false when the key was already enqueued
   * (a replay): nothing is added.
   */
  async enqueue(tx: Sql, item: { idempotencyKey: string; kind: string; payload: unknown; maxAttempts?: number }): Promise<boolean> {
    const r = await tx.query(
      `insert into outbox (idempotency_key, kind, payload, max_attempts) values ($1, $2, $3::jsonb, $4)
       on conflict (idempotency_key) do nothing`,
      [item.idempotencyKey, item.kind, JSON.stringify(item.payload), item.maxAttempts ?? this.opts.maxAttempts]
    );
    return r.rowCount === 1;
  }

  /** Claims up to `limit` due rows for this worker. Attempts count from the claim. */
  async claim<P = unknown>(limit: number, kinds?: string[]): Promise<Array<Claim<P>>> {
    const token = randomUUID();
    const r = await this.db.query<RowRecord>(
      `update outbox set lease_token = $1, lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
       where id in (
         select id from outbox
         where status = 'pending' and next_attempt_at <= now()
           and (lease_until is null or lease_until < now())
           and ($4::text[] is null or kind = any($4::text[]))
         order by next_attempt_at, id
         for update skip locked
         limit $3)
       returning *`,
      [token, this.opts.leaseSeconds, limit, kinds ?? null]
    );
    return r.rows.map((row) => ({ row: toRow<P>(row), token }));
  }

  /**
   * Extends a claim's lease (the worker's heartbeat while a handler runs, so a slow handler is not
   * mistaken for a dead one). Returns false when the claim was lost.
   */
  async extend(claim: Claim): Promise<boolean> {
    const r = await this.db.query(
      `update outbox set lease_until = now() + make_interval(secs => $3)
       where id = $1 and lease_token = $2 and status = 'pending'`,
      [claim.row.id, claim.token, this.opts.leaseSeconds]
    );
    return r.rowCount === 1;
  }

  /** Lease length in seconds (for the worker's heartbeat). */
  get leaseSeconds(): number {
    return this.opts.leaseSeconds;
  }

  /** Marks a claimed row done. Returns false when the claim was lost (lease expired and re-claimed). */
  async complete(claim: Claim, result?: unknown): Promise<boolean> {
    const r = await this.db.query(
      `update outbox set status = 'done', done_at = now(), lease_token = null, lease_until = null, result = $3::jsonb, last_error = null
       where id = $1 and lease_token = $2 and status = 'pending'`,
      [claim.row.id, claim.token, result === undefined ? null : JSON.stringify(result)]
    );
    return r.rowCount === 1;
  }

  /**
   * Records a failed attempt: schedules the next one with capped, jittered backoff (or at `retryAt`
   * when the far side said when, e.g. Retry-After), or marks the row dead after its last attempt or
   * when `permanent`. Returns the row's new state, or undefined when the claim was lost.
   */
  async fail(claim: Claim, error: string, opts: { permanent?: boolean; retryAt?: Date } = {}): Promise<OutboxRow | undefined> {
    const attempts = claim.row.attempts;
    const dead = opts.permanent === true || attempts >= claim.row.maxAttempts;
    const delay = Math.round(this.random() * Math.min(this.cap, this.base * 2 ** Math.max(0, attempts - 1)));
    const at = opts.retryAt && opts.retryAt.getTime() > Date.now() + delay ? opts.retryAt : new Date(Date.now() + delay);
    const r = await this.db.query<RowRecord>(
      `update outbox set status = $3, next_attempt_at = $4, last_error = $5, lease_token = null, lease_until = null
       where id = $1 and lease_token = $2 and status = 'pending' returning *`,
      [claim.row.id, claim.token, dead ? 'dead' : 'pending', at.toISOString(), error.slice(0, 2000)]
    );
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async get(idempotencyKey: string): Promise<OutboxRow | undefined> {
    const r = await this.db.query<RowRecord>('select * from outbox where idempotency_key = $1', [idempotencyKey]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async counts(): Promise<Record<OutboxRow['status'], number>> {
    const r = await this.db.query<{ status: OutboxRow['status']; n: string }>('select status, count(*) as n from outbox group by status');
    const out = { pending: 0, done: 0, dead: 0 };
    for (const row of r.rows) {
      out[row.status] = Number(row.n);
    }
    return out;
  }
}

export interface OutboxHandlerResult {
  result?: unknown;
}

/** A handler's error can say whether to retry and when. */
export interface HandlerError extends Error {
  retryable?: boolean;
  retryAfterMs?: number;
}

/**
 * Polls the outbox and runs handlers by kind, keeping up to `concurrency` handlers in flight: a slot
 * that frees (one slow notice waiting out a Retry-After does not hold up the others) claims the next
 * due row at once. `stop()` stops claiming and waits for in-flight handlers (drain). One worker per
 * process; several processes share the table safely.
 */
export class OutboxWorker {
  private timer?: NodeJS.Timeout;
  private claiming = false;
  private inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly handlers: Record<string, (row: OutboxRow) => Promise<OutboxHandlerResult | void>>,
    private readonly opts: {
      pollMs: number;
      /** Handlers in flight at most; default 4 (Outlook allows 4 concurrent requests per mailbox). */
      batch?: number;
      onDead?: (row: OutboxRow) => Promise<void>;
      onDone?: (row: OutboxRow, result: unknown) => Promise<void>;
      onError?: (err: unknown) => void;
    }
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs one poll now (tests and the "kick" after an enqueue). */
  kick(): void {
    if (!this.stopped) {
      this.schedule(0);
    }
  }

  private schedule(ms: number): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      void this.tick();
    }, ms);
  }

  /** Claims due rows for the free slots and starts them; returns how many it claimed. */
  async tick(): Promise<number> {
    if (this.claiming || this.stopped) {
      return 0;
    }
    const free = (this.opts.batch ?? 4) - this.inflight.size;
    if (free <= 0) {
      return 0; // a finishing handler kicks the next claim
    }
    this.claiming = true;
    let claimed = 0;
    try {
      const claims = await this.outbox.claim(free, Object.keys(this.handlers));
      claimed = claims.length;
      for (const c of claims) {
        void this.track(this.runOne(c)).finally(() => this.kick());
      }
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.claiming = false;
      if (!this.stopped) {
        // Claimed a full set: there may be more due now; else wait for the poll (or a kick).
        this.schedule(claimed > 0 && claimed === free ? 0 : this.opts.pollMs);
      }
    }
    return claimed;
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    return p.finally(() => this.inflight.delete(p));
  }

  private async runOne(claim: Claim): Promise<void> {
    const handler = this.handlers[claim.row.kind];
    // Heartbeat: keep the lease while the handler runs (a notice waiting out Retry-Afters can take
    // longer than a lease); only a dead process lets it lapse, and then another worker takes over.
    const beat = setInterval(() => {
      this.outbox.extend(claim).then(
        (held) => {
          if (!held) {
            this.opts.onError?.(new Error(`outbox row ${claim.row.id}: lease lost while its handler ran`));
          }
        },
        (err) => this.opts.onError?.(err)
      );
    }, Math.max(500, (this.outbox.leaseSeconds * 1000) / 3));
    beat.unref();
    try {
      const out = await handler(claim.row);
      clearInterval(beat);
      const ok = await this.outbox.complete(claim, out?.result);
      if (ok && this.opts.onDone) {
        await this.opts.onDone(claim.row, out?.result);
      }
    } catch (err) {
      const e = err as HandlerError;
      const retryAt = e.retryAfterMs !== undefined ? new Date(Date.now() + e.retryAfterMs) : undefined;
      clearInterval(beat);
      const row = await this.outbox.fail(claim, e.message ?? String(err), { permanent: e.retryable === false, retryAt });
      if (row?.status === 'dead' && this.opts.onDead) {
        await this.opts.onDead(row).catch((hookErr) => this.opts.onError?.(hookErr));
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** Waits until the handlers in flight now (and any they kick off) have finished. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0 || this.claiming) {
      await Promise.allSettled([...this.inflight]);
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  /** Stops claiming and waits for in-flight handlers to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    while (this.inflight.size > 0 || this.claiming) {
      await Promise.allSettled([...this.inflight]);
      if (this.claiming) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
}
