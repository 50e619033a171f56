/**
 * Issue 6 "Done when": the distribution-list case produces a manual task (re-checked on the next
 * run); a second run is a no-op (zero Graph write requests); the mass-revocation guard stops a plan
 * that would strip a whole library and nothing is revoked.
 */
import assert from 'node:assert/strict';
import { createSync, type Sync, type SyncSummary } from '../../../jobs/sync';
import { silentLogger } from '../../../logger';
import { folderWriters, setManagers, world, writes, type SyncWorld } from './helpers';

describe('permission sync safety (local tenant over HTTP)', () => {
  let w: SyncWorld;
  let sync: Sync;
  let summaries: SyncSummary[];

  beforeEach(async () => {
    w = await world({ notifications: false });
    summaries = [];
    sync = createSync({
      db: w.db,
      graph: w.graph,
      logger: silentLogger(),
      config: { maxRevokeShare: 0.2, intervalMinutes: 0, notifications: false },
      notifyAdmins: async (s) => {
        summaries.push(s);
      }
    });
    const first = await sync.reconcile({ trigger: 'cli' });
    assert.equal(first.status, 'applied');
    assert.equal(first.counts.grants, 10);
    assert.equal(first.needsHuman, false, first.summary);
  });

  afterEach(async () => {
    await sync.stop();
    await w.close();
  });

  it('a second run is a no-op: zero Graph write requests, nothing recorded as changed', async () => {
    w.tenant.clearRequests();
    const again = await sync.reconcile({ trigger: 'reconcile' });
    assert.equal(again.status, 'applied');
    assert.deepEqual(writes(w.tenant), []);
    assert.equal(again.steps.length, 0);
    assert.ok(again.plans.every((p) => p.noop));
    assert.equal(again.needsHuman, false);
    assert.equal(summaries.length, 1, 'no summary for a run that changed nothing');
  });

  it('a distribution list gets a manual task; the next run writes nothing and checks it; done by hand, it closes', async () => {
    // Unit 10's DG is a distribution list: Graph cannot change its members.
    await setManagers(w.tenant, '10', ['chef3@goteborg.example']);
    const r = await sync.reconcile({ trigger: 'reconcile' });
    assert.equal(r.status, 'applied');
    assert.equal(r.needsHuman, true);
    const plan = r.plans.find((p) => p.unitId === '10')!;
    assert.deepEqual(
      plan.manualTasks.map((t) => `${t.action} ${t.person.email} ${t.groupAddress}`).sort(),
      ['addMember chef3@goteborg.example dg.enhet10@goteborg.example', 'removeMember chef10@goteborg.example dg.enhet10@goteborg.example']
    );
    assert.match(plan.manualTasks[0]!.text, /distributionslista; ändras i Exchange admin center/);
    assert.deepEqual(await folderWriters(w.graph, '10'), ['chef3@goteborg.example'], 'the folder follows at once');
    assert.equal((await sync.repo.openManualTasks()).length, 2);
    assert.match(summaries.at(-1)!.text, /Behöver en hand:[\s\S]*Lägg till chef3@goteborg.example i DG-gruppen dg.enhet10@goteborg.example/);

    // Second run: the same tasks, no Graph writes, no new summary.
    w.tenant.clearRequests();
    const n = summaries.length;
    const again = await sync.reconcile({ trigger: 'reconcile' });
    assert.deepEqual(writes(w.tenant), []);
    assert.equal(again.counts.manualTasks, 2);
    assert.equal(again.needsHuman, true);
    assert.equal(summaries.length, n, 'an unchanged manual task is not announced again');

    // An Exchange admin makes the change; the next run sees it and closes the tasks.
    const dl = [...w.tenant.state.groups.values()].find((g) => g.mail === 'dg.enhet10@goteborg.example')!;
    dl.members = [w.tenant.state.userByMail('chef3@goteborg.example')!.id];
    const third = await sync.reconcile({ trigger: 'reconcile' });
    assert.equal(third.counts.manualTasks, 0);
    assert.equal(third.manualTasksDone, 2);
    assert.equal(third.needsHuman, false);
    assert.equal((await sync.repo.openManualTasks()).length, 0);
    assert.match(summaries.at(-1)!.text, /Utfört och kontrollerat/);
  });

  it('the mass-revocation guard stops a plan that would strip the whole library: nothing is revoked', async () => {
    for (let i = 1; i <= 10; i++) {
      await setManagers(w.tenant, String(i), []);
    }
    w.tenant.clearRequests();
    const before = await folderWriters(w.graph, '3');
    const r = await sync.reconcile({ trigger: 'reconcile' });
    assert.equal(r.status, 'stopped');
    assert.equal(r.needsHuman, true);
    assert.match(r.stopReason!, /Synken stoppades/);
    assert.ok(r.counts.revocations >= 10);
    assert.deepEqual(writes(w.tenant), [], 'no Graph writes');
    assert.ok(r.steps.every((s) => s.result === 'skipped'));
    assert.deepEqual(await folderWriters(w.graph, '3'), before);
    assert.equal((await sync.repo.managedGrants()).length, 10, 'records kept');
    assert.equal(summaries.at(-1)!.status, 'stopped');
    const run = await sync.repo.run(r.runId!);
    assert.equal(run!.needsHuman, true);
    assert.match(run!.stoppedReason!, /Synken stoppades/);
    // The former managers are kept, so an approved run can still clean up.
    const approved = await sync.reconcile({ trigger: 'admin', approveMassRevocation: true });
    assert.equal(approved.status, 'applied');
    assert.deepEqual(await folderWriters(w.graph, '3'), []);
  });

  it('a dry run plans without writing and without recording steps', async () => {
    await setManagers(w.tenant, '2', ['chef5@goteborg.example']);
    w.tenant.clearRequests();
    const r = await sync.reconcile({ dryRun: true, trigger: 'cli' });
    assert.equal(r.status, 'dryRun');
    assert.deepEqual(writes(w.tenant), []);
    assert.match(r.table, /Enhet 0002\s+Ge mappbehörighet\s+chef5@goteborg.example/);
    assert.match(r.table, /Enhet 0002\s+Ta bort behörighet\s+chef2@goteborg.example/);
    assert.deepEqual(await sync.repo.steps(r.runId!), []);
  });
});
