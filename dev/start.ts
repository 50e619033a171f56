/**
 * Local mode in one command (`npm start`, DESIGN §7): the local Microsoft 365 tenant with the demo
 * data, the bot against it with the embedded store in DATA_DIR, and the Microsoft 365 Agents
 * Playground pointed at the bot. Nothing listens beyond 127.0.0.1; nothing leaves the machine.
 * Ctrl-C (SIGINT) or SIGTERM stops all three and exits 0.
 *
 * `startLocal()` is the same thing as a function, for the end-to-end and smoke tests.
 */
import path from 'node:path';
import { DateTime } from 'luxon';
import { start, type App } from '../index';
import { loadConfig } from '../config';
import { isJourtid, ZONE } from '../core/jourtid';
import { startTenant, type RunningTenant } from './tenant/server';
import { ADMINS_GROUP_ID, JOURLEDARE1, JOURLEDARE_GROUP_ID, MAILBOX } from './tenant/demoIds';
import { DEFAULT_PLAYGROUND_PORT, startPlayground, type PlaygroundUser, type RunningPlayground } from './playground';
import type { Logger } from '../logger';

export interface LocalOptions {
  /** The embedded store's folder (and the Playground's config and log under `playground/`). Default DATA_DIR or ./data. */
  dataDir?: string;
  /** Default LOCAL_TENANT_PORT (5055); 0 = any free port. */
  tenantPort?: number;
  /** Default PORT (3978); 0 = any free port. */
  botPort?: number;
  /** Start the Agents Playground; default true. */
  playground?: boolean;
  /** Default PLAYGROUND_PORT (56150); taken or 0 = any free port. */
  playgroundPort?: number;
  /**
   * Instant the bot's clock starts at (ISO 8601 with offset). Default: CLOCK_START if set; else, when
   * now is outside jourtid, today 21:30 Europe/Stockholm, so a demo by day behaves as a night.
   * `null`: the real clock.
   */
  clockStart?: string | null;
  /** The tenant's demo user the Playground chats as; default jourledare1@goteborg.example. */
  chatUser?: string;
  /** Base environment (default process.env); the tenant's settings are laid over it. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Each line the Playground prints. */
  onPlaygroundLine?: (line: string) => void;
}

export interface LocalRun {
  tenant: RunningTenant;
  app: App;
  /** http://127.0.0.1:<port>/api/messages */
  botEndpoint: string;
  /** The tenant's mailbox page. */
  mailboxUrl: string;
  dataDir: string;
  clockStart?: string;
  playground?: RunningPlayground;
  playgroundUrl?: string;
  /** The Playground's chat user (the tenant's jourledare). */
  chatUser: PlaygroundUser;
  stop(): Promise<void>;
}

/** Today 21:30 in Stockholm when `now` is outside jourtid; undefined when it is jourtid already. */
export function defaultClockStart(now: Date = new Date()): string | undefined {
  if (isJourtid(now)) {
    return undefined;
  }
  return DateTime.fromJSDate(now, { zone: ZONE })
    .set({ hour: 21, minute: 30, second: 0, millisecond: 0 })
    .toISO({ suppressMilliseconds: true }) as string;
}

function groupIdByNickname(tenant: RunningTenant, nick: string, fallback: string): string {
  for (const g of tenant.state.groups.values()) {
    if ((g as { mailNickname?: string }).mailNickname === nick) {
      return g.id;
    }
  }
  return fallback;
}

export async function startLocal(opts: LocalOptions = {}): Promise<LocalRun> {
  const baseEnv = opts.env ?? process.env;
  if (baseEnv.NODE_ENV === 'production') {
    throw new Error('Local mode refuses to run with NODE_ENV=production (it serves demo data and accepts unauthenticated chat). Unset NODE_ENV, or configure production (see env.sample).');
  }
  // Validate what the user gave before starting anything (ports, DATA_DIR, …).
  const base = loadConfig(baseEnv);
  if (base.mode !== 'local') {
    throw new Error('npm start is local mode: Microsoft 365 settings are set in the environment (MicrosoftAppId, GRAPH_CLIENT_ID or GRAPH_TENANT_ID). Unset them, or run production with npm run start:prod.');
  }
  const dataDir = path.resolve(opts.dataDir ?? base.DATA_DIR);
  const clockStart = opts.clockStart === null ? undefined : (opts.clockStart ?? base.CLOCK_START ?? defaultClockStart());

  const tenant = await startTenant({ port: opts.tenantPort ?? base.LOCAL_TENANT_PORT, host: '127.0.0.1' });
  let app: App | undefined;
  let playground: RunningPlayground | undefined;
  try {
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      HOST: '127.0.0.1',
      PORT: String(opts.botPort ?? base.PORT),
      DATA_DIR: dataDir,
      GRAPH_BASE_URL: tenant.graphBase,
      GRAPH_STATIC_TOKEN: tenant.token,
      SHAREPOINT_SITE_ID: tenant.siteId,
      MAILBOX: tenant.state.userByIdOrUpn(tenant.mailboxUserId)?.mail ?? MAILBOX,
      JOURLEDARE_GROUP_ID: groupIdByNickname(tenant, 'jourledare', JOURLEDARE_GROUP_ID),
      ADMIN_GROUP_ID: groupIdByNickname(tenant, 'admins', ADMINS_GROUP_ID),
      CLOCK_START: clockStart,
      // The Playground always sends en-US; the product speaks Swedish to Trygghetsjouren.
      BOT_LOCALE: baseEnv.BOT_LOCALE ?? 'sv-SE'
    };
    if (clockStart === undefined) {
      delete env.CLOCK_START;
    }
    app = await start({ env, logger: opts.logger });
    const botEndpoint = `http://127.0.0.1:${app.port}/api/messages`;

    const who = tenant.state.userByMail(opts.chatUser ?? JOURLEDARE1);
    if (!who) {
      throw new Error(`the local tenant has no user ${opts.chatUser ?? JOURLEDARE1} to chat as`);
    }
    const account = (u: typeof who): PlaygroundUser => ({
      id: `29:${u.id}`,
      name: u.displayName,
      aadObjectId: u.id,
      userPrincipalName: u.userPrincipalName,
      givenName: u.givenName,
      surname: u.surname,
      email: u.mail
    });
    const chatUser = account(who);
    const others = [...tenant.state.users.values()]
      .filter((u) => u.id !== who.id && u.id !== tenant.mailboxUserId)
      .slice(0, 5)
      .map(account);
    if (opts.playground ?? true) {
      playground = await startPlayground({
        botEndpoint,
        port: opts.playgroundPort ?? base.PLAYGROUND_PORT ?? DEFAULT_PLAYGROUND_PORT,
        workDir: path.join(dataDir, 'playground'),
        tenantId: tenant.state.tenantId,
        user: chatUser,
        others,
        onLine: opts.onPlaygroundLine
      });
    }
    const running = { app, playground };
    let stopping: Promise<void> | undefined;
    return {
      tenant,
      app,
      botEndpoint,
      mailboxUrl: `${tenant.url}/_dev/mail`,
      dataDir,
      clockStart,
      playground,
      playgroundUrl: playground?.url,
      chatUser,
      stop() {
        stopping ??= (async () => {
          // The chat first (no new turns), then the bot (drains its turns and jobs), then Graph.
          await running.playground?.stop();
          await running.app.stop();
          await tenant.stop();
        })();
        return stopping;
      }
    };
  } catch (err) {
    await playground?.stop().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await tenant.stop().catch(() => undefined);
    throw err;
  }
}

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  let run: LocalRun;
  try {
    run = await startLocal();
  } catch (err) {
    console.error(`npm start: ${(err as Error).message}`);
    process.exit(1);
  }
  const ms = Number((process.hrtime.bigint() - t0) / 1_000_000n);
  const line = '─'.repeat(72);
  const out = [
    '',
    line,
    ' Trygghetsjouren, local mode (nothing leaves this machine)',
    line,
    ` Chat (Agents Playground):  ${run.playgroundUrl ?? '(not started)'}`,
    `   you are ${run.chatUser.name} <${run.chatUser.email}>, a jourledare; say "hej"`,
    ` Mailbox (sent notices):    ${run.mailboxUrl}`,
    ` Bot:                       ${run.botEndpoint}   (health: ${run.app.url}/healthz)`,
    ` Local Graph tenant:        ${run.tenant.graphBase}`,
    ` Data:                      ${run.dataDir}   (delete the folder to start afresh)`,
    ` Clock:                     ${run.clockStart ? `starts at ${run.clockStart} (CLOCK_START)` : 'real time'}`,
    ` Ready in ${(ms / 1000).toFixed(1)} s. Stop with Ctrl-C.`,
    line,
    ''
  ];
  console.log(out.join('\n'));
  let stopping = false;
  void run.playground?.exited.then((how) => {
    if (!stopping) {
      console.error(`The Agents Playground ${how}; its log: ${run.playground?.logFile}. The bot and the mailbox keep running; Ctrl-C to stop.`);
    }
  });

  const shutdown = (signal: string): void => {
    // `on`, not `once`, and repeats ignored: under tsx a signal can arrive twice (the terminal's and
    // tsx's relay of it), and a second one with no listener would end the process before the stop.
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`\n${signal}: stopping the Playground, the bot and the tenant…`);
    run.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`stop failed: ${(err as Error).message}`);
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  void main();
}
