/**
 * One small adapter over PostgreSQL: the embedded PGlite (default, a data folder) or a `pg` pool
 * (DATABASE_URL). Both give the same interface. Calling the outer handle from inside a transaction is
 * an error, not a deadlock (PGlite is single-connection, so it would hang; with a pool it would run
 * outside the transaction): an AsyncLocalStorage marks the transaction's async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';
import { acquireDirLock } from './lockFile';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** What repositories use: a query runner, either the database or a transaction. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Several statements, no parameters: for migrations. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a transaction on its own handle; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs `fn` with a handle that is one session (for advisory locks held across statements). */
  session<T>(fn: (s: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class NestedTransactionError extends Error {
  constructor() {
    super('The outer database handle was used inside a transaction: use the transaction handle (tx) instead.');
    this.name = 'NestedTransactionError';
  }
}

const inTx = new AsyncLocalStorage<boolean>();

function guard(): void {
  if (inTx.getStore()) {
    throw new NestedTransactionError();
  }
}

/**
 * A fresh PGlite cluster costs an initdb (about 3 s and a burst of memory here). The first one a
 * process makes is dumped and reused for every later fresh cluster (memory or a new folder): loading
 * the dump takes about 1 s. The dump is also kept in the OS temp folder, keyed by PGlite's version,
 * so the next process skips initdb too. It holds an empty cluster: no data, nothing personal.
 */
let templatePromise: Promise<Blob | undefined> | undefined;

async function pgliteTemplate(Ctor: typeof PGlite): Promise<Blob | undefined> {
  templatePromise ??= (async () => {
    try {
      const pkg = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
      const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
      const file = path.join(os.tmpdir(), `trygghetsjouren-pglite-${version}.tar.gz`);
      if (fs.existsSync(file)) {
        // The temp folder is shared: trust only our own file that nobody else can have written.
        const st = fs.statSync(file);
        if (st.uid === process.getuid?.() && (st.mode & 0o022) === 0) {
          return new Blob([fs.readFileSync(file)]);
        }
      }
      const pg = await Ctor.create();
      const dump = await pg.dumpDataDir('gzip');
      await pg.close();
      const buf = Buffer.from(await dump.arrayBuffer());
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, buf, { mode: 0o600 });
      fs.renameSync(tmp, file);
      return new Blob([buf]);
    } catch {
      return undefined; // no template: plain initdb
    }
  })();
  return templatePromise;
}

function isFreshDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

/** Opens the embedded store in `dataDir` (created if missing), holding its lock file; `':memory:'` for tests. */
export async function openPglite(dataDir: string): Promise<Db> {
  const memory = dataDir === ':memory:';
  const dir = memory ? '' : path.resolve(dataDir);
  const release = memory ? () => undefined : acquireDirLock(dir);
  let pg: PGlite;
  try {
    const { PGlite: Ctor } = await import('@electric-sql/pglite');
    const pgdata = path.join(dir, 'pgdata');
    const fresh = memory || isFreshDir(pgdata);
    const loadDataDir = fresh ? await pgliteTemplate(Ctor as unknown as typeof PGlite) : undefined;
    pg = (await (memory ? Ctor.create({ loadDataDir }) : Ctor.create(pgdata, { loadDataDir }))) as unknown as PGlite;
  } catch (err) {
    release();
    throw err;
  }
  // PGlite runs one statement at a time; a session is the whole database while fn runs.
  let sessionChain: Promise<unknown> = Promise.resolve();
  const db: Db = {
    kind: 'pglite',
    async query<T>(text: string, params?: unknown[]) {
      guard();
      const r = await pg.query<T>(text, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      guard();
      await pg.exec(sql);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      guard();
      return pg.transaction(async (t) => {
        const tx: Sql = {
          async query<R>(text: string, params?: unknown[]) {
            const r = await t.query<R>(text, params as unknown[] | undefined);
            return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
          }
        };
        return inTx.run(true, () => fn(tx));
      });
    },
    async session<T>(fn: (s: Sql) => Promise<T>) {
      guard();
      const run = sessionChain.then(() => fn(db));
      sessionChain = run.catch(() => undefined);
      return run;
    },
    async close() {
      try {
        await pg.close();
      } finally {
        release();
      }
    }
  };
  return db;
}

/** Opens a pool against a PostgreSQL server. */
export async function openPostgres(url: string, opts: { max?: number; schema?: string } = {}): Promise<Db> {
  const pool = new Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // A schema of its own (tests): every connection of the pool uses it.
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined
  });
  // A broken idle connection must not crash the process.
  pool.on('error', () => undefined);
  await pool.query('select 1');
  const wrap = (c: Pool | PoolClient): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      const r = await c.query(text, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    }
  });
  const outer = wrap(pool);
  return {
    kind: 'postgres',
    async query<T>(text: string, params?: unknown[]) {
      guard();
      return outer.query<T>(text, params);
    },
    async exec(sql: string) {
      guard();
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      guard();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await inTx.run(true, () => fn(wrap(client)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async session<T>(fn: (s: Sql) => Promise<T>) {
      guard();
      const client = await pool.connect();
      try {
        return await fn(wrap(client));
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    }
  };
}

export async function openDb(opts: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
