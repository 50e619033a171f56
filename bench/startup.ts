/**
 * Start-up: from spawning the bot process to /readyz green (store and Graph checked), on an empty
 * data folder (first start: the embedded PostgreSQL's initdb and all migrations) and again on the
 * same folder (warm). BENCH_STARTS repetitions each (default 2); the median is printed.
 */
import { startTenant } from '../dev/tenant/server';
import { tenantEnv } from '../test/helpers/local';
import { spawnBot } from '../test/helpers/botProcess';
import { figure, percentile, progress, removeDir, tempDir } from './common';

export async function startupBench(): Promise<void> {
  const n = Number(process.env.BENCH_STARTS ?? 2);
  const tenant = await startTenant({ notifications: false });
  const first: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const dir = tempDir('tj-bench-start-');
      try {
        const env = tenantEnv(tenant, { DATA_DIR: dir, LOG_LEVEL: 'warn', SYNC_ENABLED: 'false' });
        progress(`first start ${i + 1}/${n}`);
        const a = await spawnBot({ env, waitReady: true, timeoutMs: 180_000 });
        first.push(a.startMs);
        await a.stop();
        progress(`warm start ${i + 1}/${n}`);
        const b = await spawnBot({ env, waitReady: true, timeoutMs: 180_000 });
        warm.push(b.startMs);
        await b.stop();
      } finally {
        removeDir(dir);
      }
    }
  } finally {
    await tenant.stop();
  }
  figure('startup: first (empty data folder) to /readyz', { median_ms: percentile(first, 50), runs: first.map((x) => x.toFixed(0)).join('/') });
  figure('startup: warm (same data folder) to /readyz', { median_ms: percentile(warm, 50), runs: warm.map((x) => x.toFixed(0)).join('/') });
}
