/**
 * Graph requests of a warm call-in through the real flow (bot harness, real graph/ over HTTP to the
 * local tenant on 127.0.0.1, real outbox worker): after one call-in has warmed the caches, another
 * call-in — by the same jourledare and by another one — costs exactly one Graph request: the
 * notice's sendMail. Counted at the tenant (tenant.requests()).
 */
import { strict as assert } from 'node:assert';
import { ADMINS_GROUP_ID, JOURLEDARE1, JOURLEDARE2, JOURLEDARE_GROUP_ID, MAILBOX, userId } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { createGraph, memoryDeltaStore } from '../../../graph';
import { OutboxWorker } from '../../../store/outbox';
import type { Db } from '../../../store/db';
import { noticeHandler } from '../../../jobs/notices';
import { act, fixedClock, makeHarness, openStore, resetStore, say, silent, type BotAnswer, type Card, type Harness } from '../../bot/harness';

/** Tuesday 24 November 2026, 20:14 in Stockholm. */
const NIGHT = '2026-11-24T19:14:00Z';

function only(a: BotAnswer): Card {
  assert.equal(a.cards.length, 1, `expected one card (texts: ${a.texts.join(' | ')})`);
  return a.cards[0];
}

describe('graph/ requests of a warm call-in (real flow, local tenant)', function () {
  this.timeout(60_000);
  let tenant: RunningTenant;
  let db: Db;
  let h: Harness;
  let worker: OutboxWorker;

  before(async () => {
    db = await openStore();
    await resetStore(db);
    tenant = await startTenant({ notifications: false });
    const graph = createGraph(
      {
        baseUrl: tenant.graphBase,
        auth: { kind: 'static', token: tenant.token },
        siteId: tenant.siteId,
        unitsList: 'Enheter',
        staffDrive: 'Personallistor',
        mailbox: MAILBOX,
        jourledareGroupId: JOURLEDARE_GROUP_ID,
        adminGroupId: ADMINS_GROUP_ID,
        maxRetries: 2,
        timeoutMs: 5000,
        maxRetryDelayMs: 50,
        // No background delta during the test: every request counted comes from the flow.
        unitsCacheRefreshMs: 0
      },
      { logger: silent, deltaStore: memoryDeltaStore() }
    );
    h = makeHarness(db, { graph, clock: fixedClock(NIGHT) });
    worker = new OutboxWorker(h.outbox, { notice: noticeHandler({ mail: graph.mail, clock: fixedClock(NIGHT), logger: silent }) }, { pollMs: 60_000 });
  });
  after(async () => {
    await worker.stop();
    await tenant.stop();
    await db.close();
  });

  async function drain(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const claimed = await worker.tick();
      await worker.idle();
      if (claimed === 0 && (await h.outbox.counts()).pending === 0) {
        return;
      }
    }
  }

  /** One call-in from "hej" to the sent notice; returns the Graph requests the tenant saw. */
  async function callIn(user: { id: string; name: string }): Promise<string[]> {
    const mails = tenant.mail().length;
    tenant.clearRequests();
    const click = async (card: Card, verb: string, inputs: Record<string, unknown> = {}, where?: (d: Record<string, unknown>) => boolean) =>
      only(await act(h, card, verb, inputs, { user, where }));
    const welcome = only(await say(h, 'hej', { user }));
    const search = await click(welcome, 'start');
    const results = await click(search, 'unitSearch', { query: 'majorna' });
    const absence = await click(results, 'unitPick', {}, (d) => d.unitId === '1');
    const cand = await click(absence, 'absenceSubmit', { absent: 'anna-andersson', reason: 'sjuk', start: '21:00', end: '07:00', working: 'kerstin-larsson' });
    const c1 = await click(cand, 'callRecord', {}, (d) => d.staffId === 'nadia-jonsson' && d.outcome === 'accepted');
    const conf = await click(c1, 'toConfirm');
    await click(conf, 'confirm');
    await drain();
    assert.equal(tenant.mail().length, mails + 1, 'the notice went');
    return tenant
      .requests()
      .filter((r) => !r.path.startsWith('/_dev'))
      .map((r) => `${r.method} ${r.path.replace(/^\/v1\.0/, '').replace(/\/users\/[^/]+/, '/users/{id}')}`);
  }

  it('cold reads the units list, staff lists and groups; warm costs only the sendMail, for the same and another jourledare', async () => {
    const jl1 = { id: userId(JOURLEDARE1), name: 'Jourledare Ett' };
    const jl2 = { id: userId(JOURLEDARE2), name: 'Jourledare Två' };
    const cold = await callIn(jl1);
    assert.ok(cold.length > 1, `cold: ${cold.join(', ')}`);
    assert.ok(cold.some((r) => /\/items\/delta$/.test(r)), 'the units list is read by delta when cold');
    const warmSame = await callIn(jl1);
    assert.deepEqual(warmSame, ['POST /users/{id}/sendMail'], `warm, same user: ${warmSame.join(', ')}`);
    const warmOther = await callIn(jl2);
    assert.deepEqual(warmOther, ['POST /users/{id}/sendMail'], `warm, other user: ${warmOther.join(', ')}`);
    console.log(`      cold ${cold.length} requests; warm (same user) ${warmSame.length}; warm (other user) ${warmOther.length}`);
  });
});
