/** Shared by the benchmarks: figures printed one per line, percentiles, temporary data folders. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Prints one figure line: `name: key=value key=value`. */
export function figure(name: string, values: Record<string, string | number>): void {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`);
  console.log(`${name}: ${parts.join(' ')}`);
}

/** Progress, to stderr (the figures on stdout stay clean). */
export function progress(msg: string): void {
  process.stderr.write(`  … ${msg}\n`);
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) {
    return String(v);
  }
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) {
    return NaN;
  }
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
