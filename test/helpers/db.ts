/**
 * Store targets for the store suite: PGlite always, and a real PostgreSQL server when
 * TEST_DATABASE_URL is set. In CI (CI=true) a missing TEST_DATABASE_URL is a failure, not a skip.
 * Each opened PostgreSQL handle gets a schema of its own, so suites do not see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { openPglite, openPostgres, type Db } from '../../store/db';
import { migrate } from '../../store/migrations';

export interface StoreTarget {
  name: string;
  /** Opens a migrated, empty store. */
  open(): Promise<Db>;
  /** A second handle on the same database (PostgreSQL only; for concurrency tests). */
  openAnother?(db: Db): Promise<Db>;
}

const schemas = new WeakMap<Db, string>();

export function storeTargets(): StoreTarget[] {
  const targets: StoreTarget[] = [
    {
      name: 'PGlite',
      async open() {
        const db = await openPglite(':memory:');
        await migrate(db);
        return db;
      }
    }
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    targets.push({
      name: 'PostgreSQL',
      async open() {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        const admin = new Pool({ connectionString: url, max: 1 });
        await admin.query(`create schema ${schema}`);
        await admin.end();
        const db = await openPostgres(url, { schema });
        schemas.set(db, schema);
        await migrate(db);
        return db;
      },
      async openAnother(db: Db) {
        const schema = schemas.get(db);
        return openPostgres(url, { schema });
      }
    });
  } else if (process.env.CI === 'true') {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL store suite must run in CI.');
  } else {
    console.warn('  [store] TEST_DATABASE_URL not set: PostgreSQL targets SKIPPED (PGlite only).');
  }
  return targets;
}
