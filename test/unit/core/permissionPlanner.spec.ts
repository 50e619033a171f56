import assert from 'node:assert/strict';
import type { FolderPermission, GroupMember, ManagedGrant, PersonRef, Unit } from '../../../core/model';
import {
  applyPlanToState,
  formatPlanTable,
  planAll,
  planUnitAccess,
  samePerson,
  stockholmDate,
  type AccessPlan,
  type DgGroupState,
  type PlanAllOptions,
  type UnitAccessInput
} from '../../../core/permissionPlanner';

/* ---------- Data ---------- */

// Monday 2025-03-10, 11:00 in Stockholm.
const NOW = new Date('2025-03-10T10:00:00Z');
const ANNA: PersonRef = { id: 'u-anna', email: 'anna.berg@goteborg.se', displayName: 'Anna Berg' };
const OLLE: PersonRef = { id: 'u-olle', email: 'olle.ek@goteborg.se', displayName: 'Olle Ek' };
const KARIN: PersonRef = { id: 'u-karin', email: 'karin.lund@goteborg.se', displayName: 'Karin Lund' };
const PER: PersonRef = { id: 'u-per', email: 'per.alm@goteborg.se', displayName: 'Per Alm' };
const SVEN: PersonRef = { id: 'u-sven', email: 'sven.berg@goteborg.se', displayName: 'Sven Berg' };
const STAFF: GroupMember = { id: 'u-staff', email: 'lisa.staff@goteborg.se' };
const DG = 'dg-hemtjanst-centrum@goteborg.se';

function unit(over: Partial<Unit> = {}): Unit {
  return {
    id: 'u1',
    name: 'Hemtjänst Centrum',
    managers: [],
    acting: [],
    dgAddress: DG,
    folder: 'Hemtjänst Centrum',
    active: true,
    problems: [],
    ...over
  };
}

function perm(id: string, p: PersonRef | undefined, roles: string[] = ['write'], extra: Partial<FolderPermission> = {}): FolderPermission {
  return { id, roles, inherited: false, ...(p ? { user: { id: p.id, email: p.email } } : {}), ...extra };
}

function member(p: PersonRef): GroupMember {
  return { id: p.id!, email: p.email };
}

function folderRec(p: PersonRef, permissionId: string | undefined, unitId = 'u1'): ManagedGrant {
  return { unitId, kind: 'folder', userId: p.id!, email: p.email, permissionId, grantedAt: '2025-01-01T00:00:00Z' };
}

function groupRec(p: PersonRef, unitId = 'u1'): ManagedGrant {
  return { unitId, kind: 'group', userId: p.id!, email: p.email, grantedAt: '2025-01-01T00:00:00Z' };
}

function dg(members: GroupMember[], kind: 'unified' | 'security' | 'mailEnabledSecurity' | 'distributionList' = 'security'): DgGroupState {
  return { status: 'found', id: 'g1', kind, members };
}

interface In {
  unit?: Partial<Unit>;
  perms?: FolderPermission[];
  folderMissing?: boolean;
  group?: DgGroupState;
  managed?: ManagedGrant[];
  former?: PersonRef[];
  now?: Date;
}

function input(i: In): UnitAccessInput {
  return {
    unit: unit(i.unit),
    now: i.now ?? NOW,
    folder: i.folderMissing ? { status: 'missing', error: 'itemNotFound' } : { status: 'found', permissions: i.perms ?? [] },
    dgGroup: i.group ?? dg([]),
    managedGrants: i.managed ?? [],
    formerManagers: i.former ?? []
  };
}

/* ---------- Summaries: one string per step, so a table row reads like the plan ---------- */

function summarize(plans: AccessPlan[]): { grants: string[]; revocations: string[]; tasks: string[]; reports: string[]; forget: string[] } {
  const s = { grants: [] as string[], revocations: [] as string[], tasks: [] as string[], reports: [] as string[], forget: [] as string[] };
  for (const p of plans) {
    p.grants.forEach((g) => s.grants.push(`${p.unitId} ${g.kind}${g.kind === 'folder' ? `(${g.role})` : ''} ${g.person.email}`));
    p.revocations.forEach((r) =>
      s.revocations.push(`${p.unitId} ${r.kind} ${r.kind === 'folder' ? r.permissionId : r.memberId}${r.managed ? '' : ' hand'}`)
    );
    p.manualTasks.forEach((t) => s.tasks.push(`${p.unitId} ${t.text}`));
    p.reports.forEach((r) => s.reports.push(`${p.unitId} ${r.code}${r.person ? ` ${r.person.email}` : ''}`));
    p.forget.forEach((f) => s.forget.push(`${p.unitId} ${f.kind} ${f.permissionId ?? f.userId}`));
  }
  return s;
}

interface Case {
  name: string;
  inputs: UnitAccessInput[];
  options?: PlanAllOptions;
  grants?: string[];
  revocations?: string[];
  tasks?: string[];
  reports?: string[];
  forget?: string[];
}

/* ---------- The table ---------- */

const CASES: Case[] = [
  {
    name: 'new manager, nothing yet: folder write and DG membership',
    inputs: [input({ unit: { managers: [ANNA] }, group: dg([STAFF]) })],
    grants: ['u1 folder(write) anna.berg@goteborg.se', 'u1 group anna.berg@goteborg.se']
  },
  {
    name: 'manager change: old out (bot-granted), new in',
    inputs: [
      input({
        unit: { managers: [ANNA] },
        perms: [perm('p-olle', OLLE)],
        group: dg([member(OLLE), STAFF]),
        managed: [folderRec(OLLE, 'p-olle'), groupRec(OLLE)],
        former: [OLLE]
      })
    ],
    grants: ['u1 folder(write) anna.berg@goteborg.se', 'u1 group anna.berg@goteborg.se'],
    revocations: ['u1 folder p-olle', 'u1 group u-olle']
  },
  {
    name: 'manager change: old manager had hand-made access, revoked because he was a listed manager',
    inputs: [
      input({ unit: { managers: [ANNA] }, perms: [perm('p-olle', OLLE)], group: dg([member(OLLE)]), former: [OLLE] })
    ],
    grants: ['u1 folder(write) anna.berg@goteborg.se', 'u1 group anna.berg@goteborg.se'],
    revocations: ['u1 folder p-olle hand', 'u1 group u-olle hand']
  },
  {
    name: 'manager removed, record present but nobody listed as former: the record decides',
    inputs: [
      input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA), perm('p-olle', OLLE)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), folderRec(OLLE, 'p-olle')] })
    ],
    revocations: ['u1 folder p-olle']
  },
  {
    name: 'several managers at once',
    inputs: [input({ unit: { managers: [ANNA, KARIN] }, perms: [perm('p-anna', ANNA)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)] })],
    grants: ['u1 folder(write) karin.lund@goteborg.se', 'u1 group karin.lund@goteborg.se']
  },
  {
    name: 'a person listed twice (manager and acting) gets one grant',
    inputs: [input({ unit: { managers: [ANNA], acting: [{ ...ANNA, endDate: '2025-12-31' }] } })],
    grants: ['u1 folder(write) anna.berg@goteborg.se', 'u1 group anna.berg@goteborg.se']
  },
  {
    name: 'acting manager, end date in the future',
    inputs: [input({ unit: { managers: [ANNA], acting: [{ ...PER, endDate: '2025-03-31' }] }, perms: [perm('p-anna', ANNA)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)] })],
    grants: ['u1 folder(write) per.alm@goteborg.se', 'u1 group per.alm@goteborg.se']
  },
  {
    name: 'acting manager, end date today (inclusive)',
    inputs: [input({ unit: { acting: [{ ...PER, endDate: '2025-03-10' }] } })],
    grants: ['u1 folder(write) per.alm@goteborg.se', 'u1 group per.alm@goteborg.se']
  },
  {
    name: 'acting manager, the last evening of the end date (23:30 in Stockholm)',
    inputs: [input({ now: new Date('2025-03-10T22:30:00Z'), unit: { acting: [{ ...PER, endDate: '2025-03-10' }] } })],
    grants: ['u1 folder(write) per.alm@goteborg.se', 'u1 group per.alm@goteborg.se']
  },
  {
    // 2025-03-10T23:30Z is already 2025-03-11 00:30 in Stockholm: the 10th has ended there.
    name: 'acting manager, end date passed in Stockholm (UTC still on the end date): bot grants revoked',
    inputs: [
      input({
        now: new Date('2025-03-10T23:30:00Z'),
        unit: { managers: [ANNA], acting: [{ ...PER, endDate: '2025-03-10' }] },
        perms: [perm('p-anna', ANNA), perm('p-per', PER)],
        group: dg([member(ANNA), member(PER)]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA), folderRec(PER, 'p-per'), groupRec(PER)],
        former: [ANNA, PER]
      })
    ],
    revocations: ['u1 folder p-per', 'u1 group u-per']
  },
  {
    name: 'acting manager, end date past: hand-made access revoked too (listed with an ended period)',
    inputs: [input({ unit: { managers: [ANNA], acting: [{ ...PER, endDate: '2025-02-28' }] }, perms: [perm('p-anna', ANNA), perm('p-per', PER)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)] })],
    revocations: ['u1 folder p-per hand']
  },
  {
    name: 'deputies without end date hold access like managers',
    inputs: [input({ unit: { managers: [ANNA], acting: [KARIN, PER] }, perms: [perm('p-anna', ANNA)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)] })],
    grants: ['u1 folder(write) karin.lund@goteborg.se', 'u1 folder(write) per.alm@goteborg.se', 'u1 group karin.lund@goteborg.se', 'u1 group per.alm@goteborg.se']
  },
  {
    name: 'invalid end date: access kept, reported',
    inputs: [input({ unit: { acting: [{ ...PER, endDate: '31/3' }] }, perms: [perm('p-per', PER)], group: dg([member(PER)]), managed: [folderRec(PER, 'p-per'), groupRec(PER)] })],
    reports: ['u1 invalidEndDate per.alm@goteborg.se']
  },
  {
    name: 'manager of two units leaves one: only that unit loses her',
    inputs: [
      input({ unit: { id: 'u1', managers: [ANNA] }, perms: [perm('p1-anna', ANNA)], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p1-anna', 'u1'), groupRec(ANNA, 'u1')], former: [ANNA] }),
      input({
        unit: { id: 'u2', name: 'Hemtjänst Norr', managers: [KARIN], folder: 'Hemtjänst Norr' },
        perms: [perm('p2-anna', ANNA)],
        group: dg([member(ANNA)]),
        // A record of unit u1 passed by mistake is ignored.
        managed: [folderRec(ANNA, 'p2-anna', 'u2'), groupRec(ANNA, 'u2'), folderRec(ANNA, 'p1-anna', 'u1')],
        former: [ANNA]
      })
    ],
    grants: ['u2 folder(write) karin.lund@goteborg.se', 'u2 group karin.lund@goteborg.se'],
    revocations: ['u2 folder p2-anna', 'u2 group u-anna']
  },
  {
    name: 'manager who is also hand-granted: kept, no new grant, not taken over',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-hand', ANNA, ['write'])], group: dg([member(ANNA)]) })],
    reports: ['u1 managerHandGranted anna.berg@goteborg.se']
  },
  {
    name: 'manager hand-granted as owner: owner is sufficient',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-hand', ANNA, ['owner'])], group: dg([member(ANNA)]) })],
    reports: ['u1 managerHandGranted anna.berg@goteborg.se']
  },
  {
    name: 'manager hand-granted with read only: the bot grants write',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-hand', ANNA, ['read'])], group: dg([member(ANNA)]) })],
    grants: ['u1 folder(write) anna.berg@goteborg.se']
  },
  {
    name: 'folderRole read: a read grant is enough',
    inputs: [input({ unit: { managers: [ANNA, KARIN] }, perms: [perm('p-hand', ANNA, ['read'])], group: dg([member(ANNA), member(KARIN)]) })],
    options: { folderRole: 'read' },
    grants: ['u1 folder(read) karin.lund@goteborg.se'],
    reports: ['u1 managerHandGranted anna.berg@goteborg.se']
  },
  {
    name: 'hand-granted manager leaves: her hand-made grant goes (she was a listed manager)',
    inputs: [input({ unit: { managers: [KARIN] }, perms: [perm('p-hand', ANNA), perm('p-karin', KARIN)], group: dg([member(KARIN)]), managed: [folderRec(KARIN, 'p-karin'), groupRec(KARIN)], former: [ANNA, KARIN] })],
    revocations: ['u1 folder p-hand hand']
  },
  {
    name: 'hand-made grant to a non-manager: reported, never revoked; DG staff left alone silently',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA), perm('p-sven', SVEN, ['read'])], group: dg([member(ANNA), STAFF]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)], former: [ANNA] })],
    reports: ['u1 handMadeGrant sven.berg@goteborg.se']
  },
  {
    name: 'unit deactivated: bot grants revoked, a listed manager\'s hand-made grant kept and reported',
    inputs: [
      input({
        unit: { managers: [ANNA, KARIN], active: false },
        perms: [perm('p-anna', ANNA), perm('p-karin', KARIN)],
        group: dg([member(ANNA), member(KARIN), STAFF]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)],
        former: [ANNA, KARIN]
      })
    ],
    revocations: ['u1 folder p-anna', 'u1 group u-anna'],
    reports: ['u1 unitInactive', 'u1 handMadeGrant karin.lund@goteborg.se']
  },
  {
    name: 'unit deactivated with a distribution list: no removal tasks (nothing there is the bot\'s)',
    inputs: [input({ unit: { managers: [ANNA], active: false }, group: dg([member(ANNA)], 'distributionList'), former: [ANNA] })],
    reports: ['u1 unitInactive']
  },
  {
    name: 'inherited permission of a former manager: not revoked, reported',
    inputs: [
      input({
        unit: { managers: [ANNA] },
        perms: [perm('p-anna', ANNA), perm('p-inh-olle', OLLE, ['write'], { inherited: true }), perm('p-inh-sven', SVEN, ['read'], { inherited: true })],
        group: dg([member(ANNA)]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)],
        former: [OLLE]
      })
    ],
    reports: ['u1 inheritedNotRevoked olle.ek@goteborg.se']
  },
  {
    name: 'group-granted permission: never revoked; a direct one reported, an inherited one silent',
    inputs: [
      input({
        unit: { managers: [ANNA] },
        perms: [
          perm('p-anna', ANNA),
          perm('p-grp', undefined, ['write'], { group: { id: 'g-ec', displayName: 'Enhetschefer' } }),
          perm('p-site', undefined, ['read'], { group: { displayName: 'Besökare' }, inherited: true })
        ],
        group: dg([member(ANNA)]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)],
        former: [ANNA, OLLE]
      })
    ],
    reports: ['u1 groupGrant']
  },
  {
    name: 'owner: a former manager\'s owner grant and an owner grant the bot once recorded are never revoked',
    inputs: [
      input({
        unit: { managers: [ANNA] },
        perms: [perm('p-anna', ANNA), perm('p-olle', OLLE, ['owner']), perm('p-per', PER, ['owner'])],
        group: dg([member(ANNA)]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA), folderRec(PER, 'p-per')],
        former: [ANNA, OLLE]
      })
    ],
    reports: ['u1 ownerNotRevoked olle.ek@goteborg.se', 'u1 ownerNotRevoked per.alm@goteborg.se']
  },
  {
    name: 'sharing link: never revoked; a former manager\'s link reported, an anonymous link silent',
    inputs: [
      input({
        unit: { managers: [ANNA] },
        perms: [perm('p-anna', ANNA), perm('p-link-olle', OLLE, ['write'], { link: true }), perm('p-anyone', undefined, ['read'], { link: true })],
        group: dg([member(ANNA)]),
        managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)],
        former: [ANNA, OLLE]
      })
    ],
    reports: ['u1 linkNotRevoked olle.ek@goteborg.se']
  },
  {
    name: 'distribution list: manual tasks with the exact change',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA)], group: dg([member(OLLE), STAFF], 'distributionList'), managed: [folderRec(ANNA, 'p-anna')], former: [OLLE] })],
    tasks: [
      `u1 Lägg till anna.berg@goteborg.se i DG-gruppen ${DG} (distributionslista; ändras i Exchange admin center).`,
      `u1 Ta bort olle.ek@goteborg.se ur DG-gruppen ${DG} (distributionslista; ändras i Exchange admin center).`
    ]
  },
  {
    name: 'distribution list already changed by hand: no task',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA)], group: dg([member(ANNA), STAFF], 'distributionList'), managed: [folderRec(ANNA, 'p-anna')], former: [OLLE] })]
  },
  {
    name: 'mail-enabled security group: manual task',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA)], group: dg([], 'mailEnabledSecurity'), managed: [folderRec(ANNA, 'p-anna')] })],
    tasks: [`u1 Lägg till anna.berg@goteborg.se i DG-gruppen ${DG} (e-postaktiverad säkerhetsgrupp; ändras i Exchange admin center).`]
  },
  {
    name: 'Microsoft 365 group: Graph changes it',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA)], group: dg([member(OLLE)], 'unified'), managed: [folderRec(ANNA, 'p-anna'), groupRec(OLLE)] })],
    grants: ['u1 group anna.berg@goteborg.se'],
    revocations: ['u1 group u-olle']
  },
  {
    name: 'missing folder: reported, DG still synced, the former manager still owed',
    inputs: [input({ unit: { managers: [ANNA] }, folderMissing: true, group: dg([member(OLLE)]), former: [OLLE] })],
    grants: ['u1 group anna.berg@goteborg.se'],
    revocations: ['u1 group u-olle hand'],
    reports: ['u1 folderMissing']
  },
  {
    name: 'no folder in the units list: reported',
    inputs: [input({ unit: { managers: [ANNA], folder: undefined }, group: dg([member(ANNA)]) })],
    reports: ['u1 noFolder']
  },
  {
    name: 'no DG address: reported, folder still synced',
    inputs: [input({ unit: { managers: [ANNA], dgAddress: undefined } })],
    grants: ['u1 folder(write) anna.berg@goteborg.se'],
    reports: ['u1 noDgAddress']
  },
  {
    name: 'DG group not found: reported',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA)], managed: [folderRec(ANNA, 'p-anna')], group: { status: 'missing', error: 'Request_ResourceNotFound' } })],
    reports: ['u1 dgNotFound']
  },
  {
    name: 'stale record: the bot\'s grant was removed by hand; granted again, record forgotten',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [], group: dg([]), managed: [folderRec(ANNA, 'p-gone'), groupRec(ANNA), groupRec(OLLE)] })],
    grants: ['u1 folder(write) anna.berg@goteborg.se', 'u1 group anna.berg@goteborg.se'],
    forget: ['u1 folder p-gone', 'u1 group u-anna', 'u1 group u-olle']
  },
  {
    name: 'matching: e-mail case-insensitive when one side lacks an id',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', { email: 'Anna.Berg@Goteborg.SE' })], group: dg([{ id: 'u-anna', email: 'ANNA.BERG@goteborg.se' }]) })],
    reports: ['u1 managerHandGranted anna.berg@goteborg.se']
  },
  {
    name: 'matching: different Entra ids are different people even with the same e-mail',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-old', { id: 'u-old-anna', email: ANNA.email })], group: dg([member(ANNA)]) })],
    grants: ['u1 folder(write) anna.berg@goteborg.se'],
    reports: ['u1 handMadeGrant anna.berg@goteborg.se']
  },
  {
    name: 'managed record without a permission id: matched by person',
    inputs: [input({ unit: { managers: [ANNA] }, perms: [perm('p-olle', OLLE)], group: dg([member(ANNA)]), managed: [folderRec(OLLE, undefined)] })],
    grants: ['u1 folder(write) anna.berg@goteborg.se'],
    revocations: ['u1 folder p-olle']
  }
];

/* ---------- Tests ---------- */

describe('core/permissionPlanner', () => {
  describe('planAll: table', () => {
    for (const c of CASES) {
      it(c.name, () => {
        const result = planAll(c.inputs, c.options);
        const s = summarize(result.plans);
        assert.equal(result.stopped, false);
        assert.deepEqual(s.grants.sort(), (c.grants ?? []).slice().sort(), 'grants');
        assert.deepEqual(s.revocations.sort(), (c.revocations ?? []).slice().sort(), 'revocations');
        assert.deepEqual(s.tasks.sort(), (c.tasks ?? []).slice().sort(), 'manual tasks');
        assert.deepEqual(s.reports.sort(), (c.reports ?? []).slice().sort(), 'reports');
        assert.deepEqual(s.forget.sort(), (c.forget ?? []).slice().sort(), 'forget');
        const changes = [...(c.grants ?? []), ...(c.revocations ?? []), ...(c.tasks ?? []), ...(c.forget ?? [])];
        result.plans.forEach((p) => assert.equal(p.noop, !changes.some((x) => x.startsWith(`${p.unitId} `)), `noop of ${p.unitId}`));
      });
    }
  });

  describe('idempotence: planning the applied state gives a noop plan', () => {
    for (const c of CASES) {
      it(c.name, () => {
        const first = planAll(c.inputs, c.options);
        const applied = c.inputs.map((inp, k) => applyPlanToState(inp, first.plans[k]));
        const second = planAll(applied, c.options);
        second.plans.forEach((p) => {
          assert.equal(p.noop, true, `${p.unitId}: ${JSON.stringify(summarize([p]))}`);
        });
        assert.equal(second.revocationCount, 0);
        // A third pass changes nothing more: the applied state is a fixpoint.
        const again = c.inputs.map((_, k) => applyPlanToState(applied[k], second.plans[k]));
        assert.deepEqual(
          again.map((a) => [a.folder, a.dgGroup, a.managedGrants]),
          applied.map((a) => [a.folder, a.dgGroup, a.managedGrants])
        );
      });
    }
  });

  describe('plan details', () => {
    it('a grant says why; a revocation says why and whether the bot made it', () => {
      const plan = planUnitAccess(
        input({ unit: { acting: [{ ...PER, endDate: '2025-03-31' }] }, perms: [perm('p-olle', OLLE)], former: [OLLE] })
      );
      assert.equal(plan.grants[0].reason, 't.f. enhetschef/ställföreträdare t.o.m. 2025-03-31');
      assert.deepEqual(plan.revocations, [
        { kind: 'folder', unitId: 'u1', permissionId: 'p-olle', person: { id: 'u-olle', email: 'olle.ek@goteborg.se', displayName: undefined }, managed: false, reason: 'Tidigare listad chef; står inte längre som chef i enhetslistan.' }
      ]);
    });

    it('an expired acting period is named in the revocation reason', () => {
      const plan = planUnitAccess(input({ unit: { acting: [{ ...PER, endDate: '2025-03-09' }] }, perms: [perm('p-per', PER)] }));
      assert.equal(plan.revocations[0].reason, 'Tidigare listad chef; förordnandet gick ut 2025-03-09.');
    });

    it('a distribution-list task not yet done comes back at the next reconcile', () => {
      const first = planUnitAccess(input({ unit: { managers: [ANNA] }, group: dg([member(OLLE)], 'distributionList'), former: [OLLE] }));
      assert.equal(first.manualTasks.length, 2);
      // The applier ran the grants; nobody touched the distribution list; the store kept nextFormerManagers.
      const next = input({
        unit: { managers: [ANNA] },
        perms: [perm('p-anna', ANNA)],
        managed: [folderRec(ANNA, 'p-anna')],
        group: dg([member(OLLE)], 'distributionList'),
        former: first.nextFormerManagers
      });
      assert.ok(first.nextFormerManagers.some((p) => samePerson(p, OLLE)), 'Olle still owed a removal');
      const second = planUnitAccess(next);
      assert.deepEqual(second.manualTasks.map((t) => t.text), first.manualTasks.map((t) => t.text));
      assert.equal(second.noop, false);
    });

    it('a former manager whose access cannot be removed stays reported until fixed', () => {
      const state = input({ unit: { managers: [ANNA] }, perms: [perm('p-anna', ANNA), perm('p-o', OLLE, ['owner'])], group: dg([member(ANNA)]), managed: [folderRec(ANNA, 'p-anna'), groupRec(ANNA)], former: [OLLE] });
      const first = planUnitAccess(state);
      const second = planUnitAccess(applyPlanToState(state, first));
      assert.deepEqual(second.reports.map((r) => [r.code, r.needsHuman]), [['ownerNotRevoked', true]]);
    });

    it('nextFormerManagers is the desired set once everything is done', () => {
      const plan = planUnitAccess(input({ unit: { managers: [ANNA], acting: [KARIN] }, perms: [perm('p-olle', OLLE)], former: [OLLE] }));
      assert.deepEqual(plan.nextFormerManagers.map((p) => p.email), [ANNA.email, KARIN.email]);
    });

    it('an inactive unit keeps its listed people, so a reactivation can still clean up', () => {
      const plan = planUnitAccess(input({ unit: { managers: [ANNA], active: false }, former: [OLLE] }));
      assert.deepEqual(plan.nextFormerManagers.map((p) => p.email).sort(), [ANNA.email, OLLE.email].sort());
      assert.deepEqual(plan.desired, []);
    });

    it('the missing-folder report carries the error', () => {
      const plan = planUnitAccess(input({ unit: { managers: [ANNA] }, folderMissing: true }));
      assert.match(plan.reports[0].text, /"Hemtjänst Centrum" hittades inte \(itemNotFound\)/);
      assert.equal(plan.reports[0].needsHuman, true);
    });

    it('an inactive unit with no folder is not reported when the bot has nothing there', () => {
      const plan = planUnitAccess(input({ unit: { active: false, folder: undefined, dgAddress: undefined } }));
      assert.deepEqual(plan.reports.map((r) => r.code), ['unitInactive']);
      assert.equal(plan.noop, true);
    });

    it('does not mutate its input', () => {
      const state = input({ unit: { managers: [ANNA] }, perms: [perm('p-olle', OLLE)], group: dg([member(OLLE)]), managed: [folderRec(OLLE, 'p-olle')], former: [OLLE] });
      const copy = JSON.parse(JSON.stringify(state)) as unknown;
      const plan = planUnitAccess(state);
      applyPlanToState(state, plan);
      assert.deepEqual(JSON.parse(JSON.stringify(state)), copy);
    });
  });

  describe('mass-revocation guard', () => {
    /** n units, each with its manager's bot-made folder grant and DG membership. */
    function library(n: number, strip: (i: number) => boolean): UnitAccessInput[] {
      return Array.from({ length: n }, (_, i) => {
        const m: PersonRef = { id: `u-m${i}`, email: `chef${i}@goteborg.se` };
        return input({
          unit: { id: `e${i}`, name: `Enhet ${i}`, managers: strip(i) ? [] : [m] },
          perms: [perm(`p${i}`, m)],
          group: dg([member(m)]),
          managed: [folderRec(m, `p${i}`, `e${i}`), groupRec(m, `e${i}`)],
          former: [m]
        });
      });
    }

    it('stops a plan that would strip a whole library', () => {
      const r = planAll(library(10, () => true));
      assert.equal(r.revocationCount, 20);
      assert.equal(r.managedCount, 20);
      assert.equal(r.stopped, true);
      assert.match(r.stopReason ?? '', /ta bort 20 behörigheter, 100 % av de 20 som boten hanterar/);
      assert.equal(r.plans.length, 10, 'the plans are still there to show');
    });

    it('stops a small library stripped bare, below the floor', () => {
      const r = planAll(library(2, () => true));
      assert.equal(r.revocationCount, 4);
      assert.equal(r.stopped, true);
      assert.match(r.stopReason ?? '', /all behörighet som boten gett till enhetsmapparna \(2 enheter\)/);
    });

    it('lets one unit in a one-unit library change manager', () => {
      const [one] = library(1, () => true);
      const r = planAll([{ ...one, unit: { ...one.unit, managers: [ANNA] } }]);
      assert.equal(r.stopped, false);
    });

    it('lets an ordinary manager change through', () => {
      const r = planAll(library(10, (i) => i === 3));
      assert.equal(r.revocationCount, 2);
      assert.equal(r.stopped, false);
      assert.equal(r.stopReason, undefined);
    });

    it('share boundary: 6 of 30 passes, 7 of 30 stops', () => {
      // 15 units × 2 managed grants = 30; a stripped unit revokes 2 (folder + group), or 1 when its DG is empty.
      const thirty = library(15, () => false);
      const strip = (k: number): UnitAccessInput[] => thirty.map((u, i) => (i < k ? { ...u, unit: { ...u.unit, managers: [] } } : u));
      assert.equal(planAll(strip(3)).stopped, false); // 6 revocations = 20 % of 30: not above
      const seven = strip(4).map((u, i) => (i === 3 ? { ...u, dgGroup: dg([]) } : u)); // 3×2 + 1 = 7
      const r = planAll(seven);
      assert.equal(r.revocationCount, 7);
      assert.equal(r.stopped, true);
    });

    it('the floor: 5 revocations never trip the share rule', () => {
      const r = planAll(library(20, (i) => i < 3).map((u, i) => (i === 0 ? { ...u, dgGroup: dg([]) } : u)), { maxRevokeShare: 0.01 });
      assert.equal(r.revocationCount, 5);
      assert.equal(r.stopped, false);
    });

    it('a human may approve a stopped plan', () => {
      const r = planAll(library(10, () => true), { approveMassRevocation: true });
      assert.equal(r.stopped, false);
      assert.equal(r.revocationCount, 20);
    });

    it('manual removals in distribution lists are not counted as revocations', () => {
      const units = library(8, () => true).map((u) => ({ ...u, dgGroup: { ...(u.dgGroup as Extract<DgGroupState, { status: 'found' }>), kind: 'distributionList' as const }, managedGrants: u.managedGrants.filter((g) => g.kind === 'folder') }));
      const r = planAll(units, { maxRevokeShare: 0.2 });
      assert.equal(r.revocationCount, 8);
      assert.equal(r.plans.reduce((n, p) => n + p.manualTasks.length, 0), 8);
      assert.equal(r.stopped, true);
    });
  });

  describe('stockholmDate', () => {
    const rows: [string, string][] = [
      ['2025-03-10T10:00:00Z', '2025-03-10'],
      ['2025-03-10T22:59:59Z', '2025-03-10'], // CET: 23:59:59
      ['2025-03-10T23:00:00Z', '2025-03-11'],
      ['2025-07-01T21:59:59Z', '2025-07-01'], // CEST: 23:59:59
      ['2025-07-01T22:00:00Z', '2025-07-02'],
      ['2025-12-31T23:30:00Z', '2026-01-01']
    ];
    for (const [instant, day] of rows) {
      it(`${instant} → ${day}`, () => assert.equal(stockholmDate(new Date(instant)), day));
    }
  });

  describe('samePerson', () => {
    it('uses ids when both have one, else e-mail without case', () => {
      assert.equal(samePerson({ id: 'A', email: 'x@y' }, { id: 'a', email: 'z@y' }), true);
      assert.equal(samePerson({ id: 'a', email: 'x@y' }, { id: 'b', email: 'x@y' }), false);
      assert.equal(samePerson({ email: 'X@Y' }, { id: 'b', email: 'x@y' }), true);
      assert.equal(samePerson({ email: '' }, { email: '' }), false);
    });
  });

  describe('formatPlanTable', () => {
    it('prints one aligned row per step, leaves quiet units out, and counts', () => {
      const plans = planAll([
        input({ unit: { managers: [ANNA] }, perms: [perm('p-olle', OLLE)], group: dg([member(OLLE)], 'distributionList'), managed: [folderRec(OLLE, 'p-olle')], former: [OLLE] }),
        input({ unit: { id: 'u2', name: 'Tyst enhet', managers: [KARIN] }, perms: [perm('p-k', KARIN)], group: dg([member(KARIN)]), managed: [folderRec(KARIN, 'p-k', 'u2'), groupRec(KARIN, 'u2')] })
      ]).plans;
      const text = formatPlanTable(plans);
      const lines = text.split('\n');
      assert.match(lines[0], /^Enhet\s+Åtgärd\s+Vem\s+Mål\s+Orsak$/);
      assert.match(lines[1], /^-+ {2}-+ {2}-+ {2}-+ {2}-+$/);
      const body = lines.slice(2, lines.indexOf(''));
      assert.equal(body.length, 4);
      assert.ok(body.every((l) => l.startsWith('Hemtjänst Centrum')));
      assert.ok(!text.includes('Tyst enhet'));
      const col = lines[0].indexOf('Åtgärd');
      assert.deepEqual(body.map((l) => l.slice(col).split('  ')[0]).sort(), ['Ge mappbehörighet', 'Manuell uppgift', 'Manuell uppgift', 'Ta bort behörighet']);
      assert.ok(body.some((l) => l.includes(`Lägg till anna.berg@goteborg.se i DG-gruppen ${DG}`)));
      assert.equal(lines[lines.length - 1], '2 enheter: 1 tilldelningar, 1 borttagningar, 2 manuella uppgifter, 0 rapporter.');
    });

    it('cuts long cells with an ellipsis and keeps columns fixed', () => {
      const plans = planAll([input({ unit: { name: 'En mycket lång enhetsbeteckning som inte får plats', managers: [ANNA] }, group: dg([member(ANNA)]) })]).plans;
      const lines = formatPlanTable(plans).split('\n');
      assert.ok(lines[2].startsWith('En mycket lång enhetsbeteck… '));
      assert.equal(lines[2].indexOf('Ge mappbehörighet'), lines[0].indexOf('Åtgärd'));
    });

    it('says so when there is nothing to do', () => {
      assert.match(formatPlanTable([]), /\(inga ändringar\)/);
    });
  });
});
