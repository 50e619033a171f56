/**
 * The per-instance units cache (graph/units.ts UnitsCache) and stored deltaLinks that can no longer
 * be followed. Requests counted at the local tenant on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { harness, tenantFetch, type Harness } from './helpers';

describe('graph/ units cache and stale deltaLinks (local tenant)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h.tenant.stop();
  });
  const rename = (id: string, title: string) => tenantFetch(h.tenant, 'PATCH', `/sites/${h.tenant.siteId}/lists/${h.tenant.unitsListId}/items/${id}/fields`, { Title: title });

  it('serves list() and get() from memory once loaded; learns from the sync’s delta without extra requests', async () => {
    h = await harness({ generated: { units: 12, staff: 2 } }, { unitsCacheRefreshMs: 0 });
    assert.equal((await h.graph.units.list()).length, 12);
    h.tenant.clearRequests();
    for (let i = 0; i < 5; i++) {
      assert.equal((await h.graph.units.list()).length, 12);
      assert.equal((await h.graph.units.get('3'))?.id, '3');
    }
    assert.equal(h.tenant.requests().length, 0, 'warm reads cost nothing');

    await h.graph.units.delta(); // the sync's first (full) delta sets up the shared link
    await rename('3', 'Omdöpt enhet');
    assert.notEqual((await h.graph.units.get('3'))?.name, 'Omdöpt enhet', 'cached until a delta says otherwise');
    h.tenant.clearRequests();
    const d = await h.graph.units.delta(); // as the sync does on a change notification
    assert.deepEqual(d.changed.map((u) => u.id), ['3']);
    assert.equal(h.tenant.requests().length, 1, 'one delta request');
    h.tenant.clearRequests();
    assert.equal((await h.graph.units.get('3'))?.name, 'Omdöpt enhet');
    assert.equal((await h.graph.units.list()).find((u) => u.id === '3')?.name, 'Omdöpt enhet');
    assert.equal(h.tenant.requests().length, 0, 'the cache learned from the sync’s delta');
  });

  it('revalidates by its own delta after maxAge, and a fresh read goes to Graph', async () => {
    h = await harness({ generated: { units: 6, staff: 2 } }, { unitsCacheRefreshMs: 0, unitsCacheMaxAgeMs: 200 });
    await h.graph.units.list();
    await rename('2', 'Ändrad');
    await new Promise((r) => setTimeout(r, 300));
    h.tenant.clearRequests();
    assert.equal((await h.graph.units.get('2'))?.name, 'Ändrad');
    assert.deepEqual(h.tenant.requests().map((r) => r.path.replace(/.*\/items/, '…/items')), ['…/items/delta'], 'one delta, on this instance’s own link');
    h.tenant.clearRequests();
    assert.equal((await h.graph.units.list({ fresh: true })).length, 6);
    assert.equal(h.tenant.requests().length, 1);
  });

  it('a periodic delta refreshes the cache when nothing else does', async () => {
    h = await harness({ generated: { units: 6, staff: 2 } }, { unitsCacheRefreshMs: 400 });
    await h.graph.units.list();
    await rename('4', 'Periodiskt');
    const deadline = Date.now() + 5000;
    while ((await h.graph.units.get('4'))?.name !== 'Periodiskt' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await h.graph.units.get('4'))?.name, 'Periodiskt');
  });

  it('a unit added since the cache was loaded is found by id (one revalidation)', async () => {
    h = await harness({ generated: { units: 6, staff: 2 } }, { unitsCacheRefreshMs: 0 });
    await h.graph.units.list();
    const res = await tenantFetch(h.tenant, 'POST', `/sites/${h.tenant.siteId}/lists/${h.tenant.unitsListId}/items`, { fields: { Title: 'Ny enhet', Avdelning: 'Hemtjänst', Aktiv: true } });
    const id = String(((await res.json()) as { id: string }).id);
    assert.equal((await h.graph.units.get(id))?.name, 'Ny enhet');
  });

  it('a stored deltaLink outside the Graph base URL (tenant restarted on another port) is discarded: full enumeration, no failure', async () => {
    h = await harness({ generated: { units: 6, staff: 2 } });
    await h.graph.units.delta();
    await h.graph.staff.refresh();
    const port = new URL(h.tenant.graphBase).port;
    assert.ok(h.store.entries.size >= 2);
    for (const [k, v] of h.store.entries) {
      h.store.entries.set(k, v.replace(`:${port}/`, ':1/'));
    }
    const d = await h.graph.units.delta();
    assert.equal(d.full, true);
    assert.equal(d.changed.length, 6);
    await h.graph.staff.refresh();
    for (const v of h.store.entries.values()) {
      assert.ok(v.includes(`:${port}/`), 'a new link under the base URL is stored');
    }
  });
});
