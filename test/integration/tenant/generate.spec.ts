/** The generator: a large tenant made in memory, staff lists built from the template on first read. */
import assert from 'node:assert/strict';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { all, get } from './helpers';

describe('dev/tenant: generated tenant', () => {
  let t: RunningTenant | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('starts a 500 units × 40 staff tenant in seconds and serves it', async function () {
    const started = process.hrtime.bigint();
    t = await startTenant({ generated: { units: 500, staff: 40 } });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`      generated 500x40 tenant started in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 5000, `took ${ms} ms`);
    const { items } = await all(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items?$expand=fields`);
    assert.equal(items.length, 500);
    const file = await get(t, `/drives/${t.staffDriveId}/root:/Enhet 0042/Personallista.xlsx`);
    assert.equal(file.status, 200, file.text);
    const dl = await fetch(file.body['@microsoft.graph.downloadUrl']);
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  });
});
