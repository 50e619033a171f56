/**
 * Permission planner: what must change so that a unit's folder and DG group give access to exactly
 * the people the units list names (DESIGN.md §2 "Manager change", §5). Pure: the caller reads the
 * actual state through graph/ and store/, passes `now`, and applies the plan with jobs/.
 *
 * Rules (the issue is silent on some; these are the choices, each tested in
 * test/unit/core/permissionPlanner.spec.ts):
 *
 * - **Desired**: the unit's managers, plus acting managers and deputies whose end date (inclusive)
 *   is today or later in Europe/Stockholm, or who have none. An inactive unit desires nobody.
 * - **Access that counts**: a direct (not inherited), non-link user grant on the folder whose role
 *   is at least the configured one (`owner` ⊇ `write` ⊇ `read`). Inherited, group and link access
 *   do not count: the bot grants directly so that a manager's access does not hang on a parent.
 * - **Revocable** (never inherited, link, group or owner grants):
 *   a grant in the bot's record ({@link ManagedGrant}), or a direct grant to a *former manager* —
 *   someone in `formerManagers` or an acting manager whose end date has passed, and who is not
 *   desired now. For an inactive unit only the bot's own grants are revoked; nothing else is.
 * - **Hand-made grant to a current manager**: kept, no new grant, and the bot does NOT take it
 *   over (no record is written). It is still removed when the person stops being a listed manager,
 *   because they are then a former manager. Reported as information.
 * - **Hand-made grant to anyone else** on the folder: left alone and reported. DG members who are
 *   neither desired, recorded nor former managers are the unit's staff: left alone silently.
 * - **DG groups Graph cannot change** (distribution list, mail-enabled security group): each
 *   missing or surplus member becomes a manual task; when the members already match there is no
 *   task, so the next reconcile is the check that it was done.
 * - **Stale records** (the bot's grant no longer exists, or now belongs to someone else) are listed
 *   in `forget` so the store drops them; a person still desired simply gets a new grant.
 * - **noop** means no grants, revocations, manual tasks or records to forget. Reports may remain:
 *   they describe a standing state (a missing DG address stays missing until someone fixes it).
 */

import type {
  DgGroupKind,
  FolderPermission,
  GroupMember,
  ManagedGrant,
  PersonRef,
  Unit
} from './model';

/* ---------- Input ---------- */

/** Role the bot grants on a unit folder. */
export type FolderRole = 'read' | 'write';

/** The unit folder as graph/ found it. */
export type UnitFolderState =
  | { status: 'found'; permissions: FolderPermission[] }
  | { status: 'missing'; error?: string };

/** The unit's DG group as graph/ found it (looked up by the unit's `dgAddress`). */
export type DgGroupState =
  | { status: 'found'; id: string; kind: DgGroupKind; members: GroupMember[] }
  | { status: 'missing'; error?: string };

/** Everything the planner needs about one unit. */
export interface UnitAccessInput {
  unit: Unit;
  /** The instant of planning; end dates are compared as Europe/Stockholm calendar days. */
  now: Date;
  folder: UnitFolderState;
  dgGroup: DgGroupState;
  /** What the bot granted earlier for this unit (records of other units are ignored). */
  managedGrants: ManagedGrant[];
  /** People who were listed managers at the last applied plan: the stored {@link AccessPlan.nextFormerManagers}. */
  formerManagers: PersonRef[];
}

export interface PlanOptions {
  /** Role granted on the folder; default 'write'. */
  folderRole?: FolderRole;
}

export interface PlanAllOptions extends PlanOptions {
  /** Stop when revocations exceed this share of all managed grants (and the floor); default 0.2. */
  maxRevokeShare?: number;
  /** The share rule applies only above this many revocations; default 5. */
  revokeFloor?: number;
  /** A human has reviewed the plan: do not stop. */
  approveMassRevocation?: boolean;
}

/* ---------- Output ---------- */

export interface FolderGrant {
  kind: 'folder';
  unitId: string;
  person: PersonRef;
  role: FolderRole;
  reason: string;
}

export interface GroupGrant {
  kind: 'group';
  unitId: string;
  groupId: string;
  groupAddress: string;
  person: PersonRef;
  reason: string;
}

export type AccessGrant = FolderGrant | GroupGrant;

export interface FolderRevocation {
  kind: 'folder';
  unitId: string;
  permissionId: string;
  person: PersonRef;
  /** True when the bot's record holds this grant; false for a former manager's hand-made grant. */
  managed: boolean;
  reason: string;
}

export interface GroupRevocation {
  kind: 'group';
  unitId: string;
  groupId: string;
  groupAddress: string;
  /** Entra id of the member to remove. */
  memberId: string;
  person: PersonRef;
  managed: boolean;
  reason: string;
}

export type AccessRevocation = FolderRevocation | GroupRevocation;

/** A change Graph cannot make: a human does it in Exchange admin center. */
export interface ManualTask {
  unitId: string;
  action: 'addMember' | 'removeMember';
  groupAddress: string;
  groupKind: DgGroupKind;
  person: PersonRef;
  /** Swedish, exact: who, which group, where to change it. */
  text: string;
}

export type AccessReportCode =
  | 'unitInactive'
  | 'noFolder'
  | 'folderMissing'
  | 'noDgAddress'
  | 'dgNotFound'
  | 'invalidEndDate'
  | 'managerHandGranted'
  | 'handMadeGrant'
  | 'groupGrant'
  | 'inheritedNotRevoked'
  | 'ownerNotRevoked'
  | 'linkNotRevoked';

/** Something a human should know. Swedish text. */
export interface AccessReport {
  unitId: string;
  code: AccessReportCode;
  person?: PersonRef;
  permissionId?: string;
  /** True when access is wrong until a human acts (the CLI exits non-zero). */
  needsHuman: boolean;
  text: string;
}

export interface AccessPlan {
  unitId: string;
  unitName: string;
  /** Who should have access now. */
  desired: PersonRef[];
  grants: AccessGrant[];
  revocations: AccessRevocation[];
  manualTasks: ManualTask[];
  reports: AccessReport[];
  /** Records of the bot's grants that no longer match reality: delete them from the store. */
  forget: ManagedGrant[];
  /**
   * What to store as `formerManagers` once this plan is applied: the desired people, plus former
   * managers the bot still owes something (an open manual task, access it cannot remove, a folder
   * or group it could not read). An inactive unit keeps its list, so reactivation can still clean up.
   * If a revocation fails, the applier keeps that person too; if the run is stopped, keep the old list.
   */
  nextFormerManagers: PersonRef[];
  noop: boolean;
}

export interface PlanAllResult {
  plans: AccessPlan[];
  /** Revocations over all plans (manual removals not counted: a human makes those). */
  revocationCount: number;
  /** Managed grants on record before the run. */
  managedCount: number;
  /** True when the guard stopped the run: apply none of the plans. */
  stopped: boolean;
  /** Swedish, for the administrators. */
  stopReason?: string;
}

/* ---------- People ---------- */

/** Same person: by Entra id when both sides have one, else by lower-case e-mail. */
export function samePerson(a: { id?: string; email?: string }, b: { id?: string; email?: string }): boolean {
  if (a.id && b.id) {
    return a.id.toLowerCase() === b.id.toLowerCase();
  }
  return !!a.email && !!b.email && a.email.toLowerCase() === b.email.toLowerCase();
}

function contains(people: readonly PersonRef[], p: { id?: string; email?: string }): boolean {
  return people.some((q) => samePerson(q, p));
}

function addUnique(people: PersonRef[], p: PersonRef): void {
  if (!contains(people, p)) {
    people.push(p);
  }
}

function who(p: { email?: string; displayName?: string; id?: string }): string {
  return p.email || p.displayName || p.id || 'okänd';
}

function personOfUser(u: NonNullable<FolderPermission['user']>): PersonRef {
  return { id: u.id, email: (u.email ?? '').toLowerCase(), displayName: u.displayName };
}

function personOfMember(m: GroupMember): PersonRef {
  return { id: m.id, email: (m.email ?? '').toLowerCase(), displayName: m.displayName };
}

/* ---------- Dates ---------- */

const stockholmDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit'
});

/** The calendar day of an instant in Europe/Stockholm, as YYYY-MM-DD. */
export function stockholmDate(now: Date): string {
  const parts = stockholmDay.formatToParts(now);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/* ---------- Folder roles ---------- */

const ROLE_RANK: Record<string, number> = { read: 1, write: 2, owner: 3 };

function hasRole(p: FolderPermission, role: FolderRole): boolean {
  return p.roles.some((r) => (ROLE_RANK[r.toLowerCase()] ?? 0) >= ROLE_RANK[role]);
}

function isOwner(p: FolderPermission): boolean {
  return p.roles.some((r) => r.toLowerCase() === 'owner');
}

/** A direct grant to one user: the only kind the bot ever revokes (unless it is owner). */
function isDirectUserGrant(p: FolderPermission): boolean {
  return !p.inherited && !p.link && !p.group && !!p.user;
}

/* ---------- Planning one unit ---------- */

interface Desire {
  desired: PersonRef[];
  /** Why each desired person is desired (same order). */
  why: string[];
  /** Acting managers whose end date has passed: listed, hence "former" for revocation. */
  expired: { person: PersonRef; endDate: string }[];
  reports: AccessReport[];
}

function computeDesire(unit: Unit, today: string): Desire {
  const d: Desire = { desired: [], why: [], expired: [], reports: [] };
  for (const m of unit.managers) {
    if (!contains(d.desired, m)) {
      d.desired.push(m);
      d.why.push('enhetschef');
    }
  }
  for (const a of unit.acting) {
    const person: PersonRef = { id: a.id, email: a.email, displayName: a.displayName };
    if (a.endDate !== undefined && !ISO_DATE.test(a.endDate)) {
      // A typo in the list must not take access away: keep it, and say so.
      d.reports.push({
        unitId: unit.id,
        code: 'invalidEndDate',
        person,
        needsHuman: true,
        text: `Ogiltigt slutdatum "${a.endDate}" för ${who(a)}; behörigheten behålls tills datumet rättas i enhetslistan.`
      });
    } else if (a.endDate !== undefined && a.endDate < today) {
      d.expired.push({ person, endDate: a.endDate });
      continue;
    }
    if (!contains(d.desired, person)) {
      d.desired.push(person);
      d.why.push(
        a.endDate && ISO_DATE.test(a.endDate)
          ? `t.f. enhetschef/ställföreträdare t.o.m. ${a.endDate}`
          : 't.f. enhetschef/ställföreträdare'
      );
    }
  }
  return d;
}

const KIND_TEXT: Record<DgGroupKind, string> = {
  unified: 'Microsoft 365-grupp',
  security: 'säkerhetsgrupp',
  mailEnabledSecurity: 'e-postaktiverad säkerhetsgrupp',
  distributionList: 'distributionslista'
};

function graphCanChange(kind: DgGroupKind): boolean {
  return kind === 'unified' || kind === 'security';
}

/**
 * Plan one unit: compare desired access with the folder's permissions and the DG group's
 * members. Never throws on missing data: a missing folder or group becomes a report.
 */
export function planUnitAccess(input: UnitAccessInput, options: PlanOptions = {}): AccessPlan {
  const role: FolderRole = options.folderRole ?? 'write';
  const { unit } = input;
  const today = stockholmDate(input.now);
  const managed = input.managedGrants.filter((g) => g.unitId === unit.id);
  const desire = unit.active ? computeDesire(unit, today) : { desired: [], why: [], expired: [], reports: [] };
  const { desired } = desire;

  const plan: AccessPlan = {
    unitId: unit.id,
    unitName: unit.name,
    desired,
    grants: [],
    revocations: [],
    manualTasks: [],
    reports: [...desire.reports],
    forget: [],
    nextFormerManagers: [],
    noop: true
  };

  // Former managers: listed before (or an acting period that ended) and not desired now.
  // An inactive unit revokes only the bot's own grants, so it has no "former" people to act on.
  const former: PersonRef[] = [];
  if (unit.active) {
    for (const p of [...input.formerManagers, ...desire.expired.map((e) => e.person)]) {
      if (!contains(desired, p)) {
        addUnique(former, p);
      }
    }
  }
  /** Former managers the bot still owes something: kept in nextFormerManagers. */
  const owed: PersonRef[] = [];

  const whyGone = (p: PersonRef): string => {
    if (!unit.active) {
      return 'enheten är inaktiv';
    }
    const exp = desire.expired.find((e) => samePerson(e.person, p));
    if (exp) {
      return `förordnandet gick ut ${exp.endDate}`;
    }
    return 'står inte längre som chef i enhetslistan';
  };

  if (!unit.active) {
    plan.reports.push({
      unitId: unit.id,
      code: 'unitInactive',
      needsHuman: false,
      text: 'Enheten är inaktiv: boten tar bara bort behörigheter som den själv gett; övriga lämnas kvar.'
    });
  }

  planFolder(input, role, desire, former, managed, whyGone, plan, owed);
  planGroup(input, desire, former, managed, whyGone, plan, owed);

  const next: PersonRef[] = [];
  desired.forEach((p) => addUnique(next, p));
  owed.forEach((p) => addUnique(next, p));
  if (!unit.active) {
    input.formerManagers.forEach((p) => addUnique(next, p));
    unit.managers.forEach((p) => addUnique(next, p));
    unit.acting.forEach((a) => addUnique(next, { id: a.id, email: a.email, displayName: a.displayName }));
  }
  plan.nextFormerManagers = next;
  plan.noop =
    plan.grants.length === 0 &&
    plan.revocations.length === 0 &&
    plan.manualTasks.length === 0 &&
    plan.forget.length === 0;
  return plan;
}

function planFolder(
  input: UnitAccessInput,
  role: FolderRole,
  desire: Desire,
  former: PersonRef[],
  managedAll: ManagedGrant[],
  whyGone: (p: PersonRef) => string,
  plan: AccessPlan,
  owed: PersonRef[]
): void {
  const { unit } = input;
  const managed = managedAll.filter((g) => g.kind === 'folder');
  const { desired } = desire;

  if (!unit.folder || input.folder.status === 'missing') {
    // Report for an inactive unit only if the bot still has grants there it cannot clean up.
    if (unit.active || managed.length > 0) {
      const text = !unit.folder
        ? 'Enheten saknar mapp (Mapp) i enhetslistan; mappens behörigheter kan inte synkas.'
        : `Enhetens mapp "${unit.folder}" hittades inte${input.folder.status === 'missing' && input.folder.error ? ` (${input.folder.error})` : ''}; mappens behörigheter kan inte synkas.`;
      plan.reports.push({ unitId: unit.id, code: !unit.folder ? 'noFolder' : 'folderMissing', needsHuman: true, text });
    }
    former.forEach((p) => addUnique(owed, p));
    return;
  }
  const perms = input.folder.permissions;
  const folderName = unit.folder;

  /** The record for a permission, if the bot made it. */
  const recordOf = (p: FolderPermission): ManagedGrant | undefined =>
    managed.find((g) =>
      g.permissionId !== undefined
        ? g.permissionId === p.id && !!p.user && samePerson({ id: g.userId, email: g.email }, p.user)
        : isDirectUserGrant(p) && !isOwner(p) && !!p.user && samePerson({ id: g.userId, email: g.email }, p.user)
    );

  // Stale records: the permission is gone, or its id now points at someone else.
  for (const g of managed) {
    if (g.permissionId === undefined) {
      continue;
    }
    const p = perms.find((x) => x.id === g.permissionId);
    if (!p || !p.user || !samePerson({ id: g.userId, email: g.email }, p.user)) {
      plan.forget.push(g);
    }
  }

  // Desired people without sufficient direct access get a grant.
  desired.forEach((d, i) => {
    const direct = perms.filter((p) => isDirectUserGrant(p) && samePerson(d, p.user!) && hasRole(p, role));
    if (direct.length === 0) {
      plan.grants.push({ kind: 'folder', unitId: unit.id, person: d, role, reason: desire.why[i] });
    } else if (!direct.some((p) => recordOf(p) !== undefined)) {
      plan.reports.push({
        unitId: unit.id,
        code: 'managerHandGranted',
        person: d,
        permissionId: direct[0].id,
        needsHuman: false,
        text: `${who(d)} har redan behörighet till mappen genom en handgjord behörighet; boten ger ingen ny och tar inte över den. Den tas bort när ${who(d)} inte längre står som chef.`
      });
    }
  });

  for (const p of perms) {
    const person = p.user ? personOfUser(p.user) : undefined;
    const isDesired = !!person && contains(desired, person);
    const isFormer = !!person && !isDesired && contains(former, person);
    if (isDesired) {
      continue;
    }
    if (p.inherited) {
      if (isFormer) {
        addUnique(owed, person!);
        plan.reports.push({
          unitId: unit.id,
          code: 'inheritedNotRevoked',
          person,
          permissionId: p.id,
          needsHuman: true,
          text: `${who(person!)} (${whyGone(person!)}) har kvar en ärvd behörighet till mappen "${folderName}"; den ändras i överordnad mapp eller på webbplatsen, inte av boten.`
        });
      }
      continue;
    }
    if (p.link) {
      if (isFormer) {
        addUnique(owed, person!);
        plan.reports.push({
          unitId: unit.id,
          code: 'linkNotRevoked',
          person,
          permissionId: p.id,
          needsHuman: true,
          text: `${who(person!)} (${whyGone(person!)}) har kvar en delningslänk till mappen "${folderName}"; boten tar inte bort länkar.`
        });
      }
      continue;
    }
    if (p.group) {
      plan.reports.push({
        unitId: unit.id,
        code: 'groupGrant',
        permissionId: p.id,
        needsHuman: false,
        text: `Mappen "${folderName}" är delad direkt med gruppen ${p.group.displayName ?? p.group.id ?? 'okänd'}; boten rör inte gruppbehörigheter.`
      });
      continue;
    }
    if (!person) {
      continue;
    }
    const record = recordOf(p);
    if (isOwner(p)) {
      if (record || isFormer) {
        addUnique(owed, person);
        plan.reports.push({
          unitId: unit.id,
          code: 'ownerNotRevoked',
          person,
          permissionId: p.id,
          needsHuman: true,
          text: `${who(person)} (${whyGone(person)}) är ägare till mappen "${folderName}"; boten tar aldrig bort ägarbehörighet.`
        });
      } else {
        plan.reports.push(handMade(unit.id, person, p, folderName));
      }
      continue;
    }
    if (record) {
      plan.revocations.push({
        kind: 'folder',
        unitId: unit.id,
        permissionId: p.id,
        person,
        managed: true,
        reason: `Boten gav behörigheten; ${whyGone(person)}.`
      });
    } else if (isFormer) {
      plan.revocations.push({
        kind: 'folder',
        unitId: unit.id,
        permissionId: p.id,
        person,
        managed: false,
        reason: `Tidigare listad chef; ${whyGone(person)}.`
      });
    } else {
      plan.reports.push(handMade(unit.id, person, p, folderName));
    }
  }
}

function handMade(unitId: string, person: PersonRef, p: FolderPermission, folderName: string): AccessReport {
  return {
    unitId,
    code: 'handMadeGrant',
    person,
    permissionId: p.id,
    needsHuman: false,
    text: `${who(person)} har en handgjord behörighet (${p.roles.join(', ')}) till mappen "${folderName}" men står inte som chef; boten lämnar den.`
  };
}

function planGroup(
  input: UnitAccessInput,
  desire: Desire,
  former: PersonRef[],
  managedAll: ManagedGrant[],
  whyGone: (p: PersonRef) => string,
  plan: AccessPlan,
  owed: PersonRef[]
): void {
  const { unit } = input;
  const managed = managedAll.filter((g) => g.kind === 'group');
  const { desired } = desire;
  const address = unit.dgAddress;

  if (!address || input.dgGroup.status === 'missing') {
    if (unit.active || managed.length > 0) {
      plan.reports.push(
        !address
          ? {
              unitId: unit.id,
              code: 'noDgAddress',
              needsHuman: true,
              text: 'Enheten saknar DG-adress i enhetslistan; DG-gruppens medlemmar kan inte synkas.'
            }
          : {
              unitId: unit.id,
              code: 'dgNotFound',
              needsHuman: true,
              text: `DG-gruppen ${address} hittades inte${input.dgGroup.status === 'missing' && input.dgGroup.error ? ` (${input.dgGroup.error})` : ''}; medlemmarna kan inte synkas.`
            }
      );
    }
    former.forEach((p) => addUnique(owed, p));
    return;
  }
  const group = input.dgGroup;
  const members = group.members;
  const byGraph = graphCanChange(group.kind);
  const where = `${KIND_TEXT[group.kind]}; ändras i Exchange admin center`;

  const recordOf = (m: GroupMember): ManagedGrant | undefined =>
    managed.find((g) => samePerson({ id: g.userId, email: g.email }, { id: m.id, email: m.email }));

  for (const g of managed) {
    if (!members.some((m) => samePerson({ id: g.userId, email: g.email }, { id: m.id, email: m.email }))) {
      plan.forget.push(g);
    }
  }

  desired.forEach((d, i) => {
    if (members.some((m) => samePerson(d, personOfMember(m)))) {
      return;
    }
    if (byGraph) {
      plan.grants.push({ kind: 'group', unitId: unit.id, groupId: group.id, groupAddress: address, person: d, reason: desire.why[i] });
    } else {
      plan.manualTasks.push({
        unitId: unit.id,
        action: 'addMember',
        groupAddress: address,
        groupKind: group.kind,
        person: d,
        text: `Lägg till ${who(d)} i DG-gruppen ${address} (${where}).`
      });
    }
  });

  for (const m of members) {
    const person = personOfMember(m);
    if (contains(desired, person)) {
      continue;
    }
    const record = recordOf(m);
    const isFormer = contains(former, person);
    if (!record && !isFormer) {
      continue; // the unit's staff: not ours
    }
    const reason = record ? `Boten lade till medlemmen; ${whyGone(person)}.` : `Tidigare listad chef; ${whyGone(person)}.`;
    if (byGraph) {
      plan.revocations.push({
        kind: 'group',
        unitId: unit.id,
        groupId: group.id,
        groupAddress: address,
        memberId: m.id,
        person,
        managed: !!record,
        reason
      });
    } else {
      addUnique(owed, person);
      plan.manualTasks.push({
        unitId: unit.id,
        action: 'removeMember',
        groupAddress: address,
        groupKind: group.kind,
        person,
        text: `Ta bort ${who(person)} ur DG-gruppen ${address} (${where}).`
      });
    }
  }
}

/* ---------- The whole run ---------- */

/**
 * Plan every unit and apply the mass-revocation guard. When `stopped`, apply none of the plans:
 * show them (dry run) and ask a human. The guard stops when
 * - revocations exceed both `revokeFloor` (5) and `maxRevokeShare` (0.2) of the managed grants, or
 * - the run would leave no unit folder with access the bot manages, where at least two had some
 *   (a plan that strips a whole library, however small the library).
 */
export function planAll(inputs: readonly UnitAccessInput[], options: PlanAllOptions = {}): PlanAllResult {
  const share = options.maxRevokeShare ?? 0.2;
  const floor = options.revokeFloor ?? 5;
  const plans = inputs.map((i) => planUnitAccess(i, options));
  const revocationCount = plans.reduce((n, p) => n + p.revocations.length, 0);
  const managedCount = inputs.reduce(
    (n, i) => n + i.managedGrants.filter((g) => g.unitId === i.unit.id).length,
    0
  );

  let unitsBefore = 0;
  let unitsAfter = 0;
  inputs.forEach((input, k) => {
    const plan = plans[k];
    const folderRecords = input.managedGrants.filter((g) => g.unitId === input.unit.id && g.kind === 'folder');
    if (folderRecords.length > 0) {
      unitsBefore++;
    }
    const revoked = new Set(plan.revocations.filter((r) => r.kind === 'folder').map((r) => r.permissionId));
    const remaining = folderRecords.filter(
      (g) => !plan.forget.includes(g) && !(g.permissionId !== undefined && revoked.has(g.permissionId))
    );
    if (remaining.length > 0 || plan.grants.some((g) => g.kind === 'folder')) {
      unitsAfter++;
    }
  });

  let stopReason: string | undefined;
  if (revocationCount > floor && revocationCount > share * managedCount) {
    const pct = managedCount > 0 ? Math.round((revocationCount / managedCount) * 100) : 100;
    stopReason =
      `Synken stoppades: planen skulle ta bort ${revocationCount} behörigheter, ${pct} % av de ${managedCount} som boten hanterar ` +
      `(gränsen är ${Math.round(share * 100)} % och fler än ${floor}). Ingenting har ändrats; en administratör måste granska och godkänna planen.`;
  } else if (unitsBefore >= 2 && unitsAfter === 0) {
    stopReason =
      `Synken stoppades: planen skulle ta bort all behörighet som boten gett till enhetsmapparna (${unitsBefore} enheter). ` +
      'Ingenting har ändrats; kontrollera enhetslistan och låt en administratör godkänna planen.';
  }
  const stopped = stopReason !== undefined && !options.approveMassRevocation;
  return { plans, revocationCount, managedCount, stopped, ...(stopped ? { stopReason } : {}) };
}

/* ---------- Test helper: a perfect apply ---------- */

/**
 * The state after a perfect apply of `plan` to `input`: every grant and revocation succeeded,
 * every manual task was done by a human, records were written and forgotten, and the store saved
 * `nextFormerManagers`. Pure; for tests of idempotence (planning the result gives a noop plan).
 * New permission ids are `applied-<n>`; a new member's id is the person's id, else `id:<email>`.
 */
export function applyPlanToState(input: UnitAccessInput, plan: AccessPlan, grantedAt = input.now.toISOString()): UnitAccessInput {
  let permissions = input.folder.status === 'found' ? input.folder.permissions.map((p) => ({ ...p })) : [];
  let members = input.dgGroup.status === 'found' ? input.dgGroup.members.map((m) => ({ ...m })) : [];
  let records = input.managedGrants.filter((g) => !plan.forget.includes(g));
  let n = 0;
  const memberOf = (p: PersonRef): GroupMember => ({ id: p.id ?? `id:${p.email}`, email: p.email, displayName: p.displayName });

  for (const r of plan.revocations) {
    if (r.kind === 'folder') {
      permissions = permissions.filter((p) => p.id !== r.permissionId);
      records = records.filter((g) => !(g.unitId === r.unitId && g.kind === 'folder' && g.permissionId === r.permissionId));
    } else {
      members = members.filter((m) => m.id !== r.memberId);
      records = records.filter((g) => !(g.unitId === r.unitId && g.kind === 'group' && g.userId === r.memberId));
    }
  }
  for (const g of plan.grants) {
    const userId = g.person.id ?? `id:${g.person.email}`;
    records = records.filter((x) => !(x.unitId === g.unitId && x.kind === g.kind && samePerson({ id: x.userId, email: x.email }, g.person)));
    if (g.kind === 'folder') {
      const id = `applied-${++n}`;
      permissions.push({ id, roles: [g.role], inherited: false, user: { id: g.person.id, email: g.person.email } });
      records.push({ unitId: g.unitId, kind: 'folder', userId, email: g.person.email, permissionId: id, grantedAt });
    } else {
      members.push(memberOf(g.person));
      records.push({ unitId: g.unitId, kind: 'group', userId, email: g.person.email, grantedAt });
    }
  }
  for (const t of plan.manualTasks) {
    if (t.action === 'addMember') {
      members.push(memberOf(t.person));
    } else {
      members = members.filter((m) => !samePerson(personOfMember(m), t.person));
    }
  }
  return {
    ...input,
    folder: input.folder.status === 'found' ? { status: 'found', permissions } : input.folder,
    dgGroup: input.dgGroup.status === 'found' ? { ...input.dgGroup, members } : input.dgGroup,
    managedGrants: records,
    formerManagers: plan.nextFormerManagers
  };
}

/* ---------- Dry-run table ---------- */

const COLUMNS = [
  { title: 'Enhet', max: 28 },
  { title: 'Åtgärd', max: 20 },
  { title: 'Vem', max: 34 },
  { title: 'Mål', max: 40 },
  { title: 'Orsak', max: Infinity }
];

function cell(s: string, width: number): string {
  const one = s.replace(/\s+/g, ' ');
  const cut = one.length > width ? `${one.slice(0, width - 1)}…` : one;
  return cut.padEnd(width);
}

/**
 * The plans as a fixed-width text table (unit, action, who, target, reason) for
 * `npm run sync -- --dry-run`. Units with nothing to do and nothing to report are left out;
 * the last line counts everything.
 */
export function formatPlanTable(plans: readonly AccessPlan[]): string {
  const rows: string[][] = [];
  for (const p of plans) {
    const u = p.unitName;
    for (const g of p.grants) {
      rows.push(
        g.kind === 'folder'
          ? [u, 'Ge mappbehörighet', who(g.person), `mapp (${g.role})`, g.reason]
          : [u, 'Lägg till i DG', who(g.person), g.groupAddress, g.reason]
      );
    }
    for (const r of p.revocations) {
      rows.push(
        r.kind === 'folder'
          ? [u, 'Ta bort behörighet', who(r.person), `mapp, behörighet ${r.permissionId}`, r.reason]
          : [u, 'Ta bort ur DG', who(r.person), r.groupAddress, r.reason]
      );
    }
    for (const t of p.manualTasks) {
      rows.push([u, 'Manuell uppgift', who(t.person), t.groupAddress, t.text]);
    }
    for (const f of p.forget) {
      rows.push([u, 'Glöm post', f.email, f.kind === 'folder' ? `mapp, behörighet ${f.permissionId ?? '?'}` : 'DG', 'Bevakad behörighet finns inte längre']);
    }
    for (const r of p.reports) {
      rows.push([u, r.needsHuman ? 'Åtgärda' : 'Notering', r.person ? who(r.person) : '', r.permissionId ? `behörighet ${r.permissionId}` : '', r.text]);
    }
  }
  const widths = COLUMNS.map((c, i) =>
    Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => r[i].replace(/\s+/g, ' ').length)))
  );
  const line = (r: string[]): string => r.map((s, i) => cell(s, widths[i])).join('  ').trimEnd();
  const out = [line(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((r) => out.push(line(r)));
  if (rows.length === 0) {
    out.push('(inga ändringar)');
  }
  const sum = (f: (p: AccessPlan) => number): number => plans.reduce((n, p) => n + f(p), 0);
  out.push(
    '',
    `${plans.length} enheter: ${sum((p) => p.grants.length)} tilldelningar, ${sum((p) => p.revocations.length)} borttagningar, ` +
      `${sum((p) => p.manualTasks.length)} manuella uppgifter, ${sum((p) => p.reports.length)} rapporter.`
  );
  return out.join('\n');
}
