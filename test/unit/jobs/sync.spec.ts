/**
 * Pure and stubbed parts of the sync: the applier's bookkeeping when Graph fails, the CLI's
 * arguments and exit codes, and the administrators' summary.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Unit } from '../../../core/model';
import { planUnitAccess } from '../../../core/permissionPlanner';
import { GraphError } from '../../../graph/errors';
import { applyPlans } from '../../../jobs/syncApplier';
import { exitCode, parseArgs } from '../../../jobs/syncCli';
import { summarize, type SyncResult } from '../../../jobs/sync';
import { silentLogger } from '../../../logger';
import type { SyncRepo } from '../../../store/syncRepo';

const unit: Unit = {
  id: '7',
  name: 'Enhet Sju',
  managers: [{ email: 'ny@x.example' }],
  acting: [],
  dgAddress: 'dg7@x.example',
  folder: 'Enhet Sju',
  active: true,
  problems: []
};

function fakeRepo(): SyncRepo & { calls: Record<string, unknown[][]> } {
  const calls: Record<string, unknown[][]> = {};
  const rec = (name: string) => async (...args: unknown[]) => {
    (calls[name] ??= []).push(args);
  };
  return { calls, recordGrant: rec('recordGrant'), deleteGrant: rec('deleteGrant'), recordSteps: rec('recordSteps'), saveUnitState: rec('saveUnitState') } as never;
}

describe('jobs/syncApplier', () => {
  const plan = planUnitAccess({
    unit,
    now: new Date('2025-05-05T10:00:00Z'),
    folder: {
      status: 'found',
      permissions: [{ id: 'p-old', roles: ['write'], inherited: false, user: { id: 'u-old', email: 'gammal@x.example' } }]
    },
    dgGroup: { status: 'found', id: 'g7', kind: 'unified', members: [{ id: 'u-old', email: 'gammal@x.example' }] },
    managedGrants: [],
    formerManagers: [{ email: 'gammal@x.example' }]
  });

  it('records each step; a failed revocation keeps the person as a former manager; grants are recorded with the user id', async () => {
    assert.equal(plan.revocations.length, 2);
    assert.equal(plan.grants.length, 2);
    const access = {
      revokeFolder: sinon.stub().rejects(new GraphError('Service unavailable', { status: 503, code: 'serviceNotAvailable' })),
      removeMember: sinon.stub().resolves(),
      grantFolder: sinon.stub().resolves({ id: 'p-new', roles: ['write'], inherited: false, user: { id: 'u-new', email: 'ny@x.example' } }),
      addMember: sinon.stub().resolves(),
      userByEmail: sinon.stub().resolves({ id: 'u-new', email: 'ny@x.example' })
    };
    const repo = fakeRepo();
    const r = await applyPlans([plan], new Map([[unit.id, unit]]), 42, { graph: { access } as never, repo, logger: silentLogger() });
    assert.equal(r.failures, 1);
    assert.deepEqual(
      r.steps.map((s) => `${s.action}:${s.result}`),
      ['revokeFolder:failed', 'removeMember:ok', 'grantFolder:ok', 'addMember:ok']
    );
    assert.match(r.steps[0]!.error!, /serviceNotAvailable 503/);
    assert.equal(repo.calls.recordSteps![0]![0] instanceof Array, true);
    assert.deepEqual(
      repo.calls.recordGrant!.map((c) => c[0]),
      [
        { unitId: '7', kind: 'folder', userId: 'u-new', email: 'ny@x.example', permissionId: 'p-new' },
        { unitId: '7', kind: 'group', userId: 'u-new', email: 'ny@x.example' }
      ]
    );
    const saved = repo.calls.saveUnitState![0]![0] as { formerManagers: Array<{ email: string }> };
    assert.deepEqual(saved.formerManagers.map((p) => p.email).sort(), ['gammal@x.example', 'ny@x.example']);
    assert.equal(access.userByEmail.callCount, 1, 'the user is looked up once per run');
  });

  it('a group grant for someone not in the directory fails with a clear reason, and nothing is recorded', async () => {
    const access = {
      revokeFolder: sinon.stub().resolves(),
      removeMember: sinon.stub().resolves(),
      grantFolder: sinon.stub().rejects(new GraphError('not visible', { code: 'grantNotEffective', retryable: true })),
      addMember: sinon.stub().resolves(),
      userByEmail: sinon.stub().resolves(undefined)
    };
    const repo = fakeRepo();
    const r = await applyPlans([plan], new Map([[unit.id, unit]]), 1, { graph: { access } as never, repo, logger: silentLogger() });
    assert.deepEqual(r.steps.filter((s) => s.result === 'failed').map((s) => s.action), ['grantFolder', 'addMember']);
    assert.match(r.steps.find((s) => s.action === 'addMember')!.error!, /userNotFound/);
    assert.equal(access.addMember.callCount, 0);
    assert.equal(repo.calls.recordGrant, undefined);
  });
});

describe('jobs/syncCli arguments and exit codes', () => {
  it('parses the flags', () => {
    assert.deepEqual(parseArgs(['--dry-run', '--unit', '3', '--unit=4', '--graph-base=http://127.0.0.1:1/v1.0']), {
      dryRun: true,
      approve: false,
      help: false,
      unitIds: ['3', '4'],
      graphBase: 'http://127.0.0.1:1/v1.0'
    });
    assert.throws(() => parseArgs(['--bogus']), /unknown argument --bogus/);
    assert.throws(() => parseArgs(['--unit']), /--unit needs a value/);
  });

  it('exit code: 0 fine, 1 needs a human, 2 failed, 3 skipped', () => {
    const base = { needsHuman: false, status: 'applied' } as SyncResult;
    assert.equal(exitCode(base), 0);
    assert.equal(exitCode({ ...base, needsHuman: true }), 1);
    assert.equal(exitCode({ ...base, status: 'dryRun', needsHuman: true }), 1);
    assert.equal(exitCode({ ...base, status: 'stopped', needsHuman: true }), 1);
    assert.equal(exitCode({ ...base, status: 'failed', needsHuman: true }), 2);
    assert.equal(exitCode({ ...base, status: 'skipped' }), 3);
  });
});

describe('jobs/sync summary', () => {
  it('says what changed and what needs a hand, in Swedish', () => {
    const text = summarize({
      trigger: 'notification',
      status: 'applied',
      plans: [{ ...planUnitAccess({ unit: { ...unit, dgAddress: undefined }, now: new Date(), folder: { status: 'found', permissions: [] }, dgGroup: { status: 'missing' }, managedGrants: [], formerManagers: [] }) }],
      steps: [
        { unitId: '7', action: 'grantFolder', personEmail: 'ny@x.example', result: 'ok' },
        { unitId: '7', action: 'removeMember', personEmail: 'gammal@x.example', target: 'dg7@x.example', result: 'failed', error: '503' }
      ],
      closed: [],
      byId: new Map([[unit.id, unit]])
    });
    assert.equal(
      text,
      [
        'Behörighetssynk (ändring i enhetslistan), 1 enhet.',
        'Ändrat:',
        '• Enhet Sju: gav ny@x.example behörighet till mappen.',
        'Behöver en hand:',
        '• Enhet Sju: misslyckades att ta bort gammal@x.example ur DG dg7@x.example (503).',
        '• Enhet Sju: Enheten saknar DG-adress i enhetslistan; DG-gruppens medlemmar kan inte synkas.'
      ].join('\n')
    );
  });
});
