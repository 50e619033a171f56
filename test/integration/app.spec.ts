/**
 * The composition root against the local tenant: probes, readiness that follows its dependencies,
 * a clear refusal of bad configuration, and a stop that drains.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../config';
import { silentLogger } from '../../logger';
import { start, type App } from '../../index';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { tenantEnv } from '../helpers/local';

describe('app (index.ts start/stop) against the local tenant', function () {
  this.timeout(60_000);
  let tenant: RunningTenant;
  let app: App;
  let dataDir: string;

  before(async () => {
    tenant = await startTenant({ port: 0 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-app-'));
    app = await start({ config: loadConfig(tenantEnv(tenant, { DATA_DIR: dataDir })), logger: silentLogger() });
  });
  after(async () => {
    await app?.stop();
    await tenant?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on loopback only in local mode', () => {
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/healthz answers 200', async () => {
    const res = await fetch(`${app.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('/readyz is green with store and Graph reachable, and 503 naming Graph when the tenant faults', async () => {
    const ok = await fetch(`${app.url}/readyz`);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { checks: unknown }).checks, { store: true, graph: true });
    tenant.setFaults([{ path: '.*', status: 503 }]);
    try {
      const bad = await fetch(`${app.url}/readyz`);
      assert.equal(bad.status, 503);
      assert.deepEqual(((await bad.json()) as { checks: unknown }).checks, { store: true, graph: false });
    } finally {
      tenant.setFaults([]);
    }
  });

  it('a second app on the same data folder is refused with a message naming the holder', async () => {
    await assert.rejects(
      start({ config: loadConfig(tenantEnv(tenant, { DATA_DIR: dataDir })), logger: silentLogger() }),
      /in use by another process \(pid \d+/
    );
  });

  it('local mode without the local tenant says to use npm start', async () => {
    await assert.rejects(
      start({ config: loadConfig({ PORT: '0', DATA_DIR: path.join(dataDir, 'other'), LOG_LEVEL: 'silent' }), logger: silentLogger() }),
      (err: unknown) => err instanceof ConfigError && /GRAPH_STATIC_TOKEN: required \(local mode: run `npm start`/.test(err.message)
    );
  });
});
