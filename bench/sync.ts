/**
 * Sync cost: a full reconcile (jobs/sync.ts) of a generated 500-unit tenant, in process, graph/
 * over HTTP to the local tenant, the store on PGlite in memory. First a reconcile that brings the
 * tenant in line (not measured), then: one with nothing to change, and one after 5% of the units
 * got a new manager (PATCH of the units list, as an editor would). For each: HTTP requests (and the
 * requests inside $batch), writes, wall time, and the ratio to the batched minimum:
 *   list pages (as observed) + ceil(2 reads per unit (folder permissions, DG members) / 20)
 *   + ceil(writes / 20)
 * (20 = Graph's $batch limit).
 */
import { startTenant, type RunningTenant } from '../dev/tenant/server';
import { createGraph } from '../graph';
import { silentLogger } from '../logger';
import { openPglite } from '../store/db';
import { migrate } from '../store/migrations';
import { KeyValueStore } from '../store/stateStore';
import { createSync } from '../jobs/sync';
import { figure, progress } from './common';

async function setManagers(tenant: RunningTenant, unitId: string, emails: string[]): Promise<void> {
  const ids = emails.map((e) => tenant.state.userByMail(e)?.siteUserId);
  const res = await fetch(`${tenant.graphBase}/sites/${tenant.siteId}/lists/${tenant.unitsListId}/items/${unitId}/fields`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ EnhetschefLookupId: ids })
  });
  if (res.status !== 200) {
    throw new Error(`PATCH fields: ${res.status} ${await res.text()}`);
  }
}

export async function syncBench(): Promise<void> {
  const units = Number(process.env.BENCH_UNITS ?? 500);
  progress(`generating a ${units}-unit tenant`);
  const tenant = await startTenant({ notifications: false, generated: { units, staff: 40 } });
  const db = await openPglite(':memory:');
  try {
    await migrate(db);
    const graph = createGraph(
      {
        baseUrl: tenant.graphBase,
        auth: { kind: 'static', token: tenant.token },
        siteId: tenant.siteId,
        unitsList: tenant.unitsListId,
        staffDrive: tenant.staffDriveId,
        mailbox: 'trygghetsjouren@goteborg.example',
        jourledareGroupId: 'unused',
        adminGroupId: 'unused',
        timeoutMs: 30_000
      },
      { logger: silentLogger(), deltaStore: new KeyValueStore(db) }
    );
    const sync = createSync({ db, graph, logger: silentLogger(), config: { maxRevokeShare: 0.2, intervalMinutes: 0, notifications: false } });
    progress('initial reconcile (brings the tenant in line; not measured)');
    const first = await sync.reconcile({ trigger: 'cli' });
    figure('sync: initial', { status: first.status, grants: first.counts.grants, revocations: first.counts.revocations, s: first.durationMs / 1000 });

    const measure = async (label: string): Promise<void> => {
      tenant.clearRequests();
      const t0 = performance.now();
      const r = await sync.reconcile({ trigger: 'reconcile' });
      const ms = performance.now() - t0;
      const reqs = tenant.requests();
      const outer = reqs.filter((x) => !x.batch);
      const inner = reqs.filter((x) => x.batch);
      const writes = reqs.filter((x) => x.method !== 'GET' && !/\/\$batch$/.test(x.path)).length;
      const listPages = outer.filter((x) => x.method === 'GET' && /\/lists\/[^/]+\/items$/.test(x.path)).length;
      const minimum = listPages + Math.ceil((2 * units) / 20) + Math.ceil(writes / 20);
      figure(`sync: ${label}`, {
        status: r.status,
        http_requests: outer.length,
        in_batch: inner.length,
        writes,
        grants: r.counts.grants,
        revocations: r.counts.revocations,
        wall_s: ms / 1000,
        batched_minimum: minimum,
        ratio: outer.length / minimum
      });
    };
    progress('reconcile with nothing to change');
    await measure('nothing to change');
    const changed = Math.round(units * 0.05);
    progress(`changing the manager of ${changed} units`);
    for (let i = 1; i <= changed; i++) {
      const unit = String(i * Math.floor(units / changed));
      await setManagers(tenant, unit, [`chef${(Number(unit) % units) + 1}@goteborg.example`]);
    }
    progress('reconcile with 5% changed');
    await measure(`${changed} of ${units} changed`);
  } finally {
    await db.close();
    await tenant.stop();
  }
}
