/**
 * The permission sync as index.ts wires it: at start the app subscribes to the units list with its own
 * /api/graph/notifications route (local mode: a loopback URL and a per-process clientState), and a
 * manager change in the local tenant reaches the unit's folder and DG group through that route.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { silentLogger } from '../../logger';
import { start, type App } from '../../index';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { createGraph, memoryDeltaStore, type Graph } from '../../graph';
import { graphSettings } from '../../index';
import { tenantEnv } from '../helpers/local';
import { folderWriters, groupMembers, setManagers, waitFor } from './sync/helpers';

const UNIT = '13'; // Hemtjänst Bergsjön: a plain unit with a Microsoft 365 DG group
const NEW_MANAGER = 'ulf.bjork@goteborg.example';

describe('app: permission sync wired to the notification route', function () {
  this.timeout(60_000);
  let tenant: RunningTenant;
  let app: App;
  let dataDir: string;
  let graph: Graph;

  before(async () => {
    tenant = await startTenant({ port: 0 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-appsync-'));
    const config = loadConfig(tenantEnv(tenant, { DATA_DIR: dataDir }));
    app = await start({ config, logger: silentLogger() });
    graph = createGraph(graphSettings(config), { logger: silentLogger(), deltaStore: memoryDeltaStore() });
  });
  after(async () => {
    await app?.stop();
    await tenant?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('subscribes with its own loopback route at start', () => {
    const subs = [...tenant.state.subscriptions.values()] as Array<{ notificationUrl: string }>;
    assert.equal(subs.length, 1);
    assert.equal(subs[0].notificationUrl, `${app.url}/api/graph/notifications`);
  });

  it('a manager change in the units list reaches the folder and the DG group within seconds', async () => {
    const unit = (await graph.units.get(UNIT))!;
    const before = unit.managers.map((m) => m.email);
    assert.ok(!before.includes(NEW_MANAGER));
    // The start-up reconcile has granted the current managers.
    await waitFor(async () => (await folderWriters(graph, UNIT)).includes(before[0]), 15_000, 50);
    const t0 = Date.now();
    await setManagers(tenant, UNIT, [NEW_MANAGER]);
    await waitFor(
      async () => {
        const [folder, members] = await Promise.all([folderWriters(graph, UNIT), groupMembers(graph, unit.dgAddress!)]);
        return folder.includes(NEW_MANAGER) && !folder.includes(before[0]) && members.includes(NEW_MANAGER) && !members.includes(before[0]);
      },
      15_000,
      50
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`      app: manager change → folder and DG match in ${seconds.toFixed(2)} s (notification path)`);
    const notified = tenant.requests().filter((r) => r.path.includes('/items/delta')).length;
    assert.ok(notified >= 2, 'the change was read with a list delta');
  });
});
