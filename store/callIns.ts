/**
 * The call-in log: one row per confirmed call-in (`call_ins`) and its history (`call_in_events`:
 * created, corrected with a reason, cancelled, notice sent / failed), plus the reminders of
 * absences that were reported but not yet filled (`callin_reminders`). Rows hold staff names (the
 * log needs them) but never phone numbers; `purge` enforces the retention period.
 * Writes that belong to a business decision take the caller's transaction (`tx`).
 */
import { randomBytes } from 'node:crypto';
import type { Db, Sql } from './db';

export type CallInStatus = 'confirmed' | 'corrected' | 'cancelled';
export type CallInEventKind = 'created' | 'corrected' | 'cancelled' | 'notice_sent' | 'notice_failed';

export interface PersonOnCallIn {
  staffId?: string;
  name: string;
  unitId?: string;
  unitName?: string;
}

export interface RecordedCall {
  staffId: string;
  name: string;
  unitName?: string;
  outcome: 'accepted' | 'declined' | 'no_answer';
  /** ISO instant. */
  at: string;
}

export interface CallInRecord {
  id: string;
  flowId: string;
  status: CallInStatus;
  version: number;
  unitId: string;
  unitName: string;
  dgAddress?: string;
  shiftDate: string;
  startTime: string;
  endTime: string;
  shiftStart: Date;
  shiftEnd: Date;
  absent: PersonOnCallIn & { reason: string };
  orderedIn: PersonOnCallIn[];
  working: string[];
  onLeave: string[];
  calls: RecordedCall[];
  /** Everyone who could have been chosen (for a correction of who was ordered in). */
  choices: PersonOnCallIn[];
  decidedById: string;
  decidedByName?: string;
  decidedAt: Date;
  conversationRef?: unknown;
  receiptActivityId?: string;
  locale?: string;
  noticeSentAt?: Date;
  noticeFailedAt?: Date;
}

export type NewCallIn = Omit<CallInRecord, 'id' | 'status' | 'version' | 'noticeSentAt' | 'noticeFailedAt'> & { id?: string };

export interface CallInEvent {
  kind: CallInEventKind;
  reason?: string;
  actorId?: string;
  actorName?: string;
  at: Date;
  data?: unknown;
}

export interface Reminder {
  flowId: string;
  userId: string;
  conversationRef: unknown;
  locale?: string;
  text: string;
  dueAt: Date;
}

interface Row {
  id: string;
  flow_id: string;
  status: CallInStatus;
  version: number;
  unit_id: string;
  unit_name: string;
  dg_address: string | null;
  shift_date: string;
  start_time: string;
  end_time: string;
  shift_start: Date | string;
  shift_end: Date | string;
  absent: CallInRecord['absent'];
  ordered_in: PersonOnCallIn[];
  working: string[];
  on_leave: string[];
  calls: RecordedCall[];
  choices: PersonOnCallIn[];
  decided_by_id: string;
  decided_by_name: string | null;
  decided_at: Date | string;
  conversation_ref: unknown;
  receipt_activity_id: string | null;
  locale: string | null;
  notice_sent_at: Date | string | null;
  notice_failed_at: Date | string | null;
}

const d = (v: Date | string): Date => new Date(v);

function toRecord(r: Row): CallInRecord {
  return {
    id: r.id,
    flowId: r.flow_id,
    status: r.status,
    version: r.version,
    unitId: r.unit_id,
    unitName: r.unit_name,
    dgAddress: r.dg_address ?? undefined,
    shiftDate: r.shift_date,
    startTime: r.start_time,
    endTime: r.end_time,
    shiftStart: d(r.shift_start),
    shiftEnd: d(r.shift_end),
    absent: r.absent,
    orderedIn: r.ordered_in,
    working: r.working,
    onLeave: r.on_leave,
    calls: r.calls,
    choices: r.choices,
    decidedById: r.decided_by_id,
    decidedByName: r.decided_by_name ?? undefined,
    decidedAt: d(r.decided_at),
    conversationRef: r.conversation_ref ?? undefined,
    receiptActivityId: r.receipt_activity_id ?? undefined,
    locale: r.locale ?? undefined,
    noticeSentAt: r.notice_sent_at ? d(r.notice_sent_at) : undefined,
    noticeFailedAt: r.notice_failed_at ? d(r.notice_failed_at) : undefined
  };
}

/** A short id people can read aloud and search for in Outlook ("TJ-7KQ3M2XA"). */
export function newCallInId(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(8);
  let s = '';
  for (const b of bytes) {
    s += alphabet[b % alphabet.length];
  }
  return s;
}

const j = (v: unknown): string => JSON.stringify(v ?? null);

export class CallIns {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a confirmed call-in with its `created` event (and resolves the flow's reminder, see
   * {@link create}). Returns the new id, or undefined when the flow was already confirmed (a
   * replayed or double-clicked confirm): nothing is written.
   */
  async insert(tx: Sql, c: NewCallIn): Promise<string | undefined> {
    return (await this.create(tx, c))?.id;
  }

  /**
   * As {@link insert}, returning the stored record; the flow's pending reminder (its absence is now
   * filled) is resolved with it. One statement (data-modifying CTEs) where insert, event, get and
   * resolve took four. Nothing at all is written when the flow was already confirmed.
   */
  async create(tx: Sql, c: NewCallIn): Promise<CallInRecord | undefined> {
    const id = c.id ?? newCallInId();
    const r = await tx.query<Row>(
      `with ins as (
         insert into call_ins (id, flow_id, status, version, unit_id, unit_name, dg_address, shift_date, start_time, end_time,
           shift_start, shift_end, absent, ordered_in, working, on_leave, calls, choices, decided_by_id, decided_by_name, decided_at,
           conversation_ref, receipt_activity_id, locale)
         values ($1, $2, 'confirmed', 1, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14::jsonb, $15::jsonb,
           $16::jsonb, $17, $18, $19, $20::jsonb, $21, $22)
         on conflict (flow_id) do nothing
         returning *),
       ev as (
         insert into call_in_events (call_in_id, kind, reason, actor_id, actor_name, at, data)
         select id, 'created', null, decided_by_id, decided_by_name, decided_at, 'null'::jsonb from ins),
       reminder as (
         update callin_reminders set status = 'resolved' where flow_id = (select flow_id from ins) and status = 'pending')
       select * from ins`,
      [
        id,
        c.flowId,
        c.unitId,
        c.unitName,
        c.dgAddress ?? null,
        c.shiftDate,
        c.startTime,
        c.endTime,
        c.shiftStart.toISOString(),
        c.shiftEnd.toISOString(),
        j(c.absent),
        j(c.orderedIn),
        j(c.working),
        j(c.onLeave),
        j(c.calls),
        j(c.choices),
        c.decidedById,
        c.decidedByName ?? null,
        c.decidedAt.toISOString(),
        j(c.conversationRef),
        c.receiptActivityId ?? null,
        c.locale ?? null
      ]
    );
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  async addEvent(tx: Sql, callInId: string, e: CallInEvent): Promise<void> {
    await tx.query(
      'insert into call_in_events (call_in_id, kind, reason, actor_id, actor_name, at, data) values ($1, $2, $3, $4, $5, $6, $7::jsonb)',
      [callInId, e.kind, e.reason ?? null, e.actorId ?? null, e.actorName ?? null, e.at.toISOString(), j(e.data)]
    );
  }

  async get(id: string, sql: Sql = this.db): Promise<CallInRecord | undefined> {
    const r = await sql.query<Row>('select * from call_ins where id = $1', [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  async byFlowId(flowId: string): Promise<CallInRecord | undefined> {
    const r = await this.db.query<Row>('select * from call_ins where flow_id = $1', [flowId]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  async events(id: string): Promise<CallInEvent[]> {
    const r = await this.db.query<{ kind: CallInEventKind; reason: string | null; actor_id: string | null; actor_name: string | null; at: Date | string; data: unknown }>(
      'select kind, reason, actor_id, actor_name, at, data from call_in_events where call_in_id = $1 order by id',
      [id]
    );
    return r.rows.map((e) => ({
      kind: e.kind,
      reason: e.reason ?? undefined,
      actorId: e.actor_id ?? undefined,
      actorName: e.actor_name ?? undefined,
      at: d(e.at),
      data: e.data ?? undefined
    }));
  }

  /** Call-ins decided from `since` (inclusive), newest first. */
  async decidedSince(since: Date, limit = 50): Promise<CallInRecord[]> {
    const r = await this.db.query<Row>('select * from call_ins where decided_at >= $1 order by decided_at desc limit $2', [since.toISOString(), limit]);
    return r.rows.map(toRecord);
  }

  /** The log: a unit's call-ins, for one shift date when given, newest first. */
  async search(unitId: string, shiftDate?: string, limit = 20): Promise<CallInRecord[]> {
    const r = await this.db.query<Row>(
      `select * from call_ins where unit_id = $1 and ($2::text is null or shift_date = $2) order by shift_start desc, decided_at desc limit $3`,
      [unitId, shiftDate ?? null, limit]
    );
    return r.rows.map(toRecord);
  }

  /**
   * Applies a correction if the call-in is still at `expectedVersion` and not cancelled. Returns the
   * new version, or undefined when someone else changed it first (stale) or it is cancelled.
   */
  async correct(
    tx: Sql,
    id: string,
    expectedVersion: number,
    change: Pick<CallInRecord, 'shiftDate' | 'startTime' | 'endTime' | 'shiftStart' | 'shiftEnd' | 'orderedIn'>,
    event: Omit<CallInEvent, 'kind'>
  ): Promise<number | undefined> {
    const r = await tx.query<{ version: number }>(
      `update call_ins set status = 'corrected', version = version + 1, shift_date = $3, start_time = $4, end_time = $5,
         shift_start = $6, shift_end = $7, ordered_in = $8::jsonb, updated_at = now()
       where id = $1 and version = $2 and status <> 'cancelled' returning version`,
      [id, expectedVersion, change.shiftDate, change.startTime, change.endTime, change.shiftStart.toISOString(), change.shiftEnd.toISOString(), j(change.orderedIn)]
    );
    const v = r.rows[0]?.version;
    if (v === undefined) {
      return undefined;
    }
    await this.addEvent(tx, id, { ...event, kind: 'corrected' });
    return v;
  }

  /** Cancels if still at `expectedVersion` and not cancelled; returns the new version or undefined. */
  async cancel(tx: Sql, id: string, expectedVersion: number, event: Omit<CallInEvent, 'kind'>): Promise<number | undefined> {
    const r = await tx.query<{ version: number }>(
      `update call_ins set status = 'cancelled', version = version + 1, updated_at = now()
       where id = $1 and version = $2 and status <> 'cancelled' returning version`,
      [id, expectedVersion]
    );
    const v = r.rows[0]?.version;
    if (v === undefined) {
      return undefined;
    }
    await this.addEvent(tx, id, { ...event, kind: 'cancelled' });
    return v;
  }

  /**
   * Shifts people were ordered in to (not cancelled) that overlap [from, to]: what the bot knows of
   * their working time, for the working-time warnings.
   */
  async orderedInShifts(from: Date, to: Date): Promise<Array<{ person: PersonOnCallIn; start: Date; end: Date; callInId: string }>> {
    const r = await this.db.query<{ id: string; ordered_in: PersonOnCallIn[]; shift_start: Date | string; shift_end: Date | string }>(
      `select id, ordered_in, shift_start, shift_end from call_ins where status <> 'cancelled' and shift_end >= $1 and shift_start <= $2`,
      [from.toISOString(), to.toISOString()]
    );
    return r.rows.flatMap((row) => row.ordered_in.map((person) => ({ person, start: d(row.shift_start), end: d(row.shift_end), callInId: row.id })));
  }

  async setReceiptActivity(id: string, activityId: string): Promise<void> {
    await this.db.query('update call_ins set receipt_activity_id = $2 where id = $1', [id, activityId]);
  }

  /**
   * Records that a notice went out (`key` = the outbox key); the first notice also stamps the row.
   * One statement (the stamp in a data-modifying CTE, which runs whether or not it is read), so
   * both or neither are written without a transaction of its own.
   */
  async noticeSent(id: string, key: string, at: Date, first: boolean): Promise<void> {
    await this.db.query(
      `with stamp as (update call_ins set notice_sent_at = coalesce(notice_sent_at, $2) where id = $1 and $3::boolean returning id)
       insert into call_in_events (call_in_id, kind, at, data) values ($1, 'notice_sent', $2, $4::jsonb)`,
      [id, at.toISOString(), first, j({ key })]
    );
  }

  async noticeFailed(id: string, key: string, at: Date, error: string, first: boolean): Promise<void> {
    await this.db.query(
      `with stamp as (update call_ins set notice_failed_at = $2 where id = $1 and $3::boolean returning id)
       insert into call_in_events (call_in_id, kind, at, data) values ($1, 'notice_failed', $2, $4::jsonb)`,
      [id, at.toISOString(), first, j({ key, error: error.slice(0, 500) })]
    );
  }

  /** Deletes call-ins (and their events) decided before `before`; returns how many. */
  async purge(before: Date): Promise<number> {
    const r = await this.db.query('delete from call_ins where decided_at < $1', [before.toISOString()]);
    return r.rowCount;
  }

  /* ---------- reminders of unfilled absences ---------- */

  /** Schedules (or reschedules) the reminder of a flow. */
  async scheduleReminder(r: Reminder, sql: Sql = this.db): Promise<void> {
    await sql.query(
      `insert into callin_reminders (flow_id, user_id, conversation_ref, locale, text, due_at, status)
       values ($1, $2, $3::jsonb, $4, $5, $6, 'pending')
       on conflict (flow_id) do update set conversation_ref = excluded.conversation_ref, locale = excluded.locale, text = excluded.text,
         due_at = excluded.due_at where callin_reminders.status = 'pending'`,
      [r.flowId, r.userId, j(r.conversationRef), r.locale ?? null, r.text, r.dueAt.toISOString()]
    );
  }

  /** The absence was filled or abandoned: no reminder. */
  async resolveReminder(flowId: string, sql: Sql = this.db): Promise<void> {
    await sql.query(`update callin_reminders set status = 'resolved' where flow_id = $1 and status = 'pending'`, [flowId]);
  }

  /**
   * Claims due reminders: each is marked sent before it is delivered, so a reminder goes out at
   * most once even with several instances (the update is the claim).
   */
  async claimDueReminders(now: Date, limit = 20): Promise<Reminder[]> {
    const r = await this.db.query<{ flow_id: string; user_id: string; conversation_ref: unknown; locale: string | null; text: string; due_at: Date | string }>(
      `update callin_reminders set status = 'sent', sent_at = $1, attempts = attempts + 1
       where flow_id in (select flow_id from callin_reminders where status = 'pending' and due_at <= $1 order by due_at limit $2 for update skip locked)
       returning flow_id, user_id, conversation_ref, locale, text, due_at`,
      [now.toISOString(), limit]
    );
    return r.rows.map((x) => ({
      flowId: x.flow_id,
      userId: x.user_id,
      conversationRef: x.conversation_ref,
      locale: x.locale ?? undefined,
      text: x.text,
      dueAt: d(x.due_at)
    }));
  }

  /**
   * A claimed reminder whose delivery failed goes back to pending, due at `retryAt`, unless it has
   * had `maxAttempts` deliveries already or was resolved meanwhile. Returns whether it will be retried.
   */
  async releaseReminder(flowId: string, retryAt: Date, maxAttempts = 3): Promise<boolean> {
    const r = await this.db.query(
      `update callin_reminders set status = 'pending', due_at = $2, sent_at = null
       where flow_id = $1 and status = 'sent' and attempts < $3`,
      [flowId, retryAt.toISOString(), maxAttempts]
    );
    return r.rowCount === 1;
  }

  async reminderStatus(flowId: string): Promise<string | undefined> {
    const r = await this.db.query<{ status: string }>('select status from callin_reminders where flow_id = $1', [flowId]);
    return r.rows[0]?.status;
  }
}

const MAX_SAVED_REFS = 10_000;

/** Conversation references of users, for proactive messages (reminders, alerts to administrators). */
export class ConversationRefs {
  /**
   * What this instance last saved per user (the reference without its activityId, the locale, the
   * admin flag): a message turn that would write the same row again writes nothing. The activityId
   * changes with every message but a proactive message does not need a current one, so the row
   * keeps the first of an unchanged run. Per instance: another instance's write in between is one
   * of the same user's valid references as well, and this instance writes again as soon as anything
   * it would store changes.
   */
  private readonly saved = new Map<string, string>();

  constructor(private readonly db: Sql) {}

  async save(userId: string, ref: unknown, locale: string | undefined, isAdmin: boolean): Promise<void> {
    const { activityId: _activityId, ...rest } = (ref && typeof ref === 'object' ? ref : { ref }) as Record<string, unknown>;
    const hash = JSON.stringify([rest, locale ?? null, isAdmin]);
    if (this.saved.get(userId) === hash) {
      return;
    }
    await this.db.query(
      `insert into conversation_refs (user_id, ref, locale, is_admin) values ($1, $2::jsonb, $3, $4)
       on conflict (user_id) do update set ref = excluded.ref, locale = excluded.locale, is_admin = excluded.is_admin, updated_at = now()`,
      [userId, j(ref), locale ?? null, isAdmin]
    );
    if (this.saved.size >= MAX_SAVED_REFS) {
      this.saved.clear();
    }
    this.saved.set(userId, hash);
  }

  async admins(): Promise<Array<{ userId: string; ref: unknown; locale?: string }>> {
    const r = await this.db.query<{ user_id: string; ref: unknown; locale: string | null }>('select user_id, ref, locale from conversation_refs where is_admin');
    return r.rows.map((x) => ({ userId: x.user_id, ref: x.ref, locale: x.locale ?? undefined }));
  }
}
