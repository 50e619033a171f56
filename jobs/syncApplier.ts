/**
 * Executes access plans (core/permissionPlanner) through graph/ and records every step (issue 6,
 * DESIGN.md §5). Idempotent: graph/ treats "already granted", "already a member" and "already gone"
 * as done, so a step that is already done counts as ok. Units are applied a few at a time (graph/
 * bounds concurrency toward Graph); within a unit the order is forget → revoke → grant → manual.
 * Updates the record of the bot's grants and the unit's former managers as it goes.
 */
import type { Logger } from 'pino';
import type { AccessPlan, AccessRevocation } from '../core/permissionPlanner';
import { samePerson } from '../core/permissionPlanner';
import type { PersonRef, Unit } from '../core/model';
import type { Graph } from '../graph';
import type { StepAction, StepResult, SyncRepo } from '../store/syncRepo';

export interface AppliedStep {
  unitId: string;
  action: StepAction;
  target?: string;
  personId?: string;
  personEmail?: string;
  result: StepResult;
  error?: string;
}

export interface ApplyResult {
  steps: AppliedStep[];
  failures: number;
}

export interface ApplyDeps {
  graph: Pick<Graph, 'access'>;
  repo: SyncRepo;
  logger: Logger;
  /** Units applied at once; default 4. */
  concurrency?: number;
}

/** Short, personal-data-free text of an error for the step record. */
export function errorText(err: unknown): string {
  const e = err as { code?: string; status?: number; message?: string };
  const head = [e.code, e.status].filter((x) => x !== undefined).join(' ');
  const msg = (e.message ?? String(err)).slice(0, 300);
  return head ? `${head}: ${msg}` : msg;
}

/** Runs `fn` over `items`, at most `n` at a time. */
export async function eachLimit<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, n), items.length) }, worker));
}

/**
 * Applies the plans (the caller has checked that the run is not stopped). `units` maps unit id to
 * the unit the plan was made for (for removed units: a stub with the remembered folder).
 * Steps are recorded under `runId` as each unit finishes.
 */
export async function applyPlans(plans: readonly AccessPlan[], units: ReadonlyMap<string, Unit>, runId: number, deps: ApplyDeps): Promise<ApplyResult> {
  const log = deps.logger.child({ component: 'syncApplier', runId });
  const users = new Map<string, Promise<{ id: string } | undefined>>();
  const userId = (p: PersonRef): Promise<{ id: string } | undefined> => {
    if (p.id) {
      return Promise.resolve({ id: p.id });
    }
    const key = p.email.toLowerCase();
    let found = users.get(key);
    if (!found) {
      found = deps.graph.access.userByEmail(key).then((u) => (u ? { id: u.id } : undefined));
      found.catch(() => users.delete(key));
      users.set(key, found);
    }
    return found;
  };
  const all: AppliedStep[] = [];
  let failures = 0;

  await eachLimit(plans, deps.concurrency ?? 4, async (plan) => {
    const unit = units.get(plan.unitId);
    if (!unit) {
      return;
    }
    const steps = await applyUnit(plan, unit, deps, userId);
    const failed = steps.filter((s) => s.result === 'failed');
    failures += failed.length;
    all.push(...steps);
    await deps.repo.recordSteps(steps.map((s) => ({ ...s, runId })));
    if (steps.length > 0) {
      log.info(
        { unitId: plan.unitId, ok: steps.filter((s) => s.result === 'ok').length, failed: failed.length, skipped: steps.filter((s) => s.result === 'skipped').length },
        'unit applied'
      );
    }
  });
  return { steps: all, failures };
}

async function applyUnit(
  plan: AccessPlan,
  unit: Unit,
  deps: ApplyDeps,
  userId: (p: PersonRef) => Promise<{ id: string } | undefined>
): Promise<AppliedStep[]> {
  const { repo, graph } = deps;
  const steps: AppliedStep[] = [];
  const stillOwed: PersonRef[] = [];
  const who = (p: PersonRef): Pick<AppliedStep, 'personId' | 'personEmail'> => ({
    ...(p.id ? { personId: p.id } : {}),
    personEmail: p.email
  });

  for (const f of plan.forget) {
    await repo.deleteGrant({ unitId: f.unitId, kind: f.kind, userId: f.userId, email: f.email, permissionId: f.permissionId });
    steps.push({
      unitId: plan.unitId,
      action: 'forgetRecord',
      target: f.kind === 'folder' ? f.permissionId : 'group',
      personId: f.userId,
      personEmail: f.email,
      result: 'ok'
    });
  }

  for (const r of plan.revocations) {
    steps.push(await revoke(r, unit, deps, who, stillOwed));
  }

  for (const g of plan.grants) {
    if (g.kind === 'folder') {
      try {
        const perm = await graph.access.grantFolder(unit, g.person.email, g.role);
        const id = perm.user?.id ?? (await userId(g.person).catch(() => undefined))?.id ?? '';
        await repo.recordGrant({ unitId: unit.id, kind: 'folder', userId: id, email: g.person.email, permissionId: perm.id });
        steps.push({ unitId: unit.id, action: 'grantFolder', target: perm.id, ...who({ ...g.person, ...(id ? { id } : {}) }), result: 'ok' });
      } catch (err) {
        steps.push({ unitId: unit.id, action: 'grantFolder', target: `mapp (${g.role})`, ...who(g.person), result: 'failed', error: errorText(err) });
      }
    } else {
      try {
        const u = await userId(g.person);
        if (!u) {
          steps.push({ unitId: unit.id, action: 'addMember', target: g.groupAddress, ...who(g.person), result: 'failed', error: 'userNotFound: användaren finns inte i katalogen' });
          continue;
        }
        await graph.access.addMember(g.groupId, u.id);
        await repo.recordGrant({ unitId: unit.id, kind: 'group', userId: u.id, email: g.person.email });
        steps.push({ unitId: unit.id, action: 'addMember', target: g.groupAddress, ...who({ ...g.person, id: u.id }), result: 'ok' });
      } catch (err) {
        steps.push({ unitId: unit.id, action: 'addMember', target: g.groupAddress, ...who(g.person), result: 'failed', error: errorText(err) });
      }
    }
  }

  for (const t of plan.manualTasks) {
    // A human makes this change; the next reconcile reads the members and sees whether it was done.
    steps.push({ unitId: unit.id, action: 'manualTask', target: t.groupAddress, ...who(t.person), result: 'skipped', error: `${t.action}: ${t.text}` });
  }

  // Former managers: the planner's list, plus anyone whose revocation failed (so the next run retries).
  const next = [...plan.nextFormerManagers];
  for (const p of stillOwed) {
    if (!next.some((q) => samePerson(q, p))) {
      next.push(p);
    }
  }
  await repo.saveUnitState({ unitId: unit.id, name: unit.name, folder: unit.folder, dgAddress: unit.dgAddress, formerManagers: next });
  return steps;
}

async function revoke(
  r: AccessRevocation,
  unit: Unit,
  deps: ApplyDeps,
  who: (p: PersonRef) => Pick<AppliedStep, 'personId' | 'personEmail'>,
  stillOwed: PersonRef[]
): Promise<AppliedStep> {
  const { graph, repo } = deps;
  if (r.kind === 'folder') {
    try {
      await graph.access.revokeFolder(unit, r.permissionId);
      await repo.deleteGrant({ unitId: unit.id, kind: 'folder', permissionId: r.permissionId });
      return { unitId: unit.id, action: 'revokeFolder', target: r.permissionId, ...who(r.person), result: 'ok' };
    } catch (err) {
      stillOwed.push(r.person);
      return { unitId: unit.id, action: 'revokeFolder', target: r.permissionId, ...who(r.person), result: 'failed', error: errorText(err) };
    }
  }
  try {
    await graph.access.removeMember(r.groupId, r.memberId);
    await repo.deleteGrant({ unitId: unit.id, kind: 'group', userId: r.memberId, email: r.person.email });
    return { unitId: unit.id, action: 'removeMember', target: r.groupAddress, ...who({ ...r.person, id: r.memberId }), result: 'ok' };
  } catch (err) {
    stillOwed.push(r.person);
    return { unitId: unit.id, action: 'removeMember', target: r.groupAddress, ...who(r.person), result: 'failed', error: errorText(err) };
  }
}
