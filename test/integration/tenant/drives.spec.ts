/**
 * The staff library as a drive. Follows Microsoft Graph v1.0 docs: "driveItem resource type",
 * "List children of a driveItem", "Get a DriveItem resource" (by id and by path),
 * "Download the contents of a DriveItem" (302 Found to a pre-authenticated URL),
 * "Upload or replace the contents of a DriveItem", "driveItem: delta" (410 Gone + resync).
 */
import assert from 'node:assert/strict';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { all, assertGraphError, call, get } from './helpers';

const FOLDER = 'Hemtjänst Majorna';

describe('dev/tenant: drives', () => {
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

  it('lists the site drives and finds Personallistor (List drives)', async () => {
    const r = await get(t, `/sites/${t.siteId}/drives`);
    assert.equal(r.status, 200);
    const lib = r.body.value.find((d: any) => d.name === 'Personallistor');
    assert.equal(lib.id, t.staffDriveId);
    assert.equal(lib.driveType, 'documentLibrary');
    const viaList = await get(t, `/sites/${t.siteId}/lists/Personallistor/drive`);
    assert.equal(viaList.body.id, t.staffDriveId);
  });

  it('lists root children with driveItem facets, and pages them', async () => {
    const { items, pages } = await all(t, `/drives/${t.staffDriveId}/root/children?$top=5`);
    assert.ok(pages >= 3);
    assert.equal(items.length, 14);
    const f = items.find((i) => i.name === FOLDER);
    assert.ok(f.folder && typeof f.folder.childCount === 'number');
    for (const k of ['id', 'name', 'eTag', 'cTag', 'webUrl', 'size', 'lastModifiedDateTime', 'parentReference']) {
      assert.ok(k in f, k);
    }
    assert.equal(f.parentReference.driveId, t.staffDriveId);
    assert.equal(f.parentReference.path, `/drives/${t.staffDriveId}/root:`);
  });

  it('gets items by path (root:/path: and :/children) and by id', async () => {
    const byPath = await get(t, `/drives/${t.staffDriveId}/root:/${encodeURIComponent(FOLDER)}/Personallista.xlsx`);
    assert.equal(byPath.status, 200, byPath.text);
    assert.equal(byPath.body.name, 'Personallista.xlsx');
    assert.equal(byPath.body.file.mimeType, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(byPath.body.parentReference.path, `/drives/${t.staffDriveId}/root:/${FOLDER}`);
    const kids = await get(t, `/drives/${t.staffDriveId}/root:/${encodeURIComponent(FOLDER)}:/children`);
    assert.deepEqual(kids.body.value.map((i: any) => i.name).sort(), ['Nyckelrutin.pdf', 'Personallista.xlsx', 'Rutin vid frånvaro.txt']);
    const byId = await get(t, `/drives/${t.staffDriveId}/items/${byPath.body.id}`);
    assert.equal(byId.body.eTag, byPath.body.eTag);
    assertGraphError(await get(t, `/drives/${t.staffDriveId}/root:/Finns inte`), 404, 'itemNotFound');
    // A unit with no staff list: the folder exists, the file does not.
    assertGraphError(await get(t, `/drives/${t.staffDriveId}/root:/${encodeURIComponent('Vård- och omsorgsboende Högsbohöjd')}/Personallista.xlsx`), 404, 'itemNotFound');
  });

  it('content answers 302 to a download URL that needs no token; the bytes are an xlsx', async () => {
    const item = await get(t, `/drives/${t.staffDriveId}/root:/${encodeURIComponent(FOLDER)}/Personallista.xlsx`);
    const r = await call(t, 'GET', `/drives/${t.staffDriveId}/items/${item.body.id}/content`);
    assert.equal(r.status, 302);
    const loc = r.headers.get('location')!;
    assert.equal(loc, item.body['@microsoft.graph.downloadUrl']);
    const dl = await fetch(loc);
    assert.equal(dl.status, 200);
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    assert.equal(bytes.length, item.body.size);
  });

  it('drive delta: initial sync, then an upload shows up with a new cTag; deletions carry the deleted facet', async () => {
    const first = await all(t, `/drives/${t.staffDriveId}/root/delta?$top=10`);
    assert.ok(first.items.some((i) => i.root), 'the root is part of the initial enumeration');
    assert.ok(first.items.every((i) => i.parentReference.path === undefined), 'delta does not return parentReference.path');
    const link: string = first.last['@odata.deltaLink'];
    const file = first.items.find((i) => i.name === 'Personallista.xlsx' && i.parentReference.name === FOLDER);

    const up = await call(t, 'PUT', `/drives/${t.staffDriveId}/items/${file.id}/content`, Buffer.from('PK new bytes'));
    assert.equal(up.status, 200, up.text);
    assert.notEqual(up.body.cTag, file.cTag);
    assert.notEqual(up.body.eTag, file.eTag);
    const created = await call(t, 'PUT', `/drives/${t.staffDriveId}/root:/${encodeURIComponent(FOLDER)}/Ny rutin.txt:/content`, Buffer.from('hej'), { 'content-type': 'text/plain' });
    assert.equal(created.status, 201, created.text);
    const routine = first.items.find((i) => i.name === 'Nyckelrutin.pdf' && i.parentReference.name === FOLDER);
    assert.equal((await call(t, 'DELETE', `/drives/${t.staffDriveId}/items/${routine.id}`)).status, 204);

    const changes = await all(t, link);
    const names = changes.items.map((i) => i.name);
    assert.ok(names.includes('Personallista.xlsx'));
    assert.ok(names.includes('Ny rutin.txt'));
    assert.ok(names.includes(FOLDER), 'the parent folder changes too');
    const gone = changes.items.find((i) => i.id === routine.id);
    assert.ok(gone.deleted);
    const nothing = await get(t, changes.last['@odata.deltaLink']);
    assert.deepEqual(nothing.body.value, []);
  });

  it('drive delta: an unknown token gives 410 Gone (resyncRequired) with a Location to start over', async () => {
    const r = await get(t, `/drives/${t.staffDriveId}/root/delta?token=expired-or-made-up`);
    assertGraphError(r, 410, 'resyncRequired');
    const loc = r.headers.get('location')!;
    assert.ok(loc.includes('/root/delta') && !loc.includes('token='));
    const latest = await get(t, `/drives/${t.staffDriveId}/root/delta?token=latest`);
    assert.deepEqual(latest.body.value, []);
    assert.ok(latest.body['@odata.deltaLink']);
  });
});
