/**
 * Local mode's launcher without a browser: `startLocal` (what `npm start` runs) brings up the local
 * tenant and the bot against it on loopback, the probes answer, the mailbox page renders, stop()
 * ends everything; the Agents Playground starts as the tenant's jourledare and is stopped by its pid.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultClockStart, startLocal, type LocalRun } from '../../dev/start';
import { playgroundConfigYaml } from '../../dev/playground';

function testEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', NODE_ENV: 'test' };
  delete env.DATABASE_URL;
  delete env.CLOCK_START;
  return env;
}

function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port) });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local mode: startLocal (npm start)', function () {
  this.timeout(60000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'tj-local-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) {
      rmSync(d, { recursive: true, force: true });
    }
  });

  describe('without the Playground', () => {
    let run: LocalRun | undefined;
    let dataDir: string;
    before(async () => {
      dataDir = tmp();
      run = await startLocal({ dataDir, tenantPort: 0, botPort: 0, playground: false, clockStart: null, env: testEnv() });
    });
    after(async () => {
      await run?.stop();
    });

    it('serves the bot and the tenant on 127.0.0.1, the store in the data folder', () => {
      assert.ok(run);
      assert.match(run.app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(run.tenant.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(run.botEndpoint, `${run.app.url}/api/messages`);
      assert.equal(run.playgroundUrl, undefined);
      assert.equal(run.app.config.mode, 'local');
      assert.equal(run.app.config.GRAPH_BASE_URL, run.tenant.graphBase);
      assert.equal(run.app.config.SHAREPOINT_SITE_ID, run.tenant.siteId);
      assert.equal(run.app.config.DATA_DIR, dataDir);
      assert.equal(run.app.config.CLOCK_START, undefined);
    });

    it('answers /healthz and /readyz', async () => {
      const health = await fetch(`${run!.app.url}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${run!.app.url}/readyz`);
      assert.equal(ready.status, 200, await ready.clone().text());
    });

    it('renders the mailbox page as HTML', async () => {
      const res = await fetch(run!.mailboxUrl, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.match(html, /<html/i);
      assert.match(html, /e-post/i);
    });

    it('stop() closes the bot and the tenant (idempotent)', async () => {
      const { app, tenant } = run!;
      await Promise.all([run!.stop(), run!.stop()]);
      assert.ok(await refused(app.url), 'the bot no longer listens');
      assert.ok(await refused(tenant.url), 'the tenant no longer listens');
      run = undefined;
    });

    it('a second start on the same data folder starts warm', async () => {
      const again = await startLocal({ dataDir, tenantPort: 0, botPort: 0, playground: false, clockStart: null, env: testEnv() });
      try {
        assert.equal((await fetch(`${again.app.url}/healthz`)).status, 200);
      } finally {
        await again.stop();
      }
    });
  });

  describe('with the Playground', () => {
    it('starts the Agents Playground offline, as the tenant\'s jourledare, and stop() ends its process', async () => {
      const dataDir = tmp();
      const run = await startLocal({ dataDir, tenantPort: 0, botPort: 0, playgroundPort: 0, clockStart: '2026-12-01T21:30:00+01:00', env: testEnv() });
      let pid: number | undefined;
      try {
        assert.ok(run.playground && run.playgroundUrl);
        pid = run.playground.pid;
        assert.match(run.playgroundUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal((await fetch(`${run.playgroundUrl}/_debug/ping`)).status, 200);
        assert.equal(run.app.config.CLOCK_START, '2026-12-01T21:30:00+01:00');
        const yml = readFileSync(run.playground.configFile, 'utf8');
        const jourledare = run.tenant.state.userByMail('jourledare1@goteborg.example')!;
        assert.match(yml, new RegExp(`currentUser:\\n  id: "29:${jourledare.id}"\\n  name: "${jourledare.displayName}"`));
        assert.match(yml, new RegExp(`aadObjectId: "${jourledare.id}"`));
        assert.equal(path.dirname(run.playground.configFile), path.join(dataDir, 'playground'));
      } finally {
        await run.stop();
      }
      assert.ok(!alive(pid), 'the Playground process has ended');
      assert.ok(await refused(run.playgroundUrl));
    });
  });

  it('refuses NODE_ENV=production before starting anything', async () => {
    await assert.rejects(
      startLocal({ dataDir: tmp(), tenantPort: 0, botPort: 0, playground: false, env: { ...testEnv(), NODE_ENV: 'production' } }),
      /refuses to run with NODE_ENV=production/
    );
  });

  it('refuses Microsoft 365 credentials (that is production, not local mode)', async () => {
    await assert.rejects(
      startLocal({ dataDir: tmp(), tenantPort: 0, botPort: 0, playground: false, env: { ...testEnv(), MicrosoftAppId: '00000000-0000-0000-0000-000000000001' } }),
      /Invalid configuration|local mode/
    );
  });

  it('starts the demo clock at 21:30 Stockholm when it is not jourtid, else keeps real time', () => {
    // Tuesday 1 December 2026 10:00 in Stockholm (09:00Z): a working day, not jourtid.
    assert.equal(defaultClockStart(new Date('2026-12-01T09:00:00Z')), '2026-12-01T21:30:00+01:00');
    // In summer time the offset is +02:00.
    assert.equal(defaultClockStart(new Date('2026-06-02T08:00:00Z')), '2026-06-02T21:30:00+02:00');
    // 22:00 on a weekday, and a Saturday noon: jourtid already.
    assert.equal(defaultClockStart(new Date('2026-12-01T21:00:00Z')), undefined);
    assert.equal(defaultClockStart(new Date('2026-12-05T11:00:00Z')), undefined);
  });

  it('writes a Playground config the Playground accepts (at least five other users)', () => {
    const yml = playgroundConfigYaml({
      tenantId: 't',
      user: { id: 'u', name: 'Ann Ek', aadObjectId: 'a', userPrincipalName: 'ann@x.example' }
    });
    assert.equal((yml.match(/^  - id: /gm) ?? []).length, 5);
    assert.match(yml, /userPrincipleName: "ann@x.example"/);
    assert.match(yml, /givenName: "Ann"\n  surname: "Ek"/);
  });
});
