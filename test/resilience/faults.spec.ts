/**
 * Graph faults: 200 call-ins confirmed through the real flow while the local tenant answers 30% of
 * `sendMail` requests with 429 (Retry-After) and 10% with 503 (Retry-After). Every notice is
 * delivered exactly once, and no attempt comes sooner than the Retry-After of the answer before it
 * (per notice, measured at a recording pass-through in front of the tenant; see graphProxy.ts).
 * Prints `faults: …` lines.
 */
import { strict as assert } from 'node:assert';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { startConnector, type Connector } from '../helpers/channel';
import { RestartableBot, confirmMany, mailFigures, sleep, waitForMails } from './common';
import { retryGaps, startGraphProxy, type GraphProxy } from './graphProxy';

const TARGET = 200;
const USERS = 8;
const RETRY_AFTER_S = 1;

describe('resilience: Graph faults on sendMail (30% 429 with Retry-After, 10% 503) while 200 call-ins are confirmed', function () {
  this.timeout(240_000);
  let tenant: RunningTenant;
  let proxy: GraphProxy;
  let connector: Connector;
  let bot: RestartableBot;

  before(async () => {
    tenant = await startTenant({ notifications: false });
    proxy = await startGraphProxy(tenant.url);
    connector = await startConnector();
    bot = await RestartableBot.create(tenant, { GRAPH_BASE_URL: proxy.graphBase, OUTBOX_LEASE_SECONDS: '5' });
    await bot.start();
  });
  after(async () => {
    await bot?.kill9().catch(() => undefined);
    bot?.remove();
    await connector?.stop();
    await proxy?.stop();
    await tenant?.stop();
  });

  it('all delivered, exactly once, and no retry sooner than Retry-After', async () => {
    // One rule fires per request: 30% 429; of the rest, 1/7 → 10% of all requests 503.
    tenant.setFaults([
      { method: 'POST', path: '/sendMail$', status: 429, retryAfter: RETRY_AFTER_S, probability: 0.3 },
      { method: 'POST', path: '/sendMail$', status: 503, retryAfter: RETRY_AFTER_S, probability: 0.1 / 0.7 }
    ]);
    const t0 = Date.now();
    const stats = await confirmMany({ botUrl: bot.messages, connector, target: TARGET, users: USERS, deadlineMs: 180_000 });
    const confirmedMs = Date.now() - t0;
    await waitForMails(tenant, stats.confirmed, 150_000);
    const deliveredMs = Date.now() - t0;
    await sleep(1500);
    await bot.stop();
    tenant.setFaults([]);

    const fig = mailFigures(tenant.mail(), stats.confirmed);
    const sends = proxy.sends();
    const s429 = sends.filter((s) => s.status === 429).length;
    const s503 = sends.filter((s) => s.status === 503).length;
    const s202 = sends.filter((s) => s.status === 202).length;
    const gaps = retryGaps(sends);
    const early = gaps.filter((g) => g.waitedMs < g.askedMs);
    const minRatio = gaps.length ? Math.min(...gaps.map((g) => g.waitedMs / g.askedMs)) : NaN;
    const outbox = await bot.query<{ status: string; n: string }>('select status, count(*) as n from outbox group by status order by status');
    const maxAttempts = Number((await bot.query<{ n: number }>('select max(attempts) as n from outbox'))[0].n);

    console.log(`      faults: confirmed=${stats.confirmed.size} notices=${fig.mails} duplicates=${fig.duplicates} lost=${fig.lost.length}`);
    console.log(`      faults: sendmail_attempts=${sends.length} accepted_202=${s202} throttled_429=${s429} unavailable_503=${s503} fault_share=${((s429 + s503) / Math.max(1, sends.length)).toFixed(2)}`);
    console.log(`      faults: retries_after_retry_after=${gaps.length} early_retries=${early.length} min_wait_over_retry_after=${minRatio.toFixed(2)} outbox=${outbox.map((r) => `${r.status}:${r.n}`).join(',')} max_outbox_attempts=${maxAttempts}`);
    console.log(`      faults: confirm_phase_s=${(confirmedMs / 1000).toFixed(1)} all_delivered_s=${(deliveredMs / 1000).toFixed(1)}`);

    assert.equal(stats.confirmed.size, TARGET);
    assert.deepEqual(fig.lost, [], 'no notice lost');
    assert.deepEqual(fig.unknown, []);
    assert.equal(fig.duplicates, 0, 'no notice twice');
    assert.equal(fig.mails, TARGET);
    assert.equal(s202, TARGET, 'exactly one accepted sendMail per notice');
    assert.ok(s429 > 0 && s503 > 0, 'faults were injected');
    assert.equal(gaps.length, s429 + s503, 'every faulted attempt was followed by another attempt');
    assert.deepEqual(early, [], 'no retry sooner than Retry-After');
    assert.deepEqual(
      outbox.map((r) => r.status),
      ['done']
    );
  });
});
