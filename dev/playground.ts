/**
 * Starts the Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`) offline, pointed at
 * the bot, as a child process we hold by its pid.
 *
 * - Offline: no browser launch (TEAMSAPPTESTER_BROWSER=none), no telemetry (--disable-telemetry,
 *   APPLICATION_INSIGHTS_NO_STATSBEAT).
 * - Who chats: the Playground sends as `currentUser` of its config file
 *   (M365_AGENTS_PLAYGROUND_CONFIG_PATH); we write one that makes the local tenant's jourledare the
 *   user, so `activity.from.aadObjectId` is that user's Entra object id and the tenant id matches.
 *   The Playground always sends `locale: "en-US"` (hard-coded in 0.2.x; not configurable).
 * - Loopback only: the Playground listens on every interface; a small preload makes it bind
 *   127.0.0.1 (and exit when its parent is gone, so a killed `npm start` leaves no orphan) (the chat acts as the jourledare: it must not be reachable from the network).
 *   The connector's service URL is given as 127.0.0.1 too, so the bot's replies never depend on how
 *   "localhost" resolves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface PlaygroundUser {
  /** Channel account id (what the Playground calls `id`). */
  id: string;
  name: string;
  /** Entra object id: the bot's key for authorisation and Graph lookups. */
  aadObjectId: string;
  userPrincipalName: string;
  givenName?: string;
  surname?: string;
  email?: string;
}

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Preferred port; when taken (or 0) a free one is used. Default 56150. */
  port?: number;
  /** Folder for the Playground's config file and log (created). */
  workDir: string;
  tenantId: string;
  user: PlaygroundUser;
  /** Other members of the Playground's mock chats (it wants at least five; padded when fewer). */
  others?: PlaygroundUser[];
  botName?: string;
  /** Receives each line the Playground prints (default: dropped; its log file keeps everything). */
  onLine?: (line: string) => void;
  /** Milliseconds to wait for `/_debug/ping`; default 60000. */
  readyTimeoutMs?: number;
}

export interface RunningPlayground {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  configFile: string;
  /** Resolves when the process ends, for whatever reason ("exited with 1", "exited with SIGTERM"). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The locale of every activity the Playground sends (hard-coded in @microsoft/m365agentsplayground 0.2.x). */
export const PLAYGROUND_LOCALE = 'en-US';

export const PLAYGROUND_CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');
export const DEFAULT_PLAYGROUND_PORT = 56150;

const LOOPBACK_PRELOAD = `'use strict';
// Written by dev/playground.ts: bind every listening socket of this process to 127.0.0.1.
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const a = args[0];
  if (typeof a === 'number' || (typeof a === 'string' && /^\\d+$/.test(a))) {
    if (typeof args[1] !== 'string') {
      args.splice(1, 0, '127.0.0.1');
    }
  } else if (a && typeof a === 'object' && a.path === undefined && !a.host) {
    args[0] = Object.assign({}, a, { host: '127.0.0.1' });
  }
  return listen.apply(this, args);
};
// End with the process that started us, even when it could not stop us (kill -9, a crash).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    process.exit(0);
  }
}, 1000).unref();
`;

function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** The Playground's mock-data file (`.m365agentsplayground.yml`, schema version 0.1.1). */
export function playgroundConfigYaml(opts: { tenantId: string; user: PlaygroundUser; others?: PlaygroundUser[]; botName?: string }): string {
  const account = (u: PlaygroundUser, indent: string): string[] => {
    const [given, ...rest] = u.name.split(' ');
    return [
      `id: ${yamlString(u.id)}`,
      `name: ${yamlString(u.name)}`,
      `userPrincipleName: ${yamlString(u.userPrincipalName)}`,
      `aadObjectId: ${yamlString(u.aadObjectId)}`,
      `givenName: ${yamlString(u.givenName ?? given ?? u.name)}`,
      `surname: ${yamlString(u.surname ?? (rest.join(' ') || u.name))}`,
      `email: ${yamlString(u.email ?? u.userPrincipalName)}`
    ].map((l, i) => (i === 0 && indent.endsWith('- ') ? indent : indent.replace('- ', '  ')) + l);
  };
  const others = [...(opts.others ?? [])];
  for (let i = others.length; i < 5; i++) {
    const n = String(i + 1).padStart(12, '0');
    others.push({ id: `user-id-${i + 1}`, name: `Testperson ${i + 1}`, aadObjectId: `00000000-0000-0000-0000-${n}`, userPrincipalName: `testperson${i + 1}@example.invalid` });
  }
  return [
    '# Written by dev/start.ts for local mode: the chat user is the local tenant\'s jourledare.',
    'version: "0.1.1"',
    `tenantId: ${yamlString(opts.tenantId)}`,
    'bot:',
    '  id: "00000000-0000-0000-0000-00000000b07f"',
    `  name: ${yamlString(opts.botName ?? 'Trygghetsjouren')}`,
    'currentUser:',
    ...account(opts.user, '  '),
    // (sic: the Playground's schema spells it userPrincipleName)
    'users:',
    ...others.flatMap((o) => account(o, '  - ')),
    'personalChat:',
    '  id: "personal-chat-jourledare"',
    'groupChat:',
    '  id: "group-chat-id"',
    '  name: "Gruppchatt"',
    'team:',
    '  id: "team-id"',
    '  name: "Trygghetsjouren"',
    '  aadGroupId: "00000000-0000-0000-0000-000000000031"',
    '  channels:',
    '    - id: "channel-general-id"',
    '      name: "Allmänt"',
    ''
  ].join('\n');
}

/** A free TCP port on 127.0.0.1: `preferred` if it is free, else any. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (p: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(undefined));
      s.listen(p, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
  if (preferred > 0) {
    const p = await tryPort(preferred);
    if (p !== undefined) {
      return p;
    }
  }
  const any = await tryPort(0);
  if (any === undefined) {
    throw new Error('no free port on 127.0.0.1');
  }
  return any;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Ends a child process we started: SIGTERM, then SIGKILL after `graceMs`. */
export function endChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const signal = (sig: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, sig);
        } catch {
          // already gone (ESRCH): its 'exit' event resolves us
        }
      }
    };
    const t = setTimeout(() => signal('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    signal('SIGTERM');
  });
}

export async function startPlayground(opts: PlaygroundOptions): Promise<RunningPlayground> {
  const workDir = path.resolve(opts.workDir);
  await fs.mkdir(workDir, { recursive: true });
  const configFile = path.join(workDir, '.m365agentsplayground.yml');
  const logFile = path.join(workDir, 'playground.log');
  const preload = path.join(workDir, 'loopback-preload.cjs');
  await fs.writeFile(configFile, playgroundConfigYaml(opts));
  await fs.writeFile(preload, LOOPBACK_PRELOAD);
  await fs.writeFile(logFile, '');

  const port = await freePort(opts.port ?? DEFAULT_PLAYGROUND_PORT);
  const serviceUrl = `http://127.0.0.1:${port}/_connector`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none',
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    TEAMSAPPTESTER_LOGFILE: logFile,
    BOT_ENDPOINT: opts.botEndpoint,
    DEFAULT_CHANNEL_ID: 'msteams'
  };
  // Not ours to pass on: loaders and coverage collection (c8) of the parent mean nothing here.
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  const child = spawn(
    process.execPath,
    [
      '--require',
      preload,
      PLAYGROUND_CLI,
      '--app-endpoint',
      opts.botEndpoint,
      '--channel-id',
      'msteams',
      '--port',
      String(port),
      '--service-url',
      serviceUrl,
      '--disable-telemetry'
    ],
    { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  if (child.pid === undefined) {
    throw new Error('could not start the Agents Playground');
  }
  const pid = child.pid;
  let listening: number | undefined;
  let exited: string | undefined;
  const tail: string[] = [];
  const onData = (buf: Buffer): void => {
    for (const line of buf.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) {
        continue;
      }
      tail.push(line);
      if (tail.length > 20) {
        tail.shift();
      }
      const m = /Listening on (\d+)/.exec(line);
      if (m) {
        listening = Number(m[1]);
      }
      opts.onLine?.(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exitedP = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve(exited);
    });
  });

  const stop = (): Promise<void> => endChild(child);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60000);
  try {
    for (;;) {
      if (exited) {
        throw new Error(`the Agents Playground ${exited} before it was ready:\n${tail.join('\n')}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`the Agents Playground did not answer /_debug/ping in time:\n${tail.join('\n')}`);
      }
      if (listening !== undefined) {
        const ok = await fetch(`http://127.0.0.1:${listening}/_debug/ping`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) {
          break;
        }
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const actual = listening!;
  return { url: `http://127.0.0.1:${actual}`, port: actual, pid, logFile, configFile, exited: exitedP, stop };
}
