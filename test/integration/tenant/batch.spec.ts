/**
 * `$batch`. Follows Microsoft Graph "Combine multiple HTTP requests using JSON batching":
 * at most 20 requests (21 → 400), per-request status/headers/body, dependsOn and 424,
 * throttling per request inside a 200 batch (429 with Retry-After).
 */
import assert from 'node:assert/strict';
import { JOURLEDARE1, MAILBOX } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { assertGraphError, call } from './helpers';

describe('dev/tenant: $batch', () => {
  let t: RunningTenant;
  before(async () => {
    t = await startTenant();
  });
  after(async () => {
    await t.stop();
  });
  afterEach(async () => {
    t.setFaults([]);
    t.clearRequests();
    await t.reset();
  });

  it('runs up to 20 requests and answers each with its own status', async () => {
    const requests = [
      { id: '1', method: 'GET', url: `/users/${JOURLEDARE1}` },
      { id: '2', method: 'GET', url: '/users/nobody@goteborg.example' },
      { id: '3', method: 'GET', url: `/sites/${t.siteId}/lists/${t.unitsListId}/items/1?$expand=fields` },
      ...Array.from({ length: 17 }, (_, i) => ({ id: String(i + 4), method: 'GET', url: `/users/${MAILBOX}` }))
    ];
    const r = await call(t, 'POST', '/$batch', { requests });
    assert.equal(r.status, 200);
    assert.equal(r.body.responses.length, 20);
    const byId = new Map<string, any>(r.body.responses.map((x: any) => [x.id, x]));
    assert.equal(byId.get('1').status, 200);
    assert.equal(byId.get('1').body.mail, JOURLEDARE1);
    assert.equal(byId.get('2').status, 404);
    assert.equal(byId.get('2').body.error.code, 'Request_ResourceNotFound');
    assert.equal(byId.get('3').body.fields.Title, 'Hemtjänst Majorna');
    const inner = t.requests().filter((e) => e.batch);
    assert.equal(inner.length, 20, 'inner requests are logged and marked');
  });

  it('refuses 21 requests with 400, like Graph', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${MAILBOX}` }));
    assertGraphError(await call(t, 'POST', '/$batch', { requests }), 400, 'BadRequest');
  });

  it('refuses duplicate ids and absolute URLs', async () => {
    assertGraphError(await call(t, 'POST', '/$batch', { requests: [{ id: '1', method: 'GET', url: '/users' }, { id: '1', method: 'GET', url: '/groups' }] }), 400);
    assertGraphError(await call(t, 'POST', '/$batch', { requests: [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' }] }), 400);
  });

  it('dependsOn runs in order; a failed dependency gives 424; a body needs Content-Type', async () => {
    const r = await call(t, 'POST', '/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/users/nobody@goteborg.example' },
        { id: 'b', method: 'GET', url: `/users/${MAILBOX}`, dependsOn: ['a'] },
        { id: 'c', method: 'POST', url: `/users/${MAILBOX}/sendMail`, body: { message: {} } }
      ]
    });
    const byId = new Map<string, any>(r.body.responses.map((x: any) => [x.id, x]));
    assert.equal(byId.get('a').status, 404);
    assert.equal(byId.get('b').status, 424);
    assert.equal(byId.get('c').status, 400);
  });

  it('throttles a single request inside the batch: 429 with Retry-After, the rest 200', async () => {
    t.setFaults([{ path: '/users/jourledare1', status: 429, retryAfter: 7 }]);
    const r = await call(t, 'POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${JOURLEDARE1}` },
        { id: '2', method: 'GET', url: `/users/${MAILBOX}` }
      ]
    });
    assert.equal(r.status, 200);
    const byId = new Map<string, any>(r.body.responses.map((x: any) => [x.id, x]));
    assert.equal(byId.get('1').status, 429);
    assert.equal(byId.get('1').headers['retry-after'], '7');
    assert.equal(byId.get('2').status, 200);
    assert.ok(t.requests().some((e) => e.batch && e.faulted === 'status 429'));
  });
});
