/**
 * `npm run sync` — the permission sync from the command line (issue 6).
 *
 *   npm run sync -- --dry-run          print the plan as a table; change nothing
 *   npm run sync                       apply the plan (under the sync lock)
 *   npm run sync -- --approve          apply a plan the mass-revocation guard stopped (after review)
 *   npm run sync -- --unit 12 --unit 14   only these units (list item ids)
 *   --graph-base <url>                 Graph (or local tenant) address; default GRAPH_BASE_URL, and in
 *                                      local mode http://127.0.0.1:<LOCAL_TENANT_PORT>/v1.0
 *
 * Reads the configuration like the bot (config.ts). In local mode it talks to the local tenant that
 * `npm start` runs and fills in its well-known site and token unless the environment gives others.
 *
 * Exit codes: 0 done, nothing needs a human; 1 something needs a human (manual task, stopped plan,
 * failed step, a report such as a missing folder); 2 could not run (configuration, Graph or tenant
 * unreachable, store in use, units list unreadable); 3 skipped: another instance holds the sync lock.
 */
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../config';
import { createGraph } from '../graph';
// Local mode only: the local tenant's well-known ids (small, no I/O). graphSettings comes from the
// composition root: this CLI is an entry point of its own.
import * as localIds from '../dev/tenant/demoIds';
import { graphSettings } from '../index';
import { openDb, type Db } from '../store/db';
import { DataDirLockedError } from '../store/lockFile';
import { migrate } from '../store/migrations';
import { KeyValueStore } from '../store/stateStore';
import { createSync, type SyncResult } from './sync';

export interface CliArgs {
  dryRun: boolean;
  approve: boolean;
  unitIds?: string[];
  graphBase?: string;
  help: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { dryRun: false, approve: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) {
        throw new Error(`${a.split('=')[0]} needs a value`);
      }
      return v;
    };
    if (a === '--dry-run' || a === '--torrkorning') {
      out.dryRun = true;
    } else if (a === '--approve') {
      out.approve = true;
    } else if (a === '--unit' || a.startsWith('--unit=')) {
      out.unitIds = [...(out.unitIds ?? []), value()];
    } else if (a === '--graph-base' || a.startsWith('--graph-base=')) {
      out.graphBase = value();
    } else if (a === '--help' || a === '-h') {
      out.help = true;
    } else {
      throw new Error(`unknown argument ${a} (see --help)`);
    }
  }
  return out;
}

const USAGE = `Användning: npm run sync -- [--dry-run] [--approve] [--unit <id>]... [--graph-base <url>]
  --dry-run     visa planen som tabell, ändra ingenting
  --approve     genomför en plan som spärren mot massborttagning stoppade (efter granskning)
  --unit <id>   bara den enheten (listobjektets id); kan upprepas
Slutkod: 0 klart, 1 något behöver en människa, 2 kunde inte köra, 3 en annan instans kör synken.`;

/** Environment for local mode: the local tenant's well-known site and token, unless given. */
function localDefaults(env: NodeJS.ProcessEnv, graphBase: string | undefined): NodeJS.ProcessEnv {
  const ids = localIds;
  const port = env.LOCAL_TENANT_PORT?.trim() || '5055';
  return {
    ...env,
    GRAPH_BASE_URL: graphBase ?? (env.GRAPH_BASE_URL?.trim() || `http://127.0.0.1:${port}/v1.0`),
    GRAPH_STATIC_TOKEN: env.GRAPH_STATIC_TOKEN?.trim() || 'local-dev-token',
    SHAREPOINT_SITE_ID: env.SHAREPOINT_SITE_ID?.trim() || `${ids.HOSTNAME}:/sites/${ids.SITE.name}`,
    MAILBOX: env.MAILBOX?.trim() || ids.MAILBOX,
    JOURLEDARE_GROUP_ID: env.JOURLEDARE_GROUP_ID?.trim() || ids.JOURLEDARE_GROUP_ID,
    ADMIN_GROUP_ID: env.ADMIN_GROUP_ID?.trim() || ids.ADMINS_GROUP_ID
  };
}

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

/** Runs the CLI; resolves with the exit code. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = { out: (s) => console.log(s), err: (s) => console.error(s) },
  /** Tests: an open, migrated store to use instead of the configured one (left open). */
  deps: { db?: Db } = {}
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err((err as Error).message);
    io.err(USAGE);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }

  let config: Config;
  try {
    const first = loadConfig(env);
    config = first.mode === 'local' ? loadConfig(localDefaults(env, args.graphBase)) : loadConfig(args.graphBase ? { ...env, GRAPH_BASE_URL: args.graphBase } : env);
  } catch (err) {
    io.err(err instanceof ConfigError ? err.message : `Konfigurationen kunde inte läsas: ${(err as Error).message}`);
    return 2;
  }
  // Logs go to stderr so that the table on stdout stays clean.
  const logger = pino({ level: env.LOG_LEVEL ?? 'warn', name: 'sync-cli' }, pino.destination(2));

  let settings;
  try {
    settings = graphSettings(config);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }

  // Graph first: a missing tenant is the likeliest problem and costs no store start-up.
  let kv: KeyValueStore | undefined;
  const graph = createGraph(settings, {
    logger,
    deltaStore: { get: (k) => kv!.get(k), set: (k, v) => kv!.set(k, v) }
  });
  if (!(await graph.ping())) {
    io.err(
      config.mode === 'local'
        ? `Den lokala tenanten svarar inte på ${config.GRAPH_BASE_URL}. Starta den med "npm start" i en annan terminal, eller ange --graph-base <url>.`
        : `Microsoft Graph svarar inte (${config.GRAPH_BASE_URL}, webbplats ${config.SHAREPOINT_SITE_ID}); kontrollera behörigheter och nätverk.`
    );
    return 2;
  }

  let db: Db;
  try {
    db = deps.db ?? (await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      io.err(
        `Datamappen ${config.DATA_DIR} används av en körande bot (den inbäddade databasen tillåter en process i taget). ` +
          'Kör "synk" eller "synk torrkörning" som administratör i Teams, stoppa boten först, eller använd DATABASE_URL (PostgreSQL).'
      );
    } else {
      io.err(`Databasen kunde inte öppnas: ${(err as Error).message}`);
    }
    return 2;
  }
  try {
    await migrate(db);
    kv = new KeyValueStore(db);
    const sync = createSync({
      db,
      graph,
      logger,
      config: { maxRevokeShare: config.SYNC_MAX_REVOKE_SHARE, intervalMinutes: 0, notifications: false, instance: `cli:${process.pid}` }
    });
    const result = await sync.reconcile({
      dryRun: args.dryRun,
      trigger: 'cli',
      ...(args.unitIds ? { unitIds: args.unitIds } : {}),
      ...(args.approve ? { approveMassRevocation: true } : {})
    });
    io.out(report(result));
    return exitCode(result);
  } finally {
    if (!deps.db) {
      await db.close().catch(() => undefined);
    }
  }
}

export function exitCode(r: SyncResult): number {
  if (r.status === 'skipped') {
    return 3;
  }
  if (r.status === 'failed') {
    return 2;
  }
  return r.needsHuman ? 1 : 0;
}

function report(r: SyncResult): string {
  if (r.status === 'skipped' || r.status === 'failed') {
    return r.message ?? r.summary;
  }
  const lines = [r.table, ''];
  if (r.status === 'dryRun') {
    lines.push(r.needsHuman ? 'Torrkörning: ingenting ändrades. Något behöver en människa (se "Åtgärda" och "Manuell uppgift").' : 'Torrkörning: ingenting ändrades.');
    if (r.stopReason) {
      lines.push(r.stopReason, 'Kör med --approve efter granskning för att genomföra planen ändå.');
    }
  } else {
    lines.push(r.summary);
    if (r.status === 'stopped') {
      lines.push('Kör med --approve efter granskning för att genomföra planen ändå.');
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`Synken misslyckades: ${(err as Error).message}`);
      process.exit(2);
    }
  );
}
