/**
 * Exactly-once notices across crashes (DESIGN §8.1): every notice carries its idempotency key as a
 * single-value extended property and is saved to Sent Items; `mail.findSent(key)` looks there before a
 * re-attempt sends again. Against the local tenant over HTTP.
 * Graph pages: "user: sendMail", "Outlook extended properties overview",
 * "Get singleValueLegacyExtendedProperty", "mailFolder resource type" (well-known name sentitems).
 */
import assert from 'node:assert/strict';
import { createGraph, GraphError, memoryDeltaStore, type Graph, type Notice } from '../../../graph';
import { NOTICE_PROPERTY_ID } from '../../../graph/mail';
import { harness, silent, type Harness } from './helpers';

const DG = 'hemtjanst.majorna@goteborg.example';

function notice(key: string): Notice {
  return { to: DG, subject: 'Inringd personal', html: '<p>Hej</p>', callInId: `ci-${key}`, idempotencyKey: key };
}

/** The protocol the outbox handler follows (jobs/notices.ts), reduced to its decision. */
async function handle(graph: Graph, row: { attempts: number }, n: Notice): Promise<{ recovered: boolean; sentAt?: string }> {
  if (row.attempts > 1) {
    const sent = await graph.mail.findSent(n.idempotencyKey);
    if (sent) {
      return { recovered: true, sentAt: sent.sentDateTime };
    }
  }
  await graph.mail.sendNotice(n);
  return { recovered: false };
}

describe('graph/ mail recovery: findSent in Sent Items (local tenant)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h.tenant.stop();
  });

  describe('with the copy saved at once', () => {
    beforeEach(async () => {
      h = await harness();
    });

    it('stamps the notice with the extended property and saves it to Sent Items', async () => {
      await h.graph.mail.sendNotice(notice('k-1'));
      const [m] = h.tenant.mail();
      assert.deepEqual(m!.singleValueExtendedProperties, [{ id: NOTICE_PROPERTY_ID, value: 'k-1' }]);
      assert.equal(m!.saveToSentItems, true);
      assert.match(NOTICE_PROPERTY_ID, /^String \{[0-9a-f-]{36}\} Name TrygghetsjourenCallIn$/);
      assert.equal(h.tenant.sentItems().length, 1);
    });

    it('finds a sent notice by its key; a different key finds nothing; one GET to sentitems with the filter', async () => {
      await h.graph.mail.sendNotice(notice('k-1'));
      h.tenant.clearRequests();
      const found = await h.graph.mail.findSent('k-1');
      assert.ok(found);
      assert.equal(found.id, h.tenant.sentItems()[0]!.id);
      assert.match(found.sentDateTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(await h.graph.mail.findSent('k-2'), undefined);
      const reqs = h.tenant.requests();
      assert.equal(reqs.length, 2);
      for (const r of reqs) {
        assert.equal(r.method, 'GET');
        assert.equal(r.status, 200);
        assert.match(r.path, /\/users\/[^/]+\/mailFolders\/sentitems\/messages$/);
        const qs = new URLSearchParams(r.query);
        assert.match(qs.get('$filter')!, /^singleValueExtendedProperties\/Any\(ep: ep\/id eq 'String \{[0-9a-f-]{36}\} Name TrygghetsjourenCallIn' and ep\/value eq 'k-[12]'\)$/);
        assert.equal(qs.get('$select'), 'id,sentDateTime');
      }
    });

    it('escapes quotes in the key (OData literal: doubled), so a key cannot widen the filter', async () => {
      const hostile = "x' or ep/value ne 'y";
      await h.graph.mail.sendNotice(notice('k-1'));
      h.tenant.clearRequests();
      assert.equal(await h.graph.mail.findSent(hostile), undefined, 'no match: the quotes stay inside the literal');
      const r = h.tenant.requests()[0]!;
      assert.equal(r.status, 200, 'a well-formed filter, not a 400');
      assert.ok(new URLSearchParams(r.query).get('$filter')!.includes("ep/value eq 'x'' or ep/value ne ''y'"));
      await h.graph.mail.sendNotice(notice(hostile));
      const found = await h.graph.mail.findSent(hostile);
      assert.equal(found?.id, h.tenant.sentItems()[1]!.id);
      assert.equal(await h.graph.mail.findSent("it's"), undefined);
    });

    it('after a crash (a new process, nothing in memory) a re-attempt recovers instead of sending again', async () => {
      // Attempt 1 got its 202, then the process died before the outbox row was marked done.
      assert.deepEqual(await handle(h.graph, { attempts: 1 }, notice('k-1')), { recovered: false });
      const restarted = createGraph(h.settings, { logger: silent, deltaStore: memoryDeltaStore() });
      const second = await handle(restarted, { attempts: 2 }, notice('k-1'));
      assert.equal(second.recovered, true);
      assert.equal(second.sentAt, h.tenant.sentItems()[0]!.sentDateTime);
      assert.equal(h.tenant.mail().length, 1, 'exactly one notice');
      // An attempt whose send never reached Graph: not found, so it is sent (not lost).
      h.tenant.setFaults([{ method: 'POST', path: '/sendMail$', drop: true, times: 1 }]);
      await assert.rejects(handle(restarted, { attempts: 1 }, notice('k-2')), (e: GraphError) => e.ambiguous === true);
      assert.deepEqual(await handle(restarted, { attempts: 2 }, notice('k-2')), { recovered: false });
      assert.equal(h.tenant.mail().length, 2);
      assert.deepEqual(
        h.tenant.mail().map((m) => m.singleValueExtendedProperties?.[0]?.value),
        ['k-1', 'k-2']
      );
    });

    it('a failing look is thrown (not treated as "not sent"): retried for 503, GraphError for 500, nothing sent', async () => {
      await h.graph.mail.sendNotice(notice('k-1'));
      h.tenant.setFaults([{ method: 'GET', path: '/mailFolders/sentitems/messages$', status: 503, retryAfter: 1, times: 1 }]);
      assert.ok(await h.graph.mail.findSent('k-1'), 'a 503 is retried after Retry-After');
      const restarted = createGraph(h.settings, { logger: silent, deltaStore: memoryDeltaStore() });
      h.tenant.setFaults([{ method: 'GET', path: '/mailFolders/sentitems/messages$', status: 500 }]);
      await assert.rejects(handle(restarted, { attempts: 2 }, notice('k-1')), (e: GraphError) => e instanceof GraphError && e.status === 500);
      assert.equal(h.tenant.mail().length, 1);
    });
  });

  it('residual risk: before Exchange has saved the copy, findSent finds nothing', async () => {
    h = await harness({ sentItemsDelayMs: 400 });
    await h.graph.mail.sendNotice(notice('k-1'));
    const restarted = createGraph(h.settings, { logger: silent, deltaStore: memoryDeltaStore() });
    assert.equal(await restarted.mail.findSent('k-1'), undefined, 'too early: a re-send now would duplicate');
    await new Promise((r) => setTimeout(r, 450));
    assert.ok(await restarted.mail.findSent('k-1'), 'a re-attempt that comes late (after the lease) sees it');
  });
});
