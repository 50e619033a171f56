/**
 * Shared set-up for the permission-sync suites: a generated local tenant (units 1..N, manager
 * chef<i>@goteborg.example, DG dg.enhet<i>@…; every 10th unit's DG is a distribution list), graph/
 * against it over HTTP, and the store on PGlite ':memory:' (or a given Db).
 */
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { createGraph, type Graph } from '../../../graph';
import { silentLogger } from '../../../logger';
import { openPglite, type Db } from '../../../store/db';
import { migrate } from '../../../store/migrations';
import { KeyValueStore } from '../../../store/stateStore';

export const CLIENT_STATE = 'sync-test-client-state-0123456789';

export interface SyncWorld {
  tenant: RunningTenant;
  graph: Graph;
  db: Db;
  close(): Promise<void>;
}

export function graphFor(tenant: RunningTenant, db: Db): Graph {
  return createGraph(
    {
      baseUrl: tenant.graphBase,
      auth: { kind: 'static', token: tenant.token },
      siteId: tenant.siteId,
      unitsList: tenant.unitsListId,
      staffDrive: tenant.staffDriveId,
      mailbox: 'trygghetsjouren@goteborg.example',
      jourledareGroupId: 'unused',
      adminGroupId: 'unused',
      maxRetries: 2,
      timeoutMs: 5000,
      maxRetryDelayMs: 200
    },
    { logger: silentLogger(), deltaStore: new KeyValueStore(db) }
  );
}

let shared: Promise<Db> | undefined;

/**
 * One migrated PGlite for the whole run (opening one costs seconds), emptied of sync state for each
 * test. Left open: mocha exits when the run ends.
 */
export async function freshDb(): Promise<Db> {
  shared ??= (async () => {
    const db = await openPglite(':memory:');
    await migrate(db);
    return db;
  })();
  const db = await shared;
  await resetSync(db);
  return db;
}

/** Empties the sync tables and the key-value store (delta links). */
export async function resetSync(db: Db): Promise<void> {
  await db.query('truncate sync_managed_grants, sync_units, sync_steps, sync_runs, sync_manual_tasks, kv');
}

export async function world(opts: { units?: number; notifications?: boolean; db?: Db } = {}): Promise<SyncWorld> {
  const tenant = await startTenant({ port: 0, generated: { units: opts.units ?? 10, staff: 2 }, notifications: opts.notifications ?? true });
  const db = opts.db ?? (await freshDb());
  const graph = graphFor(tenant, db);
  return {
    tenant,
    graph,
    db,
    async close() {
      await tenant.stop();
    }
  };
}

/** Sets a unit's managers (person column) in the tenant as an editor would: PATCH …/fields. */
export async function setManagers(tenant: RunningTenant, unitId: string, emails: string[]): Promise<void> {
  const ids = emails.map((e) => {
    const u = tenant.state.userByMail(e);
    if (!u) {
      throw new Error(`no user ${e} in the tenant`);
    }
    return u.siteUserId;
  });
  const res = await fetch(`${tenant.graphBase}/sites/${tenant.siteId}/lists/${tenant.unitsListId}/items/${unitId}/fields`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ EnhetschefLookupId: ids.length > 0 ? ids : null })
  });
  if (res.status !== 200) {
    throw new Error(`PATCH fields: ${res.status} ${await res.text()}`);
  }
}

/** Graph write requests the tenant saw (not GET, not the read-only $batch envelope). */
export function writes(tenant: RunningTenant): string[] {
  return tenant
    .requests()
    .filter((r) => r.method !== 'GET' && !/\/\$batch$/.test(r.path))
    .map((r) => `${r.method} ${r.path}`);
}

/** Direct user grants with write on a unit folder, by e-mail. */
export async function folderWriters(graph: Graph, unitId: string): Promise<string[]> {
  const unit = await graph.units.get(unitId, { fresh: true });
  const perms = await graph.access.folderPermissions(unit!);
  return perms
    .filter((p) => !p.inherited && !p.link && p.user?.email && p.roles.some((r) => r === 'write' || r === 'owner'))
    .map((p) => p.user!.email!)
    .sort();
}

export async function groupMembers(graph: Graph, dg: string): Promise<string[]> {
  const g = await graph.access.group(dg);
  return (g?.members ?? []).map((m) => m.email ?? m.id).sort();
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) {
      return Date.now() - t0;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
