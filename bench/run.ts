/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named), each printing its figures
 * one per line on stdout (progress goes to stderr). Not part of `npm test`.
 *   turn     turn cost: concurrent jourledare through the whole flow, ours vs a bare echo bot
 *   graph    Graph requests per call-in, cold and warm
 *   sync     full reconcile of a generated 500-unit tenant: nothing changed, 5% changed
 *   memory   RSS idle and with 500 units × 40 staff cached
 *   startup  to /readyz, first start and warm
 */
import os from 'node:os';
import { turnBench } from './turn';
import { graphCallsBench } from './graphCalls';
import { syncBench } from './sync';
import { memoryBench } from './memory';
import { startupBench } from './startup';

const BENCHES: Record<string, () => Promise<void>> = {
  startup: startupBench,
  graph: graphCallsBench,
  memory: memoryBench,
  turn: turnBench,
  sync: syncBench
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const run = names.length > 0 ? names : Object.keys(BENCHES);
  console.log(`machine: nproc=${os.cpus().length} memory_gb=${(os.totalmem() / 1024 ** 3).toFixed(1)} node=${process.version} load1=${os.loadavg()[0].toFixed(2)} date=${new Date().toISOString()}`);
  let failed = 0;
  for (const name of run) {
    process.stderr.write(`[${name}]\n`);
    const t0 = performance.now();
    try {
      await BENCHES[name]();
    } catch (err) {
      failed++;
      console.log(`${name}: FAILED ${(err as Error).message.split('\n')[0]}`);
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
    }
    process.stderr.write(`[${name}] ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  process.exit(failed > 0 ? 1 : 0);
}

void main();
