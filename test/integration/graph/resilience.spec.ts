/**
 * Faults injected at the local tenant; timings measured from the tenant's request log (its clock,
 * its view of when each attempt arrived), attempts correlated by our client-request-id.
 */
import assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../../dev/tenant/server';
import { GraphError } from '../../../graph';
import { harness, type Harness } from './helpers';

/** Attempts grouped per logical request (same client-request-id), in arrival order. */
function attemptsById(log: RequestLogEntry[]): Map<string, RequestLogEntry[]> {
  const m = new Map<string, RequestLogEntry[]>();
  for (const r of log.filter((x) => !x.batch)) {
    const k = r.clientRequestId ?? r.requestId;
    (m.get(k) ?? m.set(k, []).get(k)!).push(r);
  }
  for (const v of m.values()) {
    v.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  }
  return m;
}

describe('graph/ under injected faults (local tenant)', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    // maxRetries 10: at 30% faults an item exhausting its retries (0.3^11 × 30 ≈ 5e-5) would be a flake, not a finding.
    h = await harness({ generated: { units: 30, staff: 2 } }, { maxRetries: 10 });
    await h.graph.units.list(); // resolve site and list ids before faults start
  });
  afterEach(async () => {
    await h.tenant.stop();
  });

  it('with 30% 429s carrying Retry-After: 2, no retry comes sooner than asked', async () => {
    h.tenant.setFaults([{ method: 'GET', path: '/items/\\d+$', status: 429, retryAfter: 2, probability: 0.3 }]);
    h.tenant.clearRequests();
    const ids = Array.from({ length: 30 }, (_, i) => String(i + 1));
    const got = await Promise.all(ids.map((id) => h.graph.units.get(id, { fresh: true })));
    h.tenant.setFaults([]);
    assert.ok(got.every((u) => u !== undefined));
    let gaps = 0;
    let minGap = Infinity;
    for (const attempts of attemptsById(h.tenant.requests()).values()) {
      for (let i = 1; i < attempts.length; i++) {
        const prev = attempts[i - 1];
        assert.equal(prev.status, 429);
        const gap = Date.parse(attempts[i].time) - (Date.parse(prev.time) + prev.durationMs);
        minGap = Math.min(minGap, gap);
        gaps++;
        assert.ok(gap >= 2000, `retry after ${gap} ms, asked 2000`);
      }
      assert.equal(attempts[attempts.length - 1].status, 200);
    }
    assert.ok(gaps > 0, 'the fault rule should have fired at least once');
    console.log(`      ${gaps} retries after 429, shortest wait ${minGap} ms (asked 2000)`);
  });

  it('survives a burst of 503s', async () => {
    h.tenant.setFaults([{ path: '/lists/[^/]+/items$', status: 503, retryAfter: 1, times: 3 }]);
    h.tenant.clearRequests();
    const units = await h.graph.units.list({ fresh: true });
    assert.equal(units.length, 30);
    const statuses = h.tenant.requests().map((r) => r.status);
    assert.deepEqual(statuses, [503, 503, 503, 200]);
  });

  it('survives 504s without Retry-After, backing off', async () => {
    h.tenant.setFaults([{ path: '/lists/[^/]+/items$', status: 504, times: 2 }]);
    h.tenant.clearRequests();
    assert.equal((await h.graph.units.list({ fresh: true })).length, 30);
    const log = h.tenant.requests();
    assert.deepEqual(log.map((r) => r.status), [504, 504, 200]);
    const gap1 = Date.parse(log[1].time) - Date.parse(log[0].time);
    const gap2 = Date.parse(log[2].time) - Date.parse(log[1].time);
    assert.ok(gap1 >= 250 && gap2 >= 500, `backoff ${gap1}, ${gap2} ms`);
  });

  it('retries a dropped connection', async () => {
    h.tenant.setFaults([{ path: '/items/5$', drop: true, times: 2 }]);
    h.tenant.clearRequests();
    const u = await h.graph.units.get('5', { fresh: true });
    assert.equal(u?.id, '5');
    const log = h.tenant.requests();
    assert.equal(log.length, 3);
    assert.equal(log[2].status, 200);
  });

  it('retries a slow answer that passes the timeout', async () => {
    await h.tenant.stop();
    h = await harness({ generated: { units: 3, staff: 2 } }, { timeoutMs: 400 });
    await h.graph.units.list();
    h.tenant.setFaults([{ path: '/items/2$', latencyMs: 1500, times: 1 }]);
    h.tenant.clearRequests();
    const t0 = Date.now();
    assert.equal((await h.graph.units.get('2', { fresh: true }))?.id, '2');
    assert.ok(Date.now() - t0 < 1500, 'the slow attempt was abandoned, not waited for');
  });

  it('does not retry a non-retryable error (404), and gives up on a 503 that never ends', async () => {
    h.tenant.clearRequests();
    await assert.rejects(h.graph.access.folderPermissions({ id: 'x', name: 'x', managers: [], acting: [], active: true, problems: [], folder: 'Saknas helt' }), (e: GraphError) => e.status === 404 && !e.retryable);
    assert.equal(h.tenant.requests().filter((r) => r.path.endsWith('/permissions')).length, 1);

    await h.tenant.stop();
    h = await harness({ generated: { units: 3, staff: 2 } }, { maxRetries: 2 });
    h.tenant.setFaults([{ path: '/lists', status: 503, retryAfter: 0 }]);
    await assert.rejects(h.graph.units.list(), (e: GraphError) => e.status === 503 && e.retryable);
    assert.equal(h.tenant.requests().length, 3, 'first attempt + maxRetries');
  });
});
