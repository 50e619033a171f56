/**
 * Documents by key with eTag optimistic concurrency: the persistence behind the bot's conversation and
 * user state (bot/storage.ts adapts it to botbuilder's `Storage`). Semantics follow botbuilder's
 * MemoryStorage: a write with no eTag or '*' overwrites; a write with an eTag succeeds only if it
 * matches the stored one; each write gets a new eTag.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from './db';

export class ETagConflictError extends Error {
  constructor(public readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

export type StateDoc = Record<string, unknown> & { eTag?: string };

export class StateStore {
  constructor(private readonly sql: Sql) {}

  async read(keys: string[]): Promise<Record<string, StateDoc>> {
    if (keys.length === 0) {
      return {};
    }
    const r = await this.sql.query<{ key: string; doc: StateDoc; etag: string }>(
      'select key, doc, etag from bot_state where key = any($1::text[])',
      [keys]
    );
    const out: Record<string, StateDoc> = {};
    for (const row of r.rows) {
      out[row.key] = { ...row.doc, eTag: row.etag };
    }
    return out;
  }

  /** @throws ETagConflictError when a given eTag does not match. */
  async write(changes: Record<string, StateDoc>): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      const { eTag, ...doc } = value;
      const next = randomUUID();
      const json = JSON.stringify(doc);
      if (!eTag || eTag === '*') {
        await this.sql.query(
          `insert into bot_state (key, doc, etag) values ($1, $2::jsonb, $3)
           on conflict (key) do update set doc = excluded.doc, etag = excluded.etag, updated_at = now()`,
          [key, json, next]
        );
        continue;
      }
      const upd = await this.sql.query('update bot_state set doc = $2::jsonb, etag = $3, updated_at = now() where key = $1 and etag = $4', [
        key,
        json,
        next,
        eTag
      ]);
      if (upd.rowCount === 1) {
        continue;
      }
      // No row with that eTag: either it changed (conflict) or it was never stored (first write wins).
      const ins = await this.sql.query('insert into bot_state (key, doc, etag) values ($1, $2::jsonb, $3) on conflict (key) do nothing', [
        key,
        json,
        next
      ]);
      if (ins.rowCount !== 1) {
        throw new ETagConflictError(key);
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) {
      await this.sql.query('delete from bot_state where key = any($1::text[])', [keys]);
    }
  }
}

/** Small key-value store: Graph delta links, subscription ids, and other bookkeeping. */
export class KeyValueStore {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.sql.query<{ value: string }>('select value from kv where key = $1', [key]);
    return r.rows[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.query(
      'insert into kv (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value, updated_at = now()',
      [key, value]
    );
  }

  async delete(key: string): Promise<void> {
    await this.sql.query('delete from kv where key = $1', [key]);
  }
}
