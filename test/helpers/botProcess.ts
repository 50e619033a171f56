/**
 * The bot as a child process (for kill -9 and for measuring a process that is not the test's own):
 * `node -r tsx/cjs <entry>` with the given environment, on a port picked here, ready when /healthz
 * (or /readyz) answers. Its output is kept (last lines) for diagnostics. `kill9()` is SIGKILL;
 * `stop()` is SIGTERM and wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface BotProcess {
  pid: number;
  port: number;
  url: string;
  /** http://127.0.0.1:port/api/messages */
  messages: string;
  child: ChildProcess;
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of stdout/stderr. */
  output(): string;
  kill9(): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
  /** Resident memory (kB) from /proc, or undefined. */
  rssKb(): number | undefined;
}

export interface SpawnOptions {
  /** Script relative to the repository root; default index.ts (the app's main()). */
  entry?: string;
  env: NodeJS.ProcessEnv;
  /** Wait for /readyz 200 instead of /healthz. */
  waitReady?: boolean;
  timeoutMs?: number;
  /** Extra node arguments (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** Called with every whole line of stdout/stderr (the kept output holds only the last 200). */
  onLine?: (line: string) => void;
}

export async function spawnBot(opts: SpawnOptions): Promise<BotProcess & { startMs: number }> {
  const port = Number(opts.env.PORT) > 0 ? Number(opts.env.PORT) : await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '-r', 'tsx/cjs', opts.entry ?? 'index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const l of chunk.toString('utf8').split('\n')) {
      if (l) {
        lines.push(l.length > 2000 ? l.slice(0, 2000) + '…' : l);
      }
    }
    if (lines.length > 200) {
      lines.splice(0, lines.length - 200);
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (opts.onLine) {
    const onLine = opts.onLine;
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const l of parts) {
          if (l) {
            onLine(l);
          }
        }
      });
    }
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = opts.waitReady ? '/readyz' : '/healthz';
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (gone) {
      throw new Error(`bot process exited before it was ready:\n${lines.slice(-30).join('\n')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bot process not ready within ${opts.timeoutMs ?? 60_000} ms:\n${lines.slice(-30).join('\n')}`);
    }
    const ok = await fetch(url + probe, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) {
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const startMs = performance.now() - t0;
  const pid = child.pid!;
  return {
    pid,
    port,
    url,
    messages: `${url}/api/messages`,
    child,
    exited,
    startMs,
    output: () => lines.join('\n'),
    async kill9() {
      if (!gone) {
        process.kill(pid, 'SIGKILL');
      }
      await exited;
    },
    async stop(timeoutMs = 15_000) {
      if (gone) {
        return;
      }
      process.kill(pid, 'SIGTERM');
      const t = setTimeout(() => {
        if (!gone) {
          process.kill(pid, 'SIGKILL');
        }
      }, timeoutMs);
      await exited;
      clearTimeout(t);
    },
    rssKb() {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    }
  };
}
