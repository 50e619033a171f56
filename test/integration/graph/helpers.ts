/**
 * Shared set-up for the graph/ integration tests: a local tenant on 127.0.0.1 and a Graph facade
 * pointed at it. Requests are counted from the tenant's own request log, not from our client.
 */
import pino from 'pino';
import { JOURLEDARE_GROUP_ID, ADMINS_GROUP_ID, MAILBOX } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant, type TenantOptions } from '../../../dev/tenant/server';
import { createGraph, memoryDeltaStore, type Graph } from '../../../graph';
import type { GraphSettings } from '../../../graph/config';

export const silent = pino({ level: 'silent' });

export interface Harness {
  tenant: RunningTenant;
  graph: Graph;
  store: ReturnType<typeof memoryDeltaStore>;
  settings: GraphSettings;
  /** Graph requests the tenant saw (excluding pre-authenticated downloads? no: everything). */
  count(): number;
}

export async function harness(opts: TenantOptions = {}, over: Partial<GraphSettings> = {}): Promise<Harness> {
  const tenant = await startTenant({ notifications: false, ...opts });
  const store = memoryDeltaStore();
  const settings: GraphSettings = {
    baseUrl: tenant.graphBase,
    auth: { kind: 'static', token: tenant.token },
    siteId: tenant.siteId,
    unitsList: 'Enheter',
    staffDrive: 'Personallistor',
    mailbox: MAILBOX,
    jourledareGroupId: JOURLEDARE_GROUP_ID,
    adminGroupId: ADMINS_GROUP_ID,
    maxRetries: 5,
    timeoutMs: 5000,
    ...over
  };
  const graph = createGraph(settings, { logger: silent, deltaStore: store });
  return { tenant, graph, store, settings, count: () => tenant.requests().length };
}

/** A raw call to the tenant as an editor would make it (test set-up, not our client). */
export async function tenantFetch(t: RunningTenant, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
  const res = await fetch(`${t.graphBase}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body)
  });
  if (!res.ok) {
    throw new Error(`tenant set-up ${method} ${path}: ${res.status} ${await res.text()}`);
  }
  return res;
}
