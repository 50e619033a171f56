/**
 * The one migration set (PostgreSQL SQL that runs on PGlite 18 and on servers from 15). Applied in
 * order under an advisory lock, so several instances starting at once apply each migration once.
 * Version ranges by owner: 1–9 foundation, 10–19 call-ins, 20–29 permission sync, 30+ later.
 * Never edit an applied migration: add a new one.
 */
import type { Db } from './db';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'bot state, key-value, conversation references',
    sql: `
      create table bot_state (
        key text primary key,
        doc jsonb not null,
        etag text not null,
        updated_at timestamptz not null default now()
      );
      create table kv (
        key text primary key,
        value text not null,
        updated_at timestamptz not null default now()
      );
      create table conversation_refs (
        user_id text primary key,
        ref jsonb not null,
        locale text,
        is_admin boolean not null default false,
        updated_at timestamptz not null default now()
      );`
  },
  {
    version: 2,
    name: 'outbox',
    sql: `
      create table outbox (
        id bigserial primary key,
        idempotency_key text not null unique,
        kind text not null,
        payload jsonb not null,
        status text not null default 'pending' check (status in ('pending', 'done', 'dead')),
        attempts integer not null default 0,
        max_attempts integer not null,
        next_attempt_at timestamptz not null default now(),
        lease_token text,
        lease_until timestamptz,
        last_error text,
        result jsonb,
        created_at timestamptz not null default now(),
        done_at timestamptz
      );
      create index outbox_due on outbox (next_attempt_at) where status = 'pending';`
  },
  {
    version: 10,
    name: 'call-ins: log, events, reminders',
    sql: `
      create table call_ins (
        id text primary key,
        flow_id text not null unique,
        status text not null check (status in ('confirmed', 'corrected', 'cancelled')),
        version integer not null default 1,
        unit_id text not null,
        unit_name text not null,
        dg_address text,
        shift_date text not null,
        start_time text not null,
        end_time text not null,
        shift_start timestamptz not null,
        shift_end timestamptz not null,
        absent jsonb not null,
        ordered_in jsonb not null,
        working jsonb not null default '[]',
        on_leave jsonb not null default '[]',
        calls jsonb not null default '[]',
        choices jsonb not null default '[]',
        decided_by_id text not null,
        decided_by_name text,
        decided_at timestamptz not null,
        conversation_ref jsonb,
        receipt_activity_id text,
        locale text,
        notice_sent_at timestamptz,
        notice_failed_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index call_ins_unit_shift on call_ins (unit_id, shift_start);
      create index call_ins_decided_at on call_ins (decided_at);
      create table call_in_events (
        id bigserial primary key,
        call_in_id text not null references call_ins (id) on delete cascade,
        kind text not null check (kind in ('created', 'corrected', 'cancelled', 'notice_sent', 'notice_failed')),
        reason text,
        actor_id text,
        actor_name text,
        at timestamptz not null,
        data jsonb
      );
      create index call_in_events_call_in on call_in_events (call_in_id, id);
      create table callin_reminders (
        flow_id text primary key,
        user_id text not null,
        conversation_ref jsonb not null,
        locale text,
        text text not null,
        due_at timestamptz not null,
        status text not null check (status in ('pending', 'sent', 'resolved')),
        sent_at timestamptz
      );
      create index callin_reminders_due on callin_reminders (due_at) where status = 'pending';`
  },
  {
    version: 11,
    name: 'reminder delivery attempts',
    sql: `
      alter table callin_reminders add column attempts integer not null default 0;`
  },
  {
    version: 20,
    name: 'permission sync: managed grants, unit state, runs, steps, manual tasks',
    sql: `
      create table sync_managed_grants (
        unit_id text not null,
        kind text not null check (kind in ('folder', 'group')),
        user_id text not null,
        email text not null,
        permission_id text,
        granted_at timestamptz not null default now(),
        primary key (unit_id, kind, user_id)
      );
      create table sync_units (
        unit_id text primary key,
        name text,
        folder text,
        dg_address text,
        former_managers jsonb not null default '[]',
        updated_at timestamptz not null default now()
      );
      create table sync_runs (
        id bigserial primary key,
        instance text not null,
        trigger text not null check (trigger in ('notification', 'reconcile', 'cli', 'admin')),
        dry_run boolean not null,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        units integer not null default 0,
        grants integer not null default 0,
        revocations integer not null default 0,
        manual_tasks integer not null default 0,
        failures integer not null default 0,
        reports_needing_human integer not null default 0,
        stopped_reason text,
        needs_human boolean not null default false,
        summary text,
        unit_ids jsonb not null default '[]'
      );
      create table sync_steps (
        id bigserial primary key,
        run_id bigint not null references sync_runs (id) on delete cascade,
        unit_id text not null,
        action text not null,
        target text,
        person_id text,
        person_email text,
        result text not null check (result in ('ok', 'failed', 'skipped')),
        error text,
        at timestamptz not null default now()
      );
      create index sync_steps_run on sync_steps (run_id, unit_id);
      create table sync_manual_tasks (
        id bigserial primary key,
        unit_id text not null,
        action text not null check (action in ('addMember', 'removeMember')),
        group_address text not null,
        person_email text not null,
        text text not null,
        first_seen_run bigint not null,
        last_seen_run bigint not null,
        done_at timestamptz
      );
      create index sync_manual_tasks_open on sync_manual_tasks (unit_id) where done_at is null;`
  }
];

/** A 64-bit key for pg_advisory_lock: "tjbotmig". */
const MIGRATION_LOCK = 7335531238459173223n;

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  return db.session(async (s) => {
    await s.query('select pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await s.query(
        'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())'
      );
      const done = new Set((await s.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) {
          continue;
        }
        await s.query('begin');
        try {
          for (const stmt of splitStatements(m.sql)) {
            await s.query(stmt);
          }
          await s.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
          await s.query('commit');
        } catch (err) {
          await s.query('rollback');
          throw new Error(`Migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await s.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  });
}

/** Splits on semicolons at line ends; migrations keep one statement per `;\n` and no dollar quoting. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}
