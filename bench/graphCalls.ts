/**
 * Graph requests per call-in, counted at the local tenant (tenant.requests(), which also logs the
 * pre-authenticated downloads of staff lists). Cold: the first call-in after a fresh start (empty
 * store, empty caches). Warm: the next call-ins of the same unit. Each count runs from the first
 * turn until the notice is in the mailbox (and a short settle), so it includes the outbox's sendMail.
 * The minimum is one sendMail when warm (every read answered from cache).
 */
import { startTenant, type RequestLogEntry } from '../dev/tenant/server';
import { tenantEnv } from '../test/helpers/local';
import { spawnBot } from '../test/helpers/botProcess';
import { ChatUser, startConnector } from '../test/helpers/channel';
import { DEMO_JOURLEDARE, NIGHT_CLOCK, runCallIn } from '../test/helpers/callInFlow';
import { figure, progress, removeDir, sleep, tempDir } from './common';

function kinds(reqs: RequestLogEntry[]): string {
  const by = new Map<string, number>();
  for (const r of reqs) {
    const p = r.path
      .replace(/^\/v1\.0/, '')
      .replace(/\/sites\/[^/]+/, '/sites/{site}')
      .replace(/\/lists\/[^/]+/, '/lists/{list}')
      .replace(/\/drives\/[^/]+/, '/drives/{drive}')
      .replace(/\/items\/(?!delta\b)[^/:]+/, '/items/{id}')
      .replace(/\/users\/[^/]+/, '/users/{id}')
      .replace(/\/root:[^:]*/, '/root:{path}')
      .replace(/^\/_download\/.*/, '/_download');
    const q = r.query.includes('token=') ? '?token' : r.query.includes('expand=') ? '?$expand' : '';
    const k = `${r.method} ${p}${q}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}×${k.replace(/ /g, '_')}`).join(',');
}

export async function graphCallsBench(): Promise<void> {
  const tenant = await startTenant({ notifications: false });
  const connector = await startConnector();
  const dir = tempDir('tj-bench-graph-');
  const bot = await spawnBot({ env: tenantEnv(tenant, { DATA_DIR: dir, LOG_LEVEL: 'warn', CLOCK_START: NIGHT_CLOCK, SYNC_ENABLED: 'false' }), waitReady: true, timeoutMs: 120_000 });
  try {
    const measure = async (label: string, user: ChatUser): Promise<number> => {
      const before = tenant.mail().length;
      tenant.clearRequests();
      await runCallIn(user);
      const deadline = Date.now() + 30_000;
      while (tenant.mail().length === before && Date.now() < deadline) {
        await sleep(50);
      }
      await sleep(500);
      const reqs = tenant.requests().filter((r) => !r.path.startsWith('/_dev'));
      const sends = reqs.filter((r) => r.method === 'POST' && /\/sendMail$/.test(r.path)).length;
      figure(`graph: ${label}`, { requests: reqs.length, sendMail: sends, minimum: 1, over_minimum: reqs.length - 1 });
      figure(`graph: ${label} by_kind`, { requests: kinds(reqs) });
      return reqs.length;
    };
    progress('cold call-in (the readiness probe has run: the site is known)');
    await measure('cold', new ChatUser({ botUrl: bot.messages, connector, user: DEMO_JOURLEDARE[0], conversationId: 'a:graph-1' }));
    progress('warm call-ins');
    await measure('warm (same user)', new ChatUser({ botUrl: bot.messages, connector, user: DEMO_JOURLEDARE[0], conversationId: 'a:graph-1' }));
    await measure('warm (other user)', new ChatUser({ botUrl: bot.messages, connector, user: DEMO_JOURLEDARE[1], conversationId: 'a:graph-2' }));
  } finally {
    await bot.stop();
    await connector.stop();
    await tenant.stop();
    removeDir(dir);
  }
}
