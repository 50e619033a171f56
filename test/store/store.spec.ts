import assert from 'node:assert/strict';
import { storeTargets } from '../helpers/db';
import { NestedTransactionError, type Db } from '../../store/db';
import { migrate, MIGRATIONS } from '../../store/migrations';
import { ETagConflictError, KeyValueStore, StateStore } from '../../store/stateStore';
import { Outbox, OutboxWorker, type OutboxRow } from '../../store/outbox';

for (const target of storeTargets()) {
  describe(`store on ${target.name}`, () => {
    let db: Db;

    beforeEach(async () => {
      db = await target.open();
    });
    afterEach(async () => {
      await db.close();
    });

    describe('migrations', () => {
      it('applies every migration once; a second run applies none', async () => {
        const again = await migrate(db);
        assert.deepEqual(again, []);
        const r = await db.query<{ version: number }>('select version from schema_migrations order by version');
        assert.deepEqual(
          r.rows.map((x) => x.version),
          MIGRATIONS.map((m) => m.version).sort((a, b) => a - b)
        );
      });

      it('rolls back a failing migration and names it', async () => {
        await assert.rejects(
          migrate(db, [...MIGRATIONS, { version: 999, name: 'broken', sql: 'create table t999 (a int);\nselect * from no_such_table;' }]),
          /Migration 999 \(broken\) failed/
        );
        const t = await db.query("select to_regclass('t999') as t");
        assert.equal(t.rows[0].t, null);
      });
    });

    describe('transactions', () => {
      it('commits on resolve and rolls back on throw', async () => {
        const kv = new KeyValueStore(db);
        await db.transaction(async (tx) => new KeyValueStore(tx).set('a', '1'));
        await assert.rejects(
          db.transaction(async (tx) => {
            await new KeyValueStore(tx).set('b', '2');
            throw new Error('boom');
          }),
          /boom/
        );
        assert.equal(await kv.get('a'), '1');
        assert.equal(await kv.get('b'), undefined);
      });

      it('using the outer handle inside a transaction is an error, not a deadlock', async () => {
        await assert.rejects(
          db.transaction(async () => {
            await db.query('select 1');
          }),
          NestedTransactionError
        );
        // and the store still works afterwards
        assert.equal((await db.query<{ x: number }>('select 1 as x')).rows[0].x, 1);
      });
    });

    describe('StateStore (bot state with eTags)', () => {
      it('writes, reads with an eTag, and rejects a stale eTag', async () => {
        const s = new StateStore(db);
        await s.write({ k1: { step: 'unit' } });
        const first = (await s.read(['k1'])).k1;
        assert.equal(first.step, 'unit');
        assert.ok(first.eTag);
        await s.write({ k1: { ...first, step: 'absence' } });
        const second = (await s.read(['k1'])).k1;
        assert.equal(second.step, 'absence');
        assert.notEqual(second.eTag, first.eTag);
        await assert.rejects(s.write({ k1: { ...first, step: 'stale' } }), ETagConflictError);
        assert.equal((await s.read(['k1'])).k1.step, 'absence');
      });

      it("'*' and no eTag overwrite; delete removes; unknown keys are absent", async () => {
        const s = new StateStore(db);
        await s.write({ a: { n: 1 }, b: { n: 2 } });
        await s.write({ a: { n: 3, eTag: '*' } });
        assert.deepEqual(
          Object.fromEntries(Object.entries(await s.read(['a', 'b', 'c'])).map(([k, v]) => [k, v.n])),
          { a: 3, b: 2 }
        );
        await s.delete(['a']);
        assert.deepEqual(Object.keys(await s.read(['a', 'b'])), ['b']);
      });

      it('survives reopening (state lives in the store, not in memory)', async () => {
        const s = new StateStore(db);
        await s.write({ conv: { dialog: ['x'], unitId: '7' } });
        const again = new StateStore(db);
        assert.deepEqual((await again.read(['conv'])).conv.dialog, ['x']);
      });
    });

    describe('outbox', () => {
      const opts = { maxAttempts: 3, leaseSeconds: 30, backoffBaseMs: 10, backoffCapMs: 50 };

      it('enqueue is idempotent by key and only visible after commit', async () => {
        const ob = new Outbox(db, opts);
        const first = await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'c1', kind: 'mail', payload: { a: 1 } }));
        const second = await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'c1', kind: 'mail', payload: { a: 2 } }));
        assert.equal(first, true);
        assert.equal(second, false);
        await assert.rejects(
          db.transaction(async (tx) => {
            await ob.enqueue(tx, { idempotencyKey: 'c2', kind: 'mail', payload: {} });
            throw new Error('business change failed');
          })
        );
        assert.deepEqual(await ob.counts(), { pending: 1, done: 0, dead: 0 });
        assert.deepEqual((await ob.get('c1'))?.payload, { a: 1 });
      });

      it('a claimed row is not claimed again while leased; complete is fenced by the claim', async () => {
        const ob = new Outbox(db, opts);
        await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'k', kind: 'mail', payload: {} }));
        const [c] = await ob.claim(10);
        assert.equal(c.row.attempts, 1);
        assert.equal((await ob.claim(10)).length, 0);
        assert.equal(await ob.complete({ ...c, token: 'not-mine' }), false);
        assert.equal(await ob.complete(c, { ok: true }), true);
        assert.equal(await ob.complete(c), false, 'completing twice is refused');
        assert.equal((await ob.get('k'))?.status, 'done');
      });

      it('an expired lease lets another worker claim; the first worker then loses its claim', async () => {
        const ob = new Outbox(db, { ...opts, leaseSeconds: 5 });
        await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'k', kind: 'mail', payload: {} }));
        const [c1] = await ob.claim(1);
        await db.query("update outbox set lease_until = now() - interval '1 second'");
        const [c2] = await ob.claim(1);
        assert.ok(c2);
        assert.equal(c2.row.attempts, 2);
        assert.equal(await ob.complete(c1), false);
        assert.equal(await ob.fail(c1, 'late'), undefined);
        assert.equal(await ob.complete(c2), true);
      });

      it('failures back off (capped, jittered) and the last attempt goes dead', async () => {
        const ob = new Outbox(db, { ...opts, random: () => 1 });
        await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'k', kind: 'mail', payload: {} }));
        const statuses: string[] = [];
        for (let i = 0; i < 3; i++) {
          await db.query('update outbox set next_attempt_at = now()');
          const [c] = await ob.claim(1);
          const before = Date.now();
          const row = await ob.fail(c, `err ${i}`);
          statuses.push(row!.status);
          if (row!.status === 'pending') {
            const wait = row!.nextAttemptAt.getTime() - before;
            assert.ok(wait <= 50 + 20, `capped backoff, got ${wait}`);
          }
        }
        assert.deepEqual(statuses, ['pending', 'pending', 'dead']);
        assert.equal((await ob.get('k'))?.lastError, 'err 2');
      });

      it('honours a later retryAt (Retry-After) and a permanent failure goes dead at once', async () => {
        const ob = new Outbox(db, opts);
        await db.transaction(async (tx) => {
          await ob.enqueue(tx, { idempotencyKey: 'a', kind: 'mail', payload: {} });
          await ob.enqueue(tx, { idempotencyKey: 'b', kind: 'mail', payload: {} });
        });
        const [ca, cb] = await ob.claim(2);
        const at = new Date(Date.now() + 60_000);
        const ra = await ob.fail(ca, 'throttled', { retryAt: at });
        assert.equal(ra!.nextAttemptAt.getTime(), at.getTime());
        const rb = await ob.fail(cb, 'bad address', { permanent: true });
        assert.equal(rb!.status, 'dead');
      });

      it('a worker delivers, calls the dead hook, and drains on stop', async () => {
        const ob = new Outbox(db, { ...opts, maxAttempts: 1 });
        await db.transaction(async (tx) => {
          await ob.enqueue(tx, { idempotencyKey: 'ok', kind: 'mail', payload: { fail: false } });
          await ob.enqueue(tx, { idempotencyKey: 'bad', kind: 'mail', payload: { fail: true } });
        });
        const delivered: string[] = [];
        const dead: OutboxRow[] = [];
        const worker = new OutboxWorker(
          ob,
          {
            mail: async (row) => {
              await new Promise((r) => setTimeout(r, 20));
              if ((row.payload as { fail: boolean }).fail) {
                throw Object.assign(new Error('mailbox not found'), { retryable: false });
              }
              delivered.push(row.idempotencyKey);
            }
          },
          { pollMs: 20, onDead: async (row) => void dead.push(row) }
        );
        worker.start();
        const until = Date.now() + 5000;
        while ((await ob.counts()).pending > 0 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 20));
        }
        await worker.stop();
        assert.deepEqual(delivered, ['ok']);
        assert.deepEqual(
          dead.map((d) => d.idempotencyKey),
          ['bad']
        );
        assert.deepEqual(await ob.counts(), { pending: 0, done: 1, dead: 1 });
      });

      it('a slow handler does not hold up the others: a freed slot claims the next row at once', async () => {
        const ob = new Outbox(db, opts);
        await db.transaction(async (tx) => {
          for (let i = 0; i < 6; i++) {
            await ob.enqueue(tx, { idempotencyKey: `r${i}`, kind: 'mail', payload: { slow: i === 0 } });
          }
        });
        const finished: string[] = [];
        let release!: () => void;
        const slow = new Promise<void>((r) => (release = r));
        const worker = new OutboxWorker(
          ob,
          {
            mail: async (row) => {
              if ((row.payload as { slow: boolean }).slow) {
                await slow;
              }
              finished.push(row.idempotencyKey);
            }
          },
          { pollMs: 1000, batch: 2 }
        );
        worker.start();
        const until = Date.now() + 5000;
        while (finished.length < 5 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 10));
        }
        // With the slow row holding one of the two slots, the other slot went through the other five.
        assert.deepEqual([...finished].sort(), ['r1', 'r2', 'r3', 'r4', 'r5']);
        release();
        await worker.idle();
        await worker.stop();
        assert.deepEqual(await ob.counts(), { pending: 0, done: 6, dead: 0 });
      });

      it('a handler that runs longer than the lease keeps it (heartbeat): no second worker takes the row', async function () {
        this.timeout(20_000);
        const ob = new Outbox(db, { ...opts, leaseSeconds: 1 });
        await db.transaction((tx) => ob.enqueue(tx, { idempotencyKey: 'long', kind: 'mail', payload: {} }));
        let runs = 0;
        const mk = () =>
          new OutboxWorker(
            ob,
            {
              mail: async () => {
                runs++;
                await new Promise((r) => setTimeout(r, 3000));
              }
            },
            { pollMs: 100 }
          );
        const a = mk();
        const b = mk();
        a.start();
        await new Promise((r) => setTimeout(r, 300));
        b.start();
        await new Promise((r) => setTimeout(r, 3500));
        await Promise.all([a.stop(), b.stop()]);
        assert.equal(runs, 1, 'the row was handled once although its handler outlived three leases');
        assert.equal((await ob.get('long'))?.status, 'done');
      });

      it('400 rows across 4 concurrent claimers are each delivered exactly once', async function () {
        this.timeout(120_000);
        const handles: Db[] = [db];
        if (target.openAnother) {
          for (let i = 0; i < 3; i++) {
            handles.push(await target.openAnother(db));
          }
        }
        try {
          const ob0 = new Outbox(db, opts);
          await db.transaction(async (tx) => {
            for (let i = 0; i < 400; i++) {
              await ob0.enqueue(tx, { idempotencyKey: `n${i}`, kind: 'mail', payload: { i } });
            }
          });
          const seen = new Map<string, number>();
          const workers = [0, 1, 2, 3].map((w) => {
            const ob = new Outbox(handles[w % handles.length], opts);
            return new OutboxWorker(
              ob,
              {
                mail: async (row) => {
                  seen.set(row.idempotencyKey, (seen.get(row.idempotencyKey) ?? 0) + 1);
                  await new Promise((r) => setImmediate(r));
                }
              },
              { pollMs: 5, batch: 8 }
            );
          });
          workers.forEach((w) => w.start());
          const until = Date.now() + 100_000;
          while ((await ob0.counts()).done < 400 && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 25));
          }
          await Promise.all(workers.map((w) => w.stop()));
          assert.equal(seen.size, 400);
          assert.deepEqual([...new Set(seen.values())], [1], 'no row handled twice');
          assert.deepEqual(await ob0.counts(), { pending: 0, done: 400, dead: 0 });
        } finally {
          for (const h of handles.slice(1)) {
            await h.close();
          }
        }
      });
    });
  });
}
