/**
 * The permission sync (issue 6, DESIGN.md §2 "Manager change", §5, §7 scale-out): keeps each unit's
 * folder permissions and DG group members in step with the units list.
 *
 * - **Trigger**: Graph change notifications on the units list arrive at `handleNotificationHttp`
 *   (answered 202 at once), are debounced, and run a list-item delta; only the changed units are
 *   synced. A periodic full reconcile (`intervalMinutes`) is the safety net and the catch-up, since
 *   lists send no lifecycle events. The subscription is ensured at start and on a timer (ensure()
 *   renews it when close to expiry and re-creates it when gone).
 * - **One instance at a time**: every applying run holds a PostgreSQL advisory lock on one session
 *   (pg_try_advisory_lock); an instance that finds it taken skips and says so (a notification run
 *   retries a few times, then leaves it to the periodic reconcile). PGlite is one process per data
 *   folder (its lock file), so there an in-process guard is enough. Dry runs take no lock.
 * - **Safety**: a plan stopped by the mass-revocation guard applies nothing and needs a human.
 * - **Visibility**: every run and step is recorded (store/syncRepo.ts); administrators get a short
 *   Swedish summary through `notifyAdmins` when something changed or newly needs a hand.
 */
import os from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { PersonRef, Unit } from '../core/model';
import {
  formatPlanTable,
  planAll,
  type AccessPlan,
  type DgGroupState,
  type UnitAccessInput,
  type UnitFolderState
} from '../core/permissionPlanner';
import { GraphError, type Graph, type GroupInfo } from '../graph';
import { handleNotificationRequest } from '../graph/notifications';
import type { Db } from '../store/db';
import { SyncRepo, type SyncTrigger } from '../store/syncRepo';
import { applyPlans, errorText, type AppliedStep } from './syncApplier';

export interface SyncConfig {
  /** Stop when revocations exceed this share of the managed grants (planner's guard). */
  maxRevokeShare: number;
  /** Periodic full reconcile; may be fractional (tests). 0 = none. */
  intervalMinutes: number;
  /** Public URL of POST /api/graph/notifications. */
  notificationUrl?: string;
  clientState?: string;
  /** Create/renew the change-notification subscription (needs notificationUrl and clientState). */
  notifications: boolean;
  /** Role granted on unit folders; default 'write'. */
  folderRole?: 'read' | 'write';
  /** The guard's floor (planner default 5). */
  revokeFloor?: number;
  /** Notifications within this window become one delta run; default 300 ms. */
  debounceMs?: number;
  /** How often the subscription is ensured/renewed; default 12 h. */
  renewIntervalMs?: number;
  /** Wait before a notification run retries when another instance holds the lock; default 2000 ms, 5 tries. */
  lockRetryMs?: number;
  lockRetries?: number;
  /** Name of this instance in run records; default hostname:pid. */
  instance?: string;
}

export interface SyncDeps {
  db: Db;
  graph: Pick<Graph, 'units' | 'access' | 'subscriptions'>;
  logger: Logger;
  config: SyncConfig;
  /** Delivers the administrators' summary (the lead wires it to Teams and mail). Errors are logged. */
  notifyAdmins?: (summary: SyncSummary) => Promise<void>;
  now?: () => Date;
}

export interface ReconcileOptions {
  dryRun?: boolean;
  trigger?: SyncTrigger;
  /** Only these units (list item ids); default all. */
  unitIds?: string[];
  /** A human reviewed a stopped plan: apply it anyway. */
  approveMassRevocation?: boolean;
}

export interface SyncCounts {
  units: number;
  grants: number;
  revocations: number;
  manualTasks: number;
  failures: number;
  reportsNeedingHuman: number;
}

export interface SyncResult {
  /** applied: changes made (or nothing to do); dryRun: planned only; stopped: guard; skipped: another instance holds the lock; failed: could not read the units list. */
  status: 'applied' | 'dryRun' | 'stopped' | 'skipped' | 'failed';
  runId?: number;
  trigger: SyncTrigger;
  dryRun: boolean;
  plans: AccessPlan[];
  steps: AppliedStep[];
  counts: SyncCounts;
  stopReason?: string;
  /** Why the run was skipped or failed. Swedish. */
  message?: string;
  /** Something is wrong until a human acts: a stop, a manual task, a failed step, a report. */
  needsHuman: boolean;
  /** Swedish summary for administrators. */
  summary: string;
  /** The plan as a table (formatPlanTable). */
  table: string;
  /** Manual tasks that the run found done (members now match). */
  manualTasksDone: number;
  durationMs: number;
}

export interface SyncSummary {
  runId?: number;
  trigger: SyncTrigger;
  status: SyncResult['status'];
  needsHuman: boolean;
  /** Short Swedish text. */
  text: string;
}

export interface Sync {
  reconcile(opts?: ReconcileOptions): Promise<SyncResult>;
  /** Queues a delta run for accepted notifications; returns at once. */
  onNotification(accepted: ReadonlyArray<{ subscriptionId: string; resource: string; changeType: string }>): void;
  /** Ensures the subscription, starts the timers and queues a catch-up delta run. Call after the server listens. */
  start(): Promise<void>;
  /** Stops timers and waits for queued work. */
  stop(): Promise<void>;
  /** POST /api/graph/notifications: validation echo (200 text/plain) or 202, at once. */
  handleNotificationHttp(req: IncomingMessage & { query?: unknown; body?: unknown }, res: ServerResponse): Promise<void>;
  /** The repository (for the admin command). */
  readonly repo: SyncRepo;
  /** Resolves when queued work is done (tests). */
  idle(): Promise<void>;
  /** Result of the last run of this instance. */
  lastResult(): SyncResult | undefined;
}

/** "tjbotsyn" as a 64-bit advisory lock key. */
export const SYNC_LOCK_KEY = 7335531238459175278n;
/** The subscription keeper's lock. */
const SUBSCRIPTION_LOCK_KEY = SYNC_LOCK_KEY + 1n;

/** In-process guard per database handle (PGlite, and two Sync objects in one process). */
const heldInProcess = new WeakMap<Db, Set<bigint>>();

/**
 * Runs `fn` holding the advisory lock `key`; returns `{ locked: false }` at once when another
 * instance (or another Sync in this process) holds it.
 */
export async function withSyncLock<T>(db: Db, key: bigint, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
  let held = heldInProcess.get(db);
  if (!held) {
    held = new Set();
    heldInProcess.set(db, held);
  }
  if (held.has(key)) {
    return { locked: false };
  }
  held.add(key);
  try {
    if (db.kind !== 'postgres') {
      // PGlite: one connection, one process (lock file); the in-process guard is the lock.
      return { locked: true, value: await fn() };
    }
    return await db.session(async (s) => {
      const r = await s.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key.toString()]);
      if (!r.rows[0]?.ok) {
        return { locked: false as const };
      }
      try {
        return { locked: true as const, value: await fn() };
      } finally {
        await s.query('select pg_advisory_unlock($1)', [key.toString()]).catch(() => undefined);
      }
    });
  } finally {
    held.delete(key);
  }
}

const ZERO: SyncCounts = { units: 0, grants: 0, revocations: 0, manualTasks: 0, failures: 0, reportsNeedingHuman: 0 };

export function createSync(deps: SyncDeps): Sync {
  const { db, graph, config } = deps;
  const log = deps.logger.child({ component: 'sync' });
  const repo = new SyncRepo(db);
  const now = deps.now ?? (() => new Date());
  const instance = config.instance ?? `${os.hostname()}:${process.pid}`;
  const debounceMs = config.debounceMs ?? 300;
  const lockRetryMs = config.lockRetryMs ?? 2000;
  const lockRetries = config.lockRetries ?? 5;

  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let last: SyncResult | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let interval: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let deltaWanted = false;
  let deltaTimer: NodeJS.Timeout | undefined;
  let deltaQueued = false;

  /** Serialises this instance's work. */
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  /* ---------- reading actual state ---------- */

  async function readGroups(units: Unit[]): Promise<Map<string, DgGroupState>> {
    const out = new Map<string, DgGroupState>();
    const addresses = [...new Set(units.map((u) => u.dgAddress).filter((a): a is string => !!a))];
    if (addresses.length === 0) {
      return out;
    }
    let many: Map<string, GroupInfo | undefined | GraphError>;
    try {
      // Through $batch: the groups by address, then their members (20 per request each).
      many = await graph.access.groupsMany(addresses);
    } catch (err) {
      log.warn({ op: 'group', code: (err as { code?: string }).code, status: (err as { status?: number }).status }, 'DG groups could not be read');
      for (const addr of addresses) {
        out.set(addr, { status: 'missing', error: `kunde inte läsas: ${errorText(err)}` });
      }
      return out;
    }
    for (const addr of addresses) {
      const g = many.get(addr.trim().toLowerCase());
      if (g instanceof GraphError) {
        log.warn({ op: 'group', code: g.code, status: g.status }, 'DG group could not be read');
        out.set(addr, { status: 'missing', error: `kunde inte läsas: ${errorText(g)}` });
      } else {
        out.set(addr, g ? { status: 'found', id: g.id, kind: g.kind, members: g.members } : { status: 'missing' });
      }
    }
    return out;
  }

  async function readFolders(units: Unit[]): Promise<Map<string, UnitFolderState>> {
    const out = new Map<string, UnitFolderState>();
    const withFolder = units.filter((u) => !!u.folder);
    if (withFolder.length === 0) {
      return out;
    }
    let many: Map<string, unknown>;
    try {
      many = await graph.access.folderPermissionsMany(withFolder);
    } catch (err) {
      for (const u of withFolder) {
        out.set(u.id, { status: 'missing', error: `kunde inte läsas: ${errorText(err)}` });
      }
      return out;
    }
    for (const u of withFolder) {
      const r = many.get(u.id);
      if (Array.isArray(r)) {
        out.set(u.id, { status: 'found', permissions: r });
      } else {
        const e = r as { status?: number } | undefined;
        out.set(u.id, { status: 'missing', ...(e && e.status !== 404 ? { error: `kunde inte läsas: ${errorText(e)}` } : {}) });
      }
    }
    return out;
  }

  /* ---------- one run ---------- */

  /**
   * Plans (and unless dry, applies) `units`, plus stubs for `removedIds` (units gone from the list
   * that the bot still remembers), under the caller's lock.
   */
  async function run(units: Unit[], removedIds: string[], opts: Required<Pick<ReconcileOptions, 'trigger' | 'dryRun'>> & ReconcileOptions): Promise<SyncResult> {
    const started = Date.now();
    const runId = await repo.startRun({ instance, trigger: opts.trigger, dryRun: opts.dryRun });
    const states = await repo.unitStates();
    const managed = await repo.managedGrants();

    // A unit gone from the list: plan it as inactive with what the sync remembers, so the bot's
    // own grants are removed (its former managers are kept, as for any inactive unit).
    const planned: Unit[] = [...units];
    for (const id of removedIds) {
      const s = states.get(id);
      if (!s || planned.some((u) => u.id === id)) {
        continue;
      }
      if (managed.some((g) => g.unitId === id) || s.formerManagers.length > 0) {
        planned.push({ id, name: s.name ?? `(borttagen enhet ${id})`, managers: [], acting: [], folder: s.folder, dgAddress: s.dgAddress, active: false, problems: [] });
      }
    }

    const [folders, groups] = await Promise.all([readFolders(planned), readGroups(planned)]);
    const at = now();
    const inputs: UnitAccessInput[] = planned.map((unit) => ({
      unit,
      now: at,
      folder: folders.get(unit.id) ?? { status: 'missing' },
      dgGroup: unit.dgAddress ? groups.get(unit.dgAddress) ?? { status: 'missing' } : { status: 'missing' },
      managedGrants: managed.filter((g) => g.unitId === unit.id),
      formerManagers: states.get(unit.id)?.formerManagers ?? []
    }));
    const all = planAll(inputs, {
      maxRevokeShare: config.maxRevokeShare,
      ...(config.revokeFloor !== undefined ? { revokeFloor: config.revokeFloor } : {}),
      ...(config.folderRole ? { folderRole: config.folderRole } : {}),
      ...(opts.approveMassRevocation ? { approveMassRevocation: true } : {})
    });
    const plans = all.plans;
    const byId = new Map(planned.map((u) => [u.id, u]));
    const reportsNeedingHuman = plans.reduce((n, p) => n + p.reports.filter((r) => r.needsHuman).length, 0);
    const manualTasks = plans.flatMap((p) => p.manualTasks);

    let steps: AppliedStep[] = [];
    let failures = 0;
    let opened: Array<{ unitId: string; text: string }> = [];
    let closed: Array<{ unitId: string; text: string }> = [];
    let status: SyncResult['status'];
    if (opts.dryRun) {
      status = 'dryRun';
    } else if (all.stopped) {
      status = 'stopped';
      // Nothing is applied; the steps say what was held back.
      steps = plans.flatMap((p) => [
        ...p.grants.map((g): AppliedStep => ({ unitId: p.unitId, action: g.kind === 'folder' ? 'grantFolder' : 'addMember', target: g.kind === 'folder' ? `mapp (${g.role})` : g.groupAddress, personEmail: g.person.email, result: 'skipped', error: 'stoppad av spärren mot massborttagning' })),
        ...p.revocations.map((r): AppliedStep => ({ unitId: p.unitId, action: r.kind === 'folder' ? 'revokeFolder' : 'removeMember', target: r.kind === 'folder' ? r.permissionId : r.groupAddress, personEmail: r.person.email, result: 'skipped', error: 'stoppad av spärren mot massborttagning' }))
      ]);
      await repo.recordSteps(steps.map((s) => ({ ...s, runId })));
    } else {
      status = 'applied';
      const changed = plans.filter((p) => !p.noop || !sameFormer(states.get(p.unitId)?.formerManagers ?? [], p.nextFormerManagers, states.get(p.unitId), byId.get(p.unitId)));
      const applied = await applyPlans(changed, byId, runId, { graph, repo, logger: log });
      steps = applied.steps;
      failures = applied.failures;
      const mt = await repo.syncManualTasks(
        runId,
        plans.map((p) => p.unitId),
        manualTasks.map((t) => ({ unitId: t.unitId, action: t.action, groupAddress: t.groupAddress, personEmail: t.person.email, text: t.text }))
      );
      opened = mt.opened;
      closed = mt.closed;
      // A removed unit with nothing left to clean up is forgotten.
      for (const id of removedIds) {
        const p = plans.find((x) => x.unitId === id);
        if (!p || (p.noop && !managed.some((g) => g.unitId === id && !p.forget.includes(g)) && p.manualTasks.length === 0)) {
          await repo.deleteUnitState(id);
        }
      }
    }

    const counts: SyncCounts = {
      units: plans.length,
      grants: plans.reduce((n, p) => n + p.grants.length, 0),
      revocations: all.revocationCount,
      manualTasks: manualTasks.length,
      failures,
      reportsNeedingHuman
    };
    const needsHuman = all.stopped || counts.manualTasks > 0 || failures > 0 || reportsNeedingHuman > 0;
    const summary = summarize({ trigger: opts.trigger, status, plans, steps, stopReason: all.stopReason, closed, byId });
    await repo.finishRun(runId, {
      ...counts,
      stoppedReason: all.stopReason,
      needsHuman,
      summary,
      unitIds: plans.map((p) => p.unitId)
    });
    const result: SyncResult = {
      status,
      runId,
      trigger: opts.trigger,
      dryRun: opts.dryRun,
      plans,
      steps,
      counts,
      ...(all.stopReason ? { stopReason: all.stopReason } : {}),
      needsHuman,
      summary,
      table: formatPlanTable(plans),
      manualTasksDone: closed.length,
      durationMs: Date.now() - started
    };
    log.info(
      { runId, trigger: opts.trigger, status, dryRun: opts.dryRun, ...counts, manualTasksDone: closed.length, needsHuman, durationMs: result.durationMs },
      'sync run finished'
    );
    const changedSomething = steps.some((s) => s.result === 'ok' && s.action !== 'forgetRecord');
    if (!opts.dryRun && deps.notifyAdmins && (changedSomething || status === 'stopped' || failures > 0 || opened.length > 0 || closed.length > 0)) {
      await deps.notifyAdmins({ runId, trigger: opts.trigger, status, needsHuman, text: summary }).catch((err: unknown) => {
        log.error({ runId, err: errorText(err) }, 'admin summary could not be delivered');
      });
    }
    return result;
  }

  function failedResult(trigger: SyncTrigger, dryRun: boolean, status: 'skipped' | 'failed' | 'applied', message: string, started: number): SyncResult {
    return {
      status,
      trigger,
      dryRun,
      plans: [],
      steps: [],
      counts: { ...ZERO },
      message,
      needsHuman: status === 'failed',
      summary: message,
      table: formatPlanTable([]),
      manualTasksDone: 0,
      durationMs: Date.now() - started
    };
  }

  async function reconcileNow(opts: ReconcileOptions): Promise<SyncResult> {
    const trigger = opts.trigger ?? 'reconcile';
    const dryRun = opts.dryRun ?? false;
    const started = Date.now();
    const body = async (): Promise<SyncResult> => {
      let units: Unit[];
      try {
        // The reconcile is the safety net: it reads the list itself, not the instance's cache (and refills it).
        units = await graph.units.list({ fresh: true });
      } catch (err) {
        log.error({ trigger, err: errorText(err) }, 'units list could not be read');
        return failedResult(trigger, dryRun, 'failed', `Synken kunde inte läsa enhetslistan (${errorText(err)}); ingenting ändrades.`, started);
      }
      let removed: string[] = [];
      if (opts.unitIds) {
        const want = new Set(opts.unitIds);
        removed = opts.unitIds.filter((id) => !units.some((u) => u.id === id));
        units = units.filter((u) => want.has(u.id));
      } else {
        // Units the sync remembers that are no longer in the list.
        const known = await repo.unitStates();
        removed = [...known.keys()].filter((id) => !units.some((u) => u.id === id));
      }
      return run(units, removed, { ...opts, trigger, dryRun });
    };
    if (dryRun) {
      return body();
    }
    const r = await withSyncLock(db, SYNC_LOCK_KEY, body);
    if (!r.locked) {
      log.info({ trigger, instance }, 'sync skipped: another instance holds the sync lock');
      return failedResult(trigger, dryRun, 'skipped', 'En annan instans kör synken just nu; den här körningen hoppades över.', started);
    }
    return r.value;
  }

  /* ---------- notifications → delta ---------- */

  async function deltaRun(attempt: number): Promise<void> {
    deltaQueued = false;
    if (!deltaWanted || stopped) {
      return;
    }
    deltaWanted = false;
    const started = Date.now();
    const r = await withSyncLock(db, SYNC_LOCK_KEY, async (): Promise<SyncResult> => {
      let delta: Awaited<ReturnType<Graph['units']['delta']>>;
      try {
        delta = await graph.units.delta();
      } catch (err) {
        log.error({ err: errorText(err) }, 'units delta failed; the periodic reconcile will catch up');
        return failedResult('notification', false, 'failed', `Synken kunde inte läsa ändringar i enhetslistan (${errorText(err)}).`, started);
      }
      let removed = delta.removedIds;
      if (delta.full) {
        const known = await repo.unitStates();
        removed = [...new Set([...removed, ...[...known.keys()].filter((id) => !delta.changed.some((u) => u.id === id))])];
      }
      if (delta.changed.length === 0 && removed.length === 0) {
        return failedResult('notification', false, 'applied', 'Inga ändrade enheter.', started);
      }
      log.info({ changed: delta.changed.length, removed: removed.length, full: delta.full }, 'units delta');
      return run(delta.changed, removed, { trigger: 'notification', dryRun: false });
    });
    if (!r.locked) {
      if (attempt < lockRetries && !stopped) {
        log.info({ attempt, instance }, 'sync lock busy; the notification run retries');
        deltaWanted = true;
        later(lockRetryMs, () => scheduleDelta(0, attempt + 1));
      } else {
        log.warn({ instance }, 'sync lock busy; leaving the change to the periodic reconcile');
      }
      return;
    }
    last = r.value;
  }

  function scheduleDelta(delayMs: number, attempt = 0): void {
    if (stopped || deltaQueued) {
      return;
    }
    if (deltaTimer) {
      return;
    }
    deltaTimer = setTimeout(() => {
      deltaTimer = undefined;
      if (deltaQueued) {
        return;
      }
      deltaQueued = true;
      void enqueue(() => deltaRun(attempt)).catch((err: unknown) => log.error({ err: errorText(err) }, 'notification run failed'));
    }, delayMs);
    deltaTimer.unref();
  }

  /* ---------- subscription keeper ---------- */

  async function ensureSubscription(): Promise<void> {
    if (!config.notifications || !config.notificationUrl || !config.clientState) {
      return;
    }
    const r = await withSyncLock(db, SUBSCRIPTION_LOCK_KEY, async () => {
      const s = await graph.subscriptions.ensure(config.notificationUrl!, config.clientState!);
      log.info({ subscriptionId: s.id, expires: s.expirationDateTime }, 'subscription ensured');
      return s;
    });
    if (!r.locked) {
      log.info('another instance is ensuring the subscription');
    }
  }

  const sync: Sync = {
    repo,
    reconcile(opts = {}) {
      if (stopped) {
        return Promise.resolve(failedResult(opts.trigger ?? 'reconcile', opts.dryRun ?? false, 'skipped', 'Synken stängs av.', Date.now()));
      }
      return enqueue(async () => {
        const r = await reconcileNow(opts);
        last = r;
        return r;
      });
    },
    onNotification(accepted) {
      if (accepted.length === 0 || stopped) {
        return;
      }
      deltaWanted = true;
      scheduleDelta(debounceMs);
    },
    async start() {
      stopped = false;
      try {
        await ensureSubscription();
      } catch (err) {
        // Not fatal: the periodic reconcile still works; the renew timer tries again.
        log.error({ err: errorText(err) }, 'subscription could not be ensured');
      }
      if (config.notifications && config.notificationUrl && config.clientState) {
        const every = config.renewIntervalMs ?? 12 * 3600_000;
        renewTimer = setInterval(() => {
          void enqueue(ensureSubscription).catch((err: unknown) => log.error({ err: errorText(err) }, 'subscription renewal failed'));
        }, every);
        renewTimer.unref();
      }
      if (config.intervalMinutes > 0) {
        interval = setInterval(() => {
          void sync.reconcile({ trigger: 'reconcile' }).catch((err: unknown) => log.error({ err: errorText(err) }, 'periodic reconcile failed'));
        }, config.intervalMinutes * 60_000);
        interval.unref();
      }
      // Catch up on what changed while we were down (and set up the delta link).
      deltaWanted = true;
      scheduleDelta(0);
    },
    async stop() {
      stopped = true;
      if (interval) {
        clearInterval(interval);
      }
      if (renewTimer) {
        clearInterval(renewTimer);
      }
      if (deltaTimer) {
        clearTimeout(deltaTimer);
        deltaTimer = undefined;
      }
      timers.forEach((t) => clearTimeout(t));
      timers.clear();
      await chain.catch(() => undefined);
    },
    async handleNotificationHttp(req, res) {
      if (!config.clientState) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end();
        return;
      }
      const query = queryOf(req);
      let body: unknown = req.body;
      if (body === undefined && typeof query.validationToken !== 'string') {
        body = await readJson(req);
      } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
        body = parseJson(String(body));
      }
      const answer = handleNotificationRequest({ query, body }, config.clientState);
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(answer.body ?? '');
      if (answer.accepted.length > 0) {
        log.debug({ count: answer.accepted.length }, 'change notification accepted');
        sync.onNotification(answer.accepted);
      }
    },
    async idle() {
      // Let a debounce timer fire, then wait for the chain to drain.
      for (let i = 0; i < 100 && (deltaTimer || deltaQueued); i++) {
        await new Promise((r) => setTimeout(r, 20));
        await chain;
      }
      await chain;
    },
    lastResult: () => last
  };
  return sync;
}

/** The former-manager list and remembered unit fields are unchanged: no need to write. */
function sameFormer(
  stored: PersonRef[],
  next: PersonRef[],
  state: { name?: string; folder?: string; dgAddress?: string } | undefined,
  unit: Unit | undefined
): boolean {
  if (!state || !unit || state.name !== unit.name || state.folder !== unit.folder || state.dgAddress !== unit.dgAddress) {
    return false;
  }
  const key = (ps: PersonRef[]): string => ps.map((p) => p.email.toLowerCase()).sort().join(',');
  return key(stored) === key(next);
}

function queryOf(req: IncomingMessage & { query?: unknown }): Record<string, string | undefined> {
  if (req.query && typeof req.query === 'object') {
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
      out[k] = Array.isArray(v) ? String(v[0]) : v == null ? undefined : String(v);
    }
    return out;
  }
  const u = new URL(req.url ?? '/', 'http://localhost');
  return Object.fromEntries(u.searchParams.entries());
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 256 * 1024) {
      return undefined;
    }
    chunks.push(c as Buffer);
  }
  return parseJson(Buffer.concat(chunks).toString('utf8'));
}

/* ---------- the administrators' summary ---------- */

const ACTION_TEXT: Record<string, (s: AppliedStep) => string> = {
  grantFolder: (s) => `gav ${s.personEmail} behörighet till mappen`,
  revokeFolder: (s) => `tog bort ${s.personEmail}s behörighet till mappen`,
  addMember: (s) => `lade till ${s.personEmail} i DG ${s.target}`,
  removeMember: (s) => `tog bort ${s.personEmail} ur DG ${s.target}`
};

const TRIGGER_TEXT: Record<SyncTrigger, string> = {
  notification: 'ändring i enhetslistan',
  reconcile: 'regelbunden kontroll',
  cli: 'kommandorad',
  admin: 'administratör'
};

function limitLines(lines: string[], max = 15): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… och ${lines.length - max} till.`];
}

/** Short Swedish text: what changed, what needs a hand. */
export function summarize(r: {
  trigger: SyncTrigger;
  status: SyncResult['status'];
  plans: AccessPlan[];
  steps: AppliedStep[];
  stopReason?: string;
  closed: Array<{ unitId: string; text: string }>;
  byId: ReadonlyMap<string, Unit>;
}): string {
  const name = (id: string): string => r.byId.get(id)?.name || `enhet ${id}`;
  const out: string[] = [`Behörighetssynk (${TRIGGER_TEXT[r.trigger]}), ${r.plans.length} ${r.plans.length === 1 ? 'enhet' : 'enheter'}.`];
  if (r.status === 'stopped') {
    out.push(r.stopReason ?? 'Synken stoppades; ingenting ändrades.');
  }
  if (r.status === 'dryRun') {
    out.push('Torrkörning: ingenting ändrades.');
  }
  const done = new Map<string, string[]>();
  for (const s of r.steps) {
    if (s.result === 'ok' && ACTION_TEXT[s.action]) {
      done.set(s.unitId, [...(done.get(s.unitId) ?? []), ACTION_TEXT[s.action]!(s)]);
    }
  }
  if (done.size > 0) {
    out.push('Ändrat:', ...limitLines([...done].map(([id, texts]) => `• ${name(id)}: ${texts.join('; ')}.`)));
  }
  const hand: string[] = [];
  for (const s of r.steps) {
    if (s.result === 'failed') {
      hand.push(`• ${name(s.unitId)}: misslyckades att ${ACTION_TEXT[s.action]?.(s).replace(/^(gav|tog|lade)/, (m) => ({ gav: 'ge', tog: 'ta', lade: 'lägga' })[m] ?? m) ?? s.action} (${s.error ?? 'okänt fel'}).`);
    }
  }
  for (const p of r.plans) {
    for (const t of p.manualTasks) {
      hand.push(`• ${name(p.unitId)}: ${t.text}`);
    }
    for (const rep of p.reports) {
      if (rep.needsHuman) {
        hand.push(`• ${name(p.unitId)}: ${rep.text}`);
      }
    }
  }
  if (hand.length > 0) {
    out.push('Behöver en hand:', ...limitLines(hand));
  }
  if (r.closed.length > 0) {
    out.push('Utfört och kontrollerat:', ...limitLines(r.closed.map((t) => `• ${name(t.unitId)}: ${t.text}`)));
  }
  if (done.size === 0 && hand.length === 0 && r.closed.length === 0 && r.status !== 'stopped') {
    out.push('Inga ändringar behövdes.');
  }
  return out.join('\n');
}
