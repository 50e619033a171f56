/**
 * SharePoint site, list and list items. Follows Microsoft Graph v1.0 docs: "Get a site resource"
 * (by path), "Get metadata for a list", "List items" (paging), "Get listItem", "Update listItem"
 * (PATCH fields), "listItem: delta", "fieldValueSet resource type".
 */
import assert from 'node:assert/strict';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { all, assertGraphError, call, get } from './helpers';

describe('dev/tenant: sites and lists', () => {
  let t: RunningTenant;
  before(async () => {
    t = await startTenant();
  });
  after(async () => {
    await t.stop();
  });
  afterEach(async () => {
    await t.reset();
  });

  it('resolves the site by hostname and path (Get a site resource by path)', async () => {
    const r = await get(t, '/sites/goteborg.sharepoint.example:/sites/trygghetsjouren');
    assert.equal(r.status, 200);
    assert.equal(r.body.id, t.siteId);
    assert.equal(r.body.siteCollection.hostname, 'goteborg.sharepoint.example');
    assert.equal(r.body.displayName, 'Trygghetsjouren');
    const bad = await get(t, '/sites/goteborg.sharepoint.example:/sites/nope');
    assertGraphError(bad, 404, 'itemNotFound');
  });

  it('addresses the units list by id and by display name (Get metadata for a list)', async () => {
    const byName = await get(t, `/sites/${t.siteId}/lists/Enheter`);
    assert.equal(byName.status, 200);
    assert.equal(byName.body.id, t.unitsListId);
    assert.equal(byName.body.list.template, 'genericList');
    const byId = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}`);
    assert.equal(byId.body.displayName, 'Enheter');
  });

  it('pages items with an opaque @odata.nextLink; following it yields every item once (List items)', async () => {
    const { items, pages, last } = await all(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items?$expand=fields&$top=5`);
    assert.ok(pages >= 3, `pages ${pages}`);
    const ids = items.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 14);
    assert.ok(ids.every((id) => /^\d+$/.test(id)), 'list item ids are strings of integers');
    assert.equal(last['@odata.nextLink'], undefined);
  });

  it('returns fields in fieldValueSet shape: multi-person columns as LookupId/LookupValue/Email, dates in UTC', async () => {
    const r = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/3?$expand=fields`);
    assert.equal(r.status, 200);
    assert.match(r.body.eTag, /^"[0-9a-f-]{36},\d+"$/);
    const f = r.body.fields;
    assert.equal(f.Title, 'Hemtjänst Masthugget');
    assert.equal(f.Avdelning, 'Hemtjänst');
    assert.equal(f.Aktiv, true);
    assert.ok(Array.isArray(f.Enhetschef));
    assert.deepEqual(Object.keys(f.Enhetschef[0]).sort(), ['Email', 'LookupId', 'LookupValue']);
    assert.equal(typeof f.Enhetschef[0].LookupId, 'number');
    assert.equal(f.Enhetschef[0].Email, 'johan.berg@goteborg.example');
    assert.equal(f.Tillforordnad[0].Email, 'sara.holm@goteborg.example');
    // A date-only column: local midnight on the site (Europe/Stockholm) given in UTC.
    assert.equal(f.TillforordnadTom, '2026-08-30T22:00:00Z');
    // Empty columns are left out (unit 4 has no DG address).
    const four = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/4?$expand=fields`);
    assert.equal('DGAdress' in four.body.fields, false);
  });

  it('honours $expand=fields($select=...) and the ...LookupId form', async () => {
    const r = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/1?$expand=fields($select=Title,EnhetschefLookupId)`);
    assert.deepEqual(Object.keys(r.body.fields).sort(), ['@odata.etag', 'EnhetschefLookupId', 'Title']);
    assert.ok(r.body.fields.EnhetschefLookupId.every((x: unknown) => typeof x === 'string'));
  });

  it('updates fields with PATCH …/fields (Update listItem), rejects a bad value, 404 for a missing item', async () => {
    const path = `/sites/${t.siteId}/lists/${t.unitsListId}/items/2/fields`;
    const before = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/2?$expand=fields`);
    const johan = (await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/3?$expand=fields`)).body.fields.Enhetschef[0].LookupId;
    const r = await call(t, 'PATCH', path, { 'EnhetschefLookupId@odata.type': 'Collection(Edm.Int32)', EnhetschefLookupId: [johan], DGAdress: 'ny.dg@goteborg.example' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.Enhetschef[0].Email, 'johan.berg@goteborg.example');
    assert.equal(r.body.DGAdress, 'ny.dg@goteborg.example');
    const after = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/2`);
    assert.notEqual(after.body.eTag, before.body.eTag);
    assertGraphError(await call(t, 'PATCH', path, { Avdelning: 'Skola' }), 400, 'invalidRequest');
    assertGraphError(await call(t, 'PATCH', path, { Enhetschef: [] }), 400, 'invalidRequest');
    assertGraphError(await call(t, 'PATCH', `/sites/${t.siteId}/lists/${t.unitsListId}/items/999/fields`, { Title: 'x' }), 404, 'itemNotFound');
  });

  it('delta: initial sync pages to a deltaLink, then returns only changed and deleted items (listItem: delta)', async () => {
    const base = `/sites/${t.siteId}/lists/${t.unitsListId}/items/delta?$expand=fields&$top=4`;
    const first = await all(t, base);
    assert.equal(first.items.length, 14);
    const deltaLink: string = first.last['@odata.deltaLink'];
    assert.ok(deltaLink, 'the last page carries @odata.deltaLink');
    assert.equal(first.last['@odata.nextLink'], undefined);

    const none = await get(t, deltaLink);
    assert.deepEqual(none.body.value, []);

    await call(t, 'PATCH', `/sites/${t.siteId}/lists/${t.unitsListId}/items/5/fields`, { Aktiv: false });
    await call(t, 'DELETE', `/sites/${t.siteId}/lists/${t.unitsListId}/items/6`);
    const changes = await all(t, deltaLink);
    const byId = new Map(changes.items.map((i) => [i.id, i]));
    assert.deepEqual([...byId.keys()].sort(), ['5', '6']);
    assert.equal(byId.get('5').fields.Aktiv, false);
    assert.deepEqual(byId.get('6').deleted, { state: 'deleted' });

    const again = await get(t, changes.last['@odata.deltaLink']);
    assert.deepEqual(again.body.value, []);
  });

  it('delta: token=latest gives an empty page with a deltaLink; a junk token gives 410 with Location', async () => {
    const latest = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/delta?token=latest`);
    assert.deepEqual(latest.body.value, []);
    assert.ok(latest.body['@odata.deltaLink']);
    const junk = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/delta?token=junk`);
    assertGraphError(junk, 410, 'resyncRequired');
    assert.ok(junk.headers.get('location'));
    // A token from before a reset is unknown to the new tenant.
    await t.reset();
    assert.equal((await get(t, latest.body['@odata.deltaLink'])).status, 410);
  });
});
