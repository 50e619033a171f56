/**
 * DESIGN.md §7 scale-out: two sync runners on one store, only one runs at a time (advisory lock on
 * PostgreSQL; on PGlite, one process per data folder, the in-process guard). The other skips and
 * says so; its notification run retries and gets through once the lock is free.
 */
import assert from 'node:assert/strict';
import { createSync, withSyncLock, SYNC_LOCK_KEY, type Sync } from '../../../jobs/sync';
import { silentLogger } from '../../../logger';
import type { Db } from '../../../store/db';
import { storeTargets } from '../../helpers/db';
import { freshDb, graphFor, setManagers, waitFor, folderWriters, world, type SyncWorld } from './helpers';

interface Target {
  name: string;
  open(): Promise<{ a: Db; b: Db; close(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'PGlite',
    async open() {
      const db = await freshDb();
      return { a: db, b: db, close: async () => undefined };
    }
  },
  ...storeTargets()
    .filter((t) => t.openAnother)
    .map(
      (t): Target => ({
        name: t.name,
        async open() {
          const a = await t.open();
          const b = await t.openAnother!(a);
          return {
            a,
            b,
            async close() {
              await b.close();
              await a.close();
            }
          };
        }
      })
    )
];

for (const target of targets) {
  describe(`permission sync: one runner at a time (${target.name})`, () => {
    let w: SyncWorld;
    let dbs: { a: Db; b: Db; close(): Promise<void> };
    let one: Sync;
    let two: Sync;

    beforeEach(async () => {
      dbs = await target.open();
      w = await world({ notifications: false, db: dbs.a });
      const config = { maxRevokeShare: 0.2, intervalMinutes: 0, notifications: false, lockRetryMs: 100, lockRetries: 20 };
      one = createSync({ db: dbs.a, graph: w.graph, logger: silentLogger(), config: { ...config, instance: 'one' } });
      two = createSync({ db: dbs.b, graph: graphFor(w.tenant, dbs.b), logger: silentLogger(), config: { ...config, instance: 'two' } });
    });

    afterEach(async () => {
      await one.stop();
      await two.stop();
      await w.close();
      await dbs.close();
    });

    it('two reconciles at once: one applies, the other skips and says so', async () => {
      // Slow reads keep the first run inside its lock while the second tries.
      w.tenant.setFaults([{ path: '\\$batch$', latencyMs: 400 }]);
      const [r1, r2] = await Promise.all([one.reconcile({ trigger: 'reconcile' }), two.reconcile({ trigger: 'reconcile' })]);
      const statuses = [r1.status, r2.status].sort();
      assert.deepEqual(statuses, ['applied', 'skipped']);
      const skipped = r1.status === 'skipped' ? r1 : r2;
      assert.match(skipped.message!, /En annan instans kör synken/);
      assert.equal(skipped.runId, undefined, 'a skipped run is not recorded as a run');
      const runs = await one.repo.runs();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.grants, 10);
      // Each grant was made once.
      const invites = w.tenant.requests().filter((r) => r.method === 'POST' && /\/invite$/.test(r.path));
      assert.equal(invites.length, 10);
    });

    it('a notification run that finds the lock taken retries and gets through', async () => {
      await one.reconcile({ trigger: 'cli' });
      await setManagers(w.tenant, '4', ['chef6@goteborg.example']);
      let release!: () => void;
      const held = withSyncLock(dbs.a, SYNC_LOCK_KEY, () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 50));
      two.onNotification([{ subscriptionId: 's', resource: 'r', changeType: 'updated' }]);
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(await folderWriters(w.graph, '4'), ['chef4@goteborg.example'], 'nothing while the lock is held');
      release();
      assert.equal((await held).locked, true);
      await waitFor(async () => (await folderWriters(w.graph, '4')).join() === 'chef6@goteborg.example', 5000);
      await two.idle();
    });
  });
}
