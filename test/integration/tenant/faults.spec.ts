/**
 * Auth, errors and fault injection. Follows "Microsoft Graph error responses and resource types"
 * (error body, 401/404/400/405), and "Microsoft Graph throttling guidance" (429 + Retry-After).
 */
import assert from 'node:assert/strict';
import { MAILBOX } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { assertGraphError, call, get } from './helpers';

describe('dev/tenant: auth, errors and faults', () => {
  let t: RunningTenant;
  before(async () => {
    t = await startTenant();
  });
  after(async () => {
    await t.stop();
  });
  afterEach(() => {
    t.setFaults([]);
    t.clearRequests();
  });

  it('needs a bearer token: 401 InvalidAuthenticationToken with Graph error body', async () => {
    const none = await fetch(`${t.graphBase}/users/${MAILBOX}`);
    const body = (await none.json()) as any;
    assert.equal(none.status, 401);
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    const wrong = await call(t, 'GET', `/users/${MAILBOX}`, undefined, { authorization: 'Bearer not-it' });
    assertGraphError(wrong, 401, 'InvalidAuthenticationToken');
  });

  it('echoes client-request-id and sets request-id; the error innerError carries both', async () => {
    const r = await get(t, '/users/nobody@goteborg.example', { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' });
    assert.equal(r.headers.get('client-request-id'), 'c0ffee00-0000-4000-8000-000000000001');
    assert.equal(r.body.error.innerError['client-request-id'], 'c0ffee00-0000-4000-8000-000000000001');
    assert.equal(r.body.error.innerError['request-id'], r.headers.get('request-id'));
  });

  it('answers unknown segments with 400 and wrong methods with 405; /me is not for app-only', async () => {
    assertGraphError(await get(t, '/nonsense'), 400, 'BadRequest');
    assertGraphError(await call(t, 'PUT', `/users/${MAILBOX}`, {}), 405);
    assertGraphError(await get(t, '/me'), 400, 'BadRequest');
  });

  it('applies start-up faults (times: 1) then answers normally', async () => {
    const own = await startTenant({ faults: [{ path: '^/v1\\.0/groups$', status: 503, times: 1 }] });
    try {
      const first = await get(own, '/groups');
      assertGraphError(first, 503, 'serviceNotAvailable');
      assert.equal(first.headers.get('retry-after'), '1');
      assert.equal((await get(own, '/groups')).status, 200);
    } finally {
      await own.stop();
    }
  });

  it('429 with Retry-After, matched by method and path regex, logged as faulted', async () => {
    t.setFaults([{ method: 'POST', path: '/sendMail$', status: 429, retryAfter: 3 }]);
    const r = await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message: { subject: 's', toRecipients: [{ emailAddress: { address: 'a@goteborg.example' } }] } });
    assertGraphError(r, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.equal((await get(t, `/users/${MAILBOX}`)).status, 200, 'GET is not matched');
    const log = t.requests();
    assert.equal(log[0]!.faulted, 'status 429');
    assert.equal(log[0]!.status, 429);
    assert.equal(log[1]!.faulted, undefined);
  });

  it('drops the connection, adds latency, and honours probability 0', async () => {
    t.setFaults([
      { path: '/users/trygghetsjouren', drop: true, times: 1 },
      { path: '^/v1\\.0/groups$', latencyMs: 150, times: 1 },
      { path: '/sites/', status: 500, probability: 0 }
    ]);
    await assert.rejects(fetch(`${t.graphBase}/users/${MAILBOX}`, { headers: { authorization: `Bearer ${t.token}` } }));
    const started = Date.now();
    assert.equal((await get(t, '/groups')).status, 200);
    assert.ok(Date.now() - started >= 140);
    assert.equal((await get(t, `/sites/${t.siteId}`)).status, 200);
    assert.equal(t.requests()[0]!.faulted, 'drop');
  });

  it('takes faults at run time over HTTP (POST/GET/DELETE /_dev/faults) and logs requests at /_dev/requests', async () => {
    const set = await fetch(`${t.url}/_dev/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ path: '/drives/', status: 504, times: 2 }]) });
    assert.equal(set.status, 200);
    assertGraphError(await get(t, `/drives/${t.staffDriveId}`), 504);
    const listed = (await (await fetch(`${t.url}/_dev/faults`)).json()) as any;
    assert.equal(listed.value[0].remaining, 1);
    assert.equal((await fetch(`${t.url}/_dev/faults`, { method: 'DELETE' })).status, 204);
    assert.equal((await get(t, `/drives/${t.staffDriveId}`)).status, 200);
    const log = (await (await fetch(`${t.url}/_dev/requests`)).json()) as any;
    assert.equal(log.count, 2);
    assert.deepEqual(Object.keys(log.value[0]).sort().slice(0, 3), ['durationMs', 'faulted', 'method']);
    assert.equal((await fetch(`${t.url}/_dev/requests`, { method: 'DELETE' })).status, 204);
    assert.equal(t.requests().length, 0);
  });

  it('POST /_dev/reset reloads the data folder', async () => {
    await call(t, 'PATCH', `/sites/${t.siteId}/lists/${t.unitsListId}/items/1/fields`, { Title: 'Ändrad' });
    assert.equal((await fetch(`${t.url}/_dev/reset`, { method: 'POST' })).status, 204);
    const r = await get(t, `/sites/${t.siteId}/lists/${t.unitsListId}/items/1?$expand=fields`);
    assert.equal(r.body.fields.Title, 'Hemtjänst Majorna');
  });
});
