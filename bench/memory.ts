/**
 * Memory: resident set size of the bot process idle (started, nothing cached), and with the staff
 * lists of 500 units × 40 staff cached (graph.staff.get for every unit of a generated tenant),
 * after a forced GC. Runs bench/memChild.ts as a child process against the generated tenant here.
 */
import { spawn } from 'node:child_process';
import { startTenant } from '../dev/tenant/server';
import { tenantEnv } from '../test/helpers/local';
import { ROOT } from '../test/helpers/botProcess';
import { figure, progress, removeDir, tempDir } from './common';

interface Mem {
  phase: string;
  rss: number;
  heapUsed: number;
  external: number;
  units?: number;
  staff?: number;
  unusable?: number;
  fillMs?: number;
  warmPassMs?: number;
}

export async function memoryBench(): Promise<void> {
  const units = Number(process.env.BENCH_UNITS ?? 500);
  const staffPer = Number(process.env.BENCH_STAFF ?? 40);
  progress(`generating a ${units}×${staffPer} tenant`);
  const tenant = await startTenant({ notifications: false, generated: { units, staff: staffPer } });
  const dir = tempDir('tj-bench-mem-');
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...tenantEnv(tenant, { DATA_DIR: dir, LOG_LEVEL: 'warn', SYNC_ENABLED: 'false', GRAPH_MAX_CONCURRENCY: '8' }) };
    progress('child: start, idle, then staff.get for every unit');
    const mems: Mem[] = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', 'bench/memChild.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Mem[] = [];
      let err = '';
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.startsWith('MEM ')) {
            out.push(JSON.parse(line.slice(4)) as Mem);
          }
        }
      });
      child.stderr.on('data', (c: Buffer) => {
        err = (err + c.toString('utf8')).slice(-4000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0 && out.length === 2) {
          resolve(out);
        } else {
          reject(new Error(`memChild exited ${code}: ${err}`));
        }
      });
    });
    const [idle, cached] = mems;
    const mb = (b: number): number => b / 1024 / 1024;
    figure('memory: idle', { rss_mb: mb(idle.rss), heap_used_mb: mb(idle.heapUsed) });
    figure(`memory: ${cached.units} units × ${staffPer} staff cached`, {
      rss_mb: mb(cached.rss),
      heap_used_mb: mb(cached.heapUsed),
      rss_delta_mb: mb(cached.rss - idle.rss),
      staff: cached.staff ?? 0,
      unusable_lists: cached.unusable ?? 0,
      fill_s: (cached.fillMs ?? 0) / 1000,
      warm_pass_ms: cached.warmPassMs ?? 0
    });
  } finally {
    await tenant.stop();
    removeDir(dir);
  }
}
