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
