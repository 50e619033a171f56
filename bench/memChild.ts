/**
 * Child process of the memory benchmark: starts the app (index.ts start()) with a Graph made here
 * and injected, so that this script can fill the same Graph's caches: graph.staff.get for every
 * unit of the (generated) tenant. Prints `MEM {json}` lines: idle, then cached. Run with --expose-gc.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createGraph, memoryDeltaStore } from '../graph';
import { graphSettings, start } from '../index';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function report(phase: string, extra: Record<string, unknown> = {}): void {
  const m = process.memoryUsage();
  console.log(`MEM ${JSON.stringify({ phase, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, ...extra })}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const graph = createGraph(graphSettings(config), { logger, deltaStore: memoryDeltaStore() });
  const app = await start({ config, logger, graph });
  await sleep(1000);
  gc();
  await sleep(200);
  gc();
  report('idle');
  const t0 = performance.now();
  const units = await graph.units.list();
  let staff = 0;
  let unusable = 0;
  for (let i = 0; i < units.length; i += 8) {
    const rs = await Promise.all(units.slice(i, i + 8).map((u) => graph.staff.get(u)));
    for (const r of rs) {
      staff += r.staff.length;
      unusable += r.unusable ? 1 : 0;
    }
  }
  const fillMs = performance.now() - t0;
  // A second pass must come from the cache.
  const t1 = performance.now();
  for (const u of units) {
    await graph.staff.get(u);
  }
  const warmMs = performance.now() - t1;
  gc();
  await sleep(200);
  gc();
  report('cached', { units: units.length, staff, unusable, fillMs, warmPassMs: warmMs });
  await app.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
