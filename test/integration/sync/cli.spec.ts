/**
 * `npm run sync`: the dry run prints the plan as a table and exits non-zero when a human is needed;
 * a missing local tenant is said plainly. In-process through runCli on the suite's store (fast), and
 * once as a real process (its own ':memory:' store) for the exit code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../../jobs/syncCli';
import { setManagers, world, writes, type SyncWorld } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');

describe('npm run sync (CLI)', () => {
  let w: SyncWorld;

  beforeEach(async () => {
    w = await world({ notifications: false });
  });
  afterEach(async () => {
    await w.close();
  });

  const env = (): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', DATA_DIR: ':memory:', SHAREPOINT_SITE_ID: w.tenant.siteId, LOG_LEVEL: 'silent' });
  const capture = (): { out: string[]; err: string[]; io: { out(s: string): void; err(s: string): void } } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
  };

  it('--dry-run prints a table, changes nothing, and exits 1 when a manual task is needed', async () => {
    await setManagers(w.tenant, '10', ['chef3@goteborg.example']);
    w.tenant.clearRequests();
    const c = capture();
    const code = await runCli(['--dry-run', '--graph-base', w.tenant.graphBase], env(), c.io, { db: w.db });
    const text = c.out.join('\n');
    assert.equal(code, 1, c.err.join('\n'));
    assert.match(text, /^Enhet\s+Åtgärd\s+Vem\s+Mål\s+Orsak/m);
    assert.match(text, /Enhet 0010\s+Manuell uppgift\s+chef3@goteborg.example\s+dg.enhet10@goteborg.example/);
    assert.match(text, /10 enheter: 10 tilldelningar/);
    assert.match(text, /Torrkörning: ingenting ändrades/);
    assert.deepEqual(writes(w.tenant), []);
  });

  it('applies and exits 0 when nothing needs a human', async () => {
    const c = capture();
    const code = await runCli(['--graph-base', w.tenant.graphBase], env(), c.io, { db: w.db });
    assert.equal(code, 0, c.out.join('\n') + c.err.join('\n'));
    assert.match(c.out.join('\n'), /Ändrat:/);
    assert.equal(writes(w.tenant).filter((x) => /\/invite$/.test(x)).length, 10);
  });

  it('says plainly when the local tenant is not running (exit 2)', async () => {
    const c = capture();
    const code = await runCli(['--dry-run', '--graph-base', 'http://127.0.0.1:9/v1.0'], env(), c.io, { db: w.db });
    assert.equal(code, 2);
    assert.match(c.err.join('\n'), /Den lokala tenanten svarar inte på http:\/\/127.0.0.1:9\/v1.0\. Starta den med "npm start"/);
  });

  it('as a real process: the table on stdout and a non-zero exit code', async function () {
    this.timeout(60_000);
    await setManagers(w.tenant, '10', ['chef3@goteborg.example']);
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'jobs/syncCli.ts', '--dry-run', '--graph-base', w.tenant.graphBase], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1, err);
    assert.match(out, /Enhet 0010\s+Manuell uppgift/);
  });
});
