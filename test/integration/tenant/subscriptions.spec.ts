/**
 * Change notifications for the units list. Follows Microsoft Graph v1.0 "Create subscription",
 * "Update subscription", "Delete subscription", "subscription resource type" (lists: `updated`
 * only, at most 42,300 minutes) and "Set up notifications for changes in resource data"
 * (validation: POST ?validationToken=…, 200 text/plain echo within 10 s; notifications carry
 * clientState; list notifications carry no resource data).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { assertGraphError, call, get } from './helpers';

interface Receiver {
  url: string;
  validations: string[];
  notifications: any[];
  mode: 'ok' | 'wrong' | 'json';
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: '', validations: [], notifications: [], mode: 'ok', close: async () => undefined };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = u.searchParams.get('validationToken');
      if (token !== null) {
        r.validations.push(token);
        if (r.mode === 'json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ token }));
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(r.mode === 'wrong' ? 'not the token' : token);
        }
        return;
      }
      r.notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/graph/notifications`;
  r.close = () => new Promise((res) => server.close(() => res()));
  return r;
}

const inMinutes = (m: number): string => new Date(Date.now() + m * 60_000).toISOString();

async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) {
      throw new Error('timed out waiting');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('dev/tenant: subscriptions and change notifications', () => {
  let t: RunningTenant;
  let rx: Receiver;
  before(async () => {
    t = await startTenant();
    rx = await receiver();
  });
  after(async () => {
    await t.stop();
    await rx.close();
  });
  afterEach(async () => {
    rx.mode = 'ok';
    rx.validations.length = 0;
    rx.notifications.length = 0;
    await t.reset();
  });

  const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    changeType: 'updated',
    notificationUrl: rx.url,
    resource: `sites/${t.siteId}/lists/${t.unitsListId}`,
    expirationDateTime: inMinutes(60),
    clientState: 'hemligt-värde',
    ...over
  });

  it('creates after the validation handshake (201) and notifies with clientState on a change', async () => {
    const r = await call(t, 'POST', '/subscriptions', body());
    assert.equal(r.status, 201, r.text);
    assert.equal(rx.validations.length, 1);
    assert.match(rx.validations[0]!, /^Validation: /, 'the token arrives decoded, spaces and all');
    assert.equal(r.body.changeType, 'updated');
    assert.equal(r.body.clientState, 'hemligt-värde');

    await call(t, 'PATCH', `/sites/${t.siteId}/lists/${t.unitsListId}/items/1/fields`, { DGAdress: 'x@goteborg.example' });
    await call(t, 'PATCH', `/sites/${t.siteId}/lists/${t.unitsListId}/items/2/fields`, { DGAdress: 'y@goteborg.example' });
    await until(() => rx.notifications.length >= 1);
    const n = rx.notifications[0].value[0];
    assert.equal(n.subscriptionId, r.body.id);
    assert.equal(n.clientState, 'hemligt-värde');
    assert.equal(n.changeType, 'updated');
    assert.equal(n.resource, `sites/${t.siteId}/lists/${t.unitsListId}`);
    assert.equal(n.resourceData, null, 'list notifications carry no item data');
    assert.ok(n.tenantId && n.subscriptionExpirationDateTime);
  });

  it('fails creation with 400 when the endpoint does not echo the token as text/plain', async () => {
    rx.mode = 'wrong';
    assertGraphError(await call(t, 'POST', '/subscriptions', body()), 400, 'ValidationError');
    rx.mode = 'json';
    assertGraphError(await call(t, 'POST', '/subscriptions', body()), 400, 'ValidationError');
    assertGraphError(await call(t, 'POST', '/subscriptions', body({ notificationUrl: 'http://127.0.0.1:9/nothing' })), 400, 'ValidationError');
    assert.equal((await get(t, '/subscriptions')).body.value.length, 0);
  });

  it('enforces the list limits: past or beyond 42,300 minutes, and changeType other than updated', async () => {
    assertGraphError(await call(t, 'POST', '/subscriptions', body({ expirationDateTime: inMinutes(-1) })), 400);
    assertGraphError(await call(t, 'POST', '/subscriptions', body({ expirationDateTime: inMinutes(42300 + 5) })), 400);
    assertGraphError(await call(t, 'POST', '/subscriptions', body({ changeType: 'created,updated' })), 400);
    assertGraphError(await call(t, 'POST', '/subscriptions', body({ notificationUrl: 'http://example.org/hook' })), 400);
    assert.equal((await call(t, 'POST', '/subscriptions', body({ expirationDateTime: inMinutes(42300 - 5) }))).status, 201);
  });

  it('renews with PATCH, reads with GET, deletes with DELETE (then 404)', async () => {
    const id = (await call(t, 'POST', '/subscriptions', body())).body.id;
    const later = inMinutes(40000);
    const renewed = await call(t, 'PATCH', `/subscriptions/${id}`, { expirationDateTime: later });
    assert.equal(renewed.status, 200);
    assert.equal(Date.parse(renewed.body.expirationDateTime), Date.parse(later));
    assertGraphError(await call(t, 'PATCH', `/subscriptions/${id}`, { expirationDateTime: inMinutes(50000) }), 400);
    assert.equal((await get(t, `/subscriptions/${id}`)).status, 200);
    assert.equal((await call(t, 'DELETE', `/subscriptions/${id}`)).status, 204);
    assertGraphError(await get(t, `/subscriptions/${id}`), 404);
  });
});
