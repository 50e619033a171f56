/**
 * Runs the local tenant: npx tsx dev/tenant/cli.ts [--port 5055] [--host 127.0.0.1]
 *   [--data dev/tenant-data] [--generate 500x40] [--token local-dev-token] [--invite-delay-ms 0]
 *   [--sent-items-delay-ms 0]
 */
import { startTenant, type TenantOptions } from './server';

function args(argv: string[]): TenantOptions {
  const o: TenantOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${a} needs a value`);
      }
      return next;
    };
    if (a === '--port') {
      o.port = Number(v());
    } else if (a === '--host') {
      o.host = v();
    } else if (a === '--data') {
      o.dataDir = v();
    } else if (a === '--token') {
      o.token = v();
    } else if (a === '--invite-delay-ms') {
      o.inviteDelayMs = Number(v());
    } else if (a === '--sent-items-delay-ms') {
      o.sentItemsDelayMs = Number(v());
    } else if (a === '--generate') {
      const m = /^(\d+)x(\d+)$/.exec(v());
      if (!m) {
        throw new Error('--generate wants UNITSxSTAFF, e.g. 500x40');
      }
      o.generated = { units: Number(m[1]), staff: Number(m[2]) };
    } else if (a === '--no-notifications') {
      o.notifications = false;
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const t = await startTenant(args(process.argv.slice(2)));
  console.log(`Listening on ${t.url}`);
  console.log(`Graph: ${t.graphBase} (Authorization: Bearer ${t.token})`);
  console.log(`Mailbox: ${t.url}/_dev/mail`);
  const stop = (): void => {
    void t.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
