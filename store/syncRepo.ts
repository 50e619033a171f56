/**
 * Persistence of the permission sync (issue 6, DESIGN.md §5): the record of what the bot granted
 * (`sync_managed_grants`, the basis for safe revocation), what the sync remembers per unit
 * (`sync_units`: former managers, folder and DG address, so a unit removed from the list can still
 * be cleaned up), every run (`sync_runs`) and every step of a run (`sync_steps`: who, what, when,
 * result), and the manual tasks handed to a human (`sync_manual_tasks`, re-checked each run).
 * Tables come from migration 20 in store/migrations.ts.
 */
import type { ManagedGrant, PersonRef } from '../core/model';
import type { Sql } from './db';

export type SyncTrigger = 'notification' | 'reconcile' | 'cli' | 'admin';
export type StepResult = 'ok' | 'failed' | 'skipped';
export type StepAction =
  | 'grantFolder'
  | 'revokeFolder'
  | 'addMember'
  | 'removeMember'
  | 'manualTask'
  | 'forgetRecord';

export interface SyncRunCounts {
  units: number;
  grants: number;
  revocations: number;
  manualTasks: number;
  failures: number;
  /** Reports that say access is wrong until a human acts. */
  reportsNeedingHuman: number;
}

export interface SyncRunRow extends SyncRunCounts {
  id: number;
  instance: string;
  trigger: SyncTrigger;
  dryRun: boolean;
  startedAt: string;
  finishedAt?: string;
  stoppedReason?: string;
  needsHuman: boolean;
  summary?: string;
  /** Units the run planned (ids). */
  unitIds: string[];
}

export interface SyncStepRow {
  runId: number;
  unitId: string;
  action: StepAction;
  /** Permission id, group id or group address. */
  target?: string;
  personId?: string;
  personEmail?: string;
  result: StepResult;
  error?: string;
  at: string;
}

export interface UnitSyncState {
  unitId: string;
  name?: string;
  folder?: string;
  dgAddress?: string;
  formerManagers: PersonRef[];
  updatedAt: string;
}

export interface ManualTaskRow {
  unitId: string;
  action: 'addMember' | 'removeMember';
  groupAddress: string;
  personEmail: string;
  text: string;
  firstSeenRun: number;
  lastSeenRun: number;
  doneAt?: string;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

export class SyncRepo {
  constructor(private readonly sql: Sql) {}

  /* ---------- managed grants ---------- */

  async managedGrants(unitIds?: string[]): Promise<ManagedGrant[]> {
    const r = unitIds
      ? await this.sql.query<Record<string, unknown>>(
          'select * from sync_managed_grants where unit_id = any($1::text[]) order by unit_id, kind, user_id',
          [unitIds]
        )
      : await this.sql.query<Record<string, unknown>>('select * from sync_managed_grants order by unit_id, kind, user_id');
    return r.rows.map((row) => ({
      unitId: String(row.unit_id),
      kind: row.kind as 'folder' | 'group',
      userId: String(row.user_id),
      email: String(row.email),
      ...(row.permission_id != null ? { permissionId: String(row.permission_id) } : {}),
      grantedAt: iso(row.granted_at)
    }));
  }

  /** Records (or replaces) what the bot granted to one user on one unit's folder or group. */
  async recordGrant(g: Omit<ManagedGrant, 'grantedAt'> & { grantedAt?: string }): Promise<void> {
    await this.sql.query(
      `insert into sync_managed_grants (unit_id, kind, user_id, email, permission_id, granted_at)
       values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))
       on conflict (unit_id, kind, user_id) do update
         set email = excluded.email, permission_id = excluded.permission_id, granted_at = excluded.granted_at`,
      [g.unitId, g.kind, g.userId, g.email.toLowerCase(), g.permissionId ?? null, g.grantedAt ?? null]
    );
  }

  /** Drops records: by permission id for folder grants, by user id for group grants. */
  async deleteGrant(g: { unitId: string; kind: 'folder' | 'group'; userId?: string; permissionId?: string; email?: string }): Promise<void> {
    if (g.kind === 'folder' && g.permissionId) {
      await this.sql.query('delete from sync_managed_grants where unit_id = $1 and kind = $2 and permission_id = $3', [
        g.unitId,
        g.kind,
        g.permissionId
      ]);
      return;
    }
    await this.sql.query(
      'delete from sync_managed_grants where unit_id = $1 and kind = $2 and (user_id = $3 or lower(email) = lower($4))',
      [g.unitId, g.kind, g.userId ?? '', g.email ?? '']
    );
  }

  async managedCount(): Promise<number> {
    const r = await this.sql.query<{ n: string | number }>('select count(*) as n from sync_managed_grants');
    return Number(r.rows[0]?.n ?? 0);
  }

  /* ---------- per-unit state ---------- */

  async unitStates(unitIds?: string[]): Promise<Map<string, UnitSyncState>> {
    const r = unitIds
      ? await this.sql.query<Record<string, unknown>>('select * from sync_units where unit_id = any($1::text[])', [unitIds])
      : await this.sql.query<Record<string, unknown>>('select * from sync_units');
    const out = new Map<string, UnitSyncState>();
    for (const row of r.rows) {
      out.set(String(row.unit_id), {
        unitId: String(row.unit_id),
        ...(row.name != null ? { name: String(row.name) } : {}),
        ...(row.folder != null ? { folder: String(row.folder) } : {}),
        ...(row.dg_address != null ? { dgAddress: String(row.dg_address) } : {}),
        formerManagers: (typeof row.former_managers === 'string' ? JSON.parse(row.former_managers) : row.former_managers) as PersonRef[],
        updatedAt: iso(row.updated_at)
      });
    }
    return out;
  }

  async saveUnitState(s: Omit<UnitSyncState, 'updatedAt'>): Promise<void> {
    // Only what the planner needs: id, e-mail (no display names kept).
    const people = s.formerManagers.map((p) => ({ ...(p.id ? { id: p.id } : {}), email: p.email.toLowerCase() }));
    await this.sql.query(
      `insert into sync_units (unit_id, name, folder, dg_address, former_managers, updated_at)
       values ($1, $2, $3, $4, $5::jsonb, now())
       on conflict (unit_id) do update set name = excluded.name, folder = excluded.folder, dg_address = excluded.dg_address,
         former_managers = excluded.former_managers, updated_at = now()`,
      [s.unitId, s.name ?? null, s.folder ?? null, s.dgAddress ?? null, JSON.stringify(people)]
    );
  }

  async deleteUnitState(unitId: string): Promise<void> {
    await this.sql.query('delete from sync_units where unit_id = $1', [unitId]);
  }

  /* ---------- runs and steps ---------- */

  async startRun(r: { instance: string; trigger: SyncTrigger; dryRun: boolean }): Promise<number> {
    const res = await this.sql.query<{ id: string | number }>(
      'insert into sync_runs (instance, trigger, dry_run) values ($1, $2, $3) returning id',
      [r.instance, r.trigger, r.dryRun]
    );
    return Number(res.rows[0]!.id);
  }

  async finishRun(
    id: number,
    r: SyncRunCounts & { stoppedReason?: string; needsHuman: boolean; summary?: string; unitIds: string[] }
  ): Promise<void> {
    await this.sql.query(
      `update sync_runs set finished_at = now(), units = $2, grants = $3, revocations = $4, manual_tasks = $5, failures = $6,
         reports_needing_human = $7, stopped_reason = $8, needs_human = $9, summary = $10, unit_ids = $11::jsonb
       where id = $1`,
      [
        id,
        r.units,
        r.grants,
        r.revocations,
        r.manualTasks,
        r.failures,
        r.reportsNeedingHuman,
        r.stoppedReason ?? null,
        r.needsHuman,
        r.summary ?? null,
        JSON.stringify(r.unitIds)
      ]
    );
  }

  async recordSteps(steps: Array<Omit<SyncStepRow, 'at'>>): Promise<void> {
    for (const s of steps) {
      await this.sql.query(
        `insert into sync_steps (run_id, unit_id, action, target, person_id, person_email, result, error)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [s.runId, s.unitId, s.action, s.target ?? null, s.personId ?? null, s.personEmail ?? null, s.result, s.error ?? null]
      );
    }
  }

  async run(id: number): Promise<SyncRunRow | undefined> {
    const r = await this.sql.query<Record<string, unknown>>('select * from sync_runs where id = $1', [id]);
    return r.rows[0] ? runOf(r.rows[0]) : undefined;
  }

  /** The latest finished run, optionally one that is not a dry run and planned `unitId`. */
  async lastRun(opts: { unitId?: string; includeDryRuns?: boolean } = {}): Promise<SyncRunRow | undefined> {
    const where = ['finished_at is not null'];
    const params: unknown[] = [];
    if (!opts.includeDryRuns) {
      where.push('dry_run = false');
    }
    if (opts.unitId) {
      params.push(JSON.stringify([opts.unitId]));
      where.push(`unit_ids @> $${params.length}::jsonb`);
    }
    const r = await this.sql.query<Record<string, unknown>>(
      `select * from sync_runs where ${where.join(' and ')} order by id desc limit 1`,
      params
    );
    return r.rows[0] ? runOf(r.rows[0]) : undefined;
  }

  async runs(limit = 20): Promise<SyncRunRow[]> {
    const r = await this.sql.query<Record<string, unknown>>('select * from sync_runs order by id desc limit $1', [limit]);
    return r.rows.map(runOf);
  }

  async steps(runId: number, unitId?: string): Promise<SyncStepRow[]> {
    const r = unitId
      ? await this.sql.query<Record<string, unknown>>('select * from sync_steps where run_id = $1 and unit_id = $2 order by id', [runId, unitId])
      : await this.sql.query<Record<string, unknown>>('select * from sync_steps where run_id = $1 order by id', [runId]);
    return r.rows.map((row) => ({
      runId: Number(row.run_id),
      unitId: String(row.unit_id),
      action: row.action as StepAction,
      ...(row.target != null ? { target: String(row.target) } : {}),
      ...(row.person_id != null ? { personId: String(row.person_id) } : {}),
      ...(row.person_email != null ? { personEmail: String(row.person_email) } : {}),
      result: row.result as StepResult,
      ...(row.error != null ? { error: String(row.error) } : {}),
      at: iso(row.at)
    }));
  }

  /* ---------- manual tasks ---------- */

  /**
   * Brings the open manual tasks of the planned units in line with this run's tasks: new ones are
   * opened, seen ones touched, and open ones the planner no longer produces are closed (the next
   * reconcile found the change made). Returns the newly opened and the closed tasks.
   */
  async syncManualTasks(
    runId: number,
    unitIds: string[],
    tasks: Array<{ unitId: string; action: 'addMember' | 'removeMember'; groupAddress: string; personEmail: string; text: string }>
  ): Promise<{ opened: ManualTaskRow[]; closed: ManualTaskRow[] }> {
    const open = await this.openManualTasks(unitIds);
    const key = (t: { unitId: string; action: string; groupAddress: string; personEmail: string }): string =>
      `${t.unitId}|${t.action}|${t.groupAddress.toLowerCase()}|${t.personEmail.toLowerCase()}`;
    const openKeys = new Map(open.map((t) => [key(t), t]));
    const nowKeys = new Set(tasks.map(key));
    const opened: ManualTaskRow[] = [];
    for (const t of tasks) {
      const k = key(t);
      if (openKeys.has(k)) {
        await this.sql.query(
          `update sync_manual_tasks set last_seen_run = $1, text = $6
           where unit_id = $2 and action = $3 and lower(group_address) = lower($4) and lower(person_email) = lower($5) and done_at is null`,
          [runId, t.unitId, t.action, t.groupAddress, t.personEmail, t.text]
        );
      } else if (!opened.some((o) => key(o) === k)) {
        await this.sql.query(
          `insert into sync_manual_tasks (unit_id, action, group_address, person_email, text, first_seen_run, last_seen_run)
           values ($1, $2, $3, $4, $5, $6, $6)`,
          [t.unitId, t.action, t.groupAddress.toLowerCase(), t.personEmail.toLowerCase(), t.text, runId]
        );
        opened.push({ ...t, firstSeenRun: runId, lastSeenRun: runId });
      }
    }
    const closed: ManualTaskRow[] = [];
    for (const t of open) {
      if (!nowKeys.has(key(t))) {
        await this.sql.query(
          `update sync_manual_tasks set done_at = now(), last_seen_run = $1
           where unit_id = $2 and action = $3 and group_address = $4 and person_email = $5 and done_at is null`,
          [runId, t.unitId, t.action, t.groupAddress, t.personEmail]
        );
        closed.push(t);
      }
    }
    return { opened, closed };
  }

  async openManualTasks(unitIds?: string[]): Promise<ManualTaskRow[]> {
    const r = unitIds
      ? await this.sql.query<Record<string, unknown>>(
          'select * from sync_manual_tasks where done_at is null and unit_id = any($1::text[]) order by id',
          [unitIds]
        )
      : await this.sql.query<Record<string, unknown>>('select * from sync_manual_tasks where done_at is null order by id');
    return r.rows.map((row) => ({
      unitId: String(row.unit_id),
      action: row.action as 'addMember' | 'removeMember',
      groupAddress: String(row.group_address),
      personEmail: String(row.person_email),
      text: String(row.text),
      firstSeenRun: Number(row.first_seen_run),
      lastSeenRun: Number(row.last_seen_run)
    }));
  }
}

function runOf(row: Record<string, unknown>): SyncRunRow {
  const ids = typeof row.unit_ids === 'string' ? JSON.parse(row.unit_ids) : row.unit_ids;
  return {
    id: Number(row.id),
    instance: String(row.instance),
    trigger: row.trigger as SyncTrigger,
    dryRun: row.dry_run === true,
    startedAt: iso(row.started_at),
    ...(row.finished_at != null ? { finishedAt: iso(row.finished_at) } : {}),
    units: Number(row.units ?? 0),
    grants: Number(row.grants ?? 0),
    revocations: Number(row.revocations ?? 0),
    manualTasks: Number(row.manual_tasks ?? 0),
    failures: Number(row.failures ?? 0),
    reportsNeedingHuman: Number(row.reports_needing_human ?? 0),
    ...(row.stopped_reason != null ? { stoppedReason: String(row.stopped_reason) } : {}),
    needsHuman: row.needs_human === true,
    ...(row.summary != null ? { summary: String(row.summary) } : {}),
    unitIds: Array.isArray(ids) ? (ids as unknown[]).map(String) : []
  };
}
