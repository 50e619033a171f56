/**
 * A lock file for the embedded store's data folder. PGlite has no lock of its own, and two processes
 * opening one folder corrupt it; so the first takes `<dir>/.lock` (O_EXCL) and a second is refused
 * with a message naming the holder. A lock whose process is gone (kill -9) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {
  constructor(public readonly dir: string, public readonly holder: LockInfo) {
    super(
      `The data folder ${dir} is in use by another process (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'Two processes on one embedded store corrupt it: stop the other process, or give this one its own DATA_DIR, or use DATABASE_URL.'
    );
    this.name = 'DataDirLockedError';
  }
}

export interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock; returns a release function. @throws DataDirLockedError when a live process holds it. */
export function acquireDirLock(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, '.lock');
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) {
          return;
        }
        released = true;
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (cur.pid === process.pid) {
            fs.unlinkSync(file);
          }
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = undefined; // half-written or unreadable: treat as stale
      }
      const sameHost = holder?.host === os.hostname();
      if (holder && (!sameHost || alive(holder.pid))) {
        throw new DataDirLockedError(dir, holder);
      }
      // Stale (its process is gone): remove and retry.
      try {
        fs.unlinkSync(file);
      } catch {
        // raced with another taker; loop
      }
    }
  }
  throw new Error(`Could not take the lock on ${dir}`);
}
