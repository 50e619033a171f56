/**
 * Writes Personallista-mall.xlsx (the empty staff-list template) to the project root.
 * Usage: npm run template [-- <output path>]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildStaffWorkbook } from '../core/staffTemplate';

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? resolve(__dirname, '..', 'Personallista-mall.xlsx'));
  const buf = await buildStaffWorkbook({ staff: [] });
  writeFileSync(out, buf);
  process.stdout.write(`Wrote ${out} (${buf.length} bytes)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
