import assert from 'node:assert/strict';
import { harness, tenantFetch, type Harness } from './helpers';

describe('graph/ units and staff lists (local tenant)', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ generated: { units: 12, staff: 5 } });
  });
  afterEach(async () => {
    await h.tenant.stop();
  });

  it('reads every unit, typed, and one by id', async () => {
    const units = await h.graph.units.list();
    assert.equal(units.length, 12);
    const u = units[0];
    assert.equal(u.id, '1');
    assert.ok(u.name);
    assert.ok(u.managers.length >= 1 && u.managers[0].email.includes('@'));
    assert.ok(u.dgAddress?.includes('@'));
    assert.ok(u.folder);
    assert.equal(typeof u.active, 'boolean');
    assert.deepEqual(await h.graph.units.get('1'), u);
    assert.equal(await h.graph.units.get('9999'), undefined);
  });

  it('flags a unit with missing fields but keeps it', async () => {
    const sid = h.tenant.siteId;
    await tenantFetch(h.tenant, 'PATCH', `/sites/${sid}/lists/${h.tenant.unitsListId}/items/2/fields`, { DGAdress: null, Mapp: null });
    const u = await h.graph.units.get('2');
    assert.ok(u);
    assert.equal(u.dgAddress, undefined);
    assert.ok(u.problems.some((p) => p.startsWith('DG-adress saknas')), u.problems.join('|'));
    assert.ok(u.problems.some((p) => p.startsWith('Mapp saknas')), u.problems.join('|'));
    assert.equal((await h.graph.units.list()).length, 12);
  });

  it('delta: full first, then only what changed, deltaLink kept in the store', async () => {
    const first = await h.graph.units.delta();
    assert.equal(first.full, true);
    assert.equal(first.changed.length, 12);
    assert.equal(h.store.entries.size, 1);
    const sid = h.tenant.siteId;
    await tenantFetch(h.tenant, 'PATCH', `/sites/${sid}/lists/${h.tenant.unitsListId}/items/3/fields`, { Title: 'Omdöpt enhet' });
    await tenantFetch(h.tenant, 'DELETE', `/sites/${sid}/lists/${h.tenant.unitsListId}/items/4`);
    const second = await h.graph.units.delta();
    assert.equal(second.full, false);
    assert.deepEqual(second.changed.map((u) => [u.id, u.name]), [['3', 'Omdöpt enhet']]);
    assert.deepEqual(second.removedIds, ['4']);
    const third = await h.graph.units.delta();
    assert.deepEqual([third.changed.length, third.removedIds.length, third.full], [0, 0, false]);
  });

  it('delta: an expired token (410) means a full re-enumeration', async () => {
    await h.graph.units.delta();
    const key = [...h.store.entries.keys()][0];
    const link = h.store.entries.get(key)!;
    h.store.entries.set(key, link.replace(/token=[^&]+/, 'token=expired-token'));
    const again = await h.graph.units.delta();
    assert.equal(again.full, true);
    assert.equal(again.changed.length, 11 + 1);
  });

  it('staff list: cold read parses the workbook; warm read costs zero Graph requests after refresh()', async () => {
    const [u] = await h.graph.units.list();
    await h.graph.staff.refresh();
    h.tenant.clearRequests();
    const cold = await h.graph.staff.get(u);
    const coldRequests = h.count();
    assert.equal(cold.unusable, false, JSON.stringify(cold.problems));
    assert.equal(cold.staff.length, 5);
    assert.match(cold.file!.name, /^Personallista/);
    assert.ok(coldRequests >= 2);
    h.tenant.clearRequests();
    const warm = await h.graph.staff.get(u);
    assert.equal(h.count(), 0, 'a warm read must not touch Graph');
    assert.equal(warm.fromCache, true);
    assert.deepEqual(warm.staff, cold.staff);
    // Nothing changed: refresh keeps the cache.
    assert.deepEqual(await h.graph.staff.refresh(), { changedUnitFolders: [] });
    h.tenant.clearRequests();
    await h.graph.staff.get(u);
    assert.equal(h.count(), 0);
    console.log(`      staff list: cold read ${coldRequests} requests, warm read 0`);
  });

  it('staff list: refresh() invalidates only the folder whose file changed; unchanged cTag is not downloaded again', async () => {
    const [a, b] = await h.graph.units.list();
    await h.graph.staff.refresh();
    await h.graph.staff.get(a);
    await h.graph.staff.get(b);
    const drive = h.tenant.staffDriveId;
    // A new routine document in a's folder: a's listing changes, its workbook does not.
    await tenantFetch(h.tenant, 'PUT', `/drives/${drive}/root:/${encodeURIComponent(a.folder!)}/Nyckelrutin.txt:/content`, Buffer.from('Nyckeln hänger i skåpet.'), 'text/plain');
    const r = await h.graph.staff.refresh();
    assert.deepEqual(r.changedUnitFolders, [a.folder]);
    h.tenant.clearRequests();
    await h.graph.staff.get(b);
    assert.equal(h.count(), 0, 'b is still warm');
    const again = await h.graph.staff.get(a);
    assert.equal(again.fromCache, false);
    assert.ok(!h.tenant.requests().some((x) => /\/content$/.test(x.path)), 'same cTag: no download');
    assert.deepEqual((await h.graph.staff.documents(a)).map((d) => d.name), ['Nyckelrutin.txt']);
    assert.ok((await h.graph.staff.documents(a))[0].webUrl.startsWith('http'));
  });

  it('a missing folder or a broken file degrades that unit only', async () => {
    const [a, b] = await h.graph.units.list();
    const missing = await h.graph.staff.get({ ...a, folder: 'Finns inte' });
    assert.equal(missing.unusable, true);
    assert.match(missing.problems[0].message, /finns inte/);
    const none = await h.graph.staff.get({ ...a, folder: undefined });
    assert.equal(none.unusable, true);
    const drive = h.tenant.staffDriveId;
    await tenantFetch(h.tenant, 'PUT', `/drives/${drive}/root:/${encodeURIComponent(b.folder!)}/Personallista.xlsx:/content`, Buffer.from('not a workbook'), 'application/octet-stream');
    const broken = await h.graph.staff.get(b);
    assert.equal(broken.unusable, true);
    assert.ok(broken.problems.length > 0);
    const fine = await h.graph.staff.get(a);
    assert.equal(fine.unusable, false);
  });
});
