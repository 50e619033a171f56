import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../store/db';
import { DataDirLockedError } from '../../store/lockFile';
import { migrate } from '../../store/migrations';
import { KeyValueStore } from '../../store/stateStore';

const WRITER = path.join(__dirname, 'fixtures', 'writer.ts');

function runWriter(dir: string, mode: 'open' | 'write'): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', WRITER, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe('embedded store (PGlite in a data folder)', function () {
  this.timeout(90_000);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tj-store-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second process on the same data folder is refused with a message naming the holder', async () => {
    const db = await openPglite(dir);
    try {
      const { lines, exited } = runWriter(dir, 'open');
      assert.equal(await exited, 3);
      const refused = lines.find((l) => l.startsWith('REFUSED'));
      assert.ok(refused, `expected a refusal, got ${lines.join(' | ')}`);
      assert.match(refused, new RegExp(`in use by another process \\(pid ${process.pid} `));
      assert.match(refused, /DATA_DIR/);
      // in-process too
      await assert.rejects(openPglite(dir), DataDirLockedError);
    } finally {
      await db.close();
    }
    // released: the next process opens it
    const { lines, exited } = runWriter(dir, 'open');
    assert.equal(await exited, 0);
    assert.ok(lines.includes('OPENED'));
  });

  it('a process killed with kill -9 mid-write loses no committed row, and its stale lock is taken over', async () => {
    const { child, lines, exited } = runWriter(dir, 'write');
    const until = Date.now() + 60_000;
    while (lines.filter((l) => l.startsWith('COMMITTED')).length < 40 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const committed = lines.filter((l) => l.startsWith('COMMITTED')).map((l) => l.split(' ')[1]);
    assert.ok(committed.length >= 40, `writer committed ${committed.length} rows`);
    const db = await openPglite(dir);
    try {
      await migrate(db);
      const kv = new KeyValueStore(db);
      const missing: string[] = [];
      for (const key of committed) {
        if ((await kv.get(key)) === undefined) {
          missing.push(key);
        }
      }
      assert.deepEqual(missing, []);
    } finally {
      await db.close();
    }
  });
});
