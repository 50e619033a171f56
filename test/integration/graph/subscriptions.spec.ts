import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleNotificationRequest } from '../../../graph';
import { harness, tenantFetch, type Harness } from './helpers';

/** A notification endpoint as the server route will be: parse, answer at once, queue the rest. */
async function endpoint(clientState: string): Promise<{ url: string; accepted: Array<{ subscriptionId: string }>; rejected: number; close(): Promise<void> }> {
  const accepted: Array<{ subscriptionId: string }> = [];
  let rejected = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const answer = handleNotificationRequest({ query: Object.fromEntries(u.searchParams), body }, clientState);
      accepted.push(...answer.accepted);
      if (answer.status === 202 && answer.accepted.length === 0) {
        rejected++;
      }
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/graph/notifications`,
    accepted,
    get rejected() {
      return rejected;
    },
    close: () => new Promise<void>((r) => server.close(() => r()))
  };
}

describe('graph/ subscriptions on the units list (local tenant)', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ generated: { units: 3, staff: 2 }, notifications: true });
  });
  afterEach(async () => {
    await h.tenant.stop();
  });

  it('creates (after the validation handshake), reuses, renews and deletes; notifications are verified by clientState', async () => {
    const ep = await endpoint('s3cret-state');
    try {
      const sub = await h.graph.subscriptions.ensure(ep.url, 's3cret-state');
      assert.ok(sub.id);
      const minutes = (Date.parse(sub.expirationDateTime) - Date.now()) / 60_000;
      assert.ok(minutes > 42_000 && minutes <= 42_300, `lifetime ${minutes} min`);
      // A second ensure reuses it.
      assert.equal((await h.graph.subscriptions.ensure(ep.url, 's3cret-state')).id, sub.id);
      await h.graph.subscriptions.renew(sub.id);

      // An edit of the list makes the tenant notify us; the endpoint accepts it.
      await tenantFetch(h.tenant, 'PATCH', `/sites/${h.tenant.siteId}/lists/${h.tenant.unitsListId}/items/1/fields`, { Title: 'Ny titel' });
      for (let i = 0; i < 50 && ep.accepted.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(ep.accepted.map((a) => a.subscriptionId), [sub.id]);
      // …and the delta that follows sees the change.
      const d = await h.graph.units.delta();
      assert.ok(d.changed.some((u) => u.name === 'Ny titel'));

      await h.graph.subscriptions.remove(sub.id);
      await h.graph.subscriptions.remove(sub.id); // gone already: fine
      await assert.rejects(h.graph.subscriptions.renew(sub.id), (e: { status?: number }) => e.status === 404);
    } finally {
      await ep.close();
    }
  });

  it('a notification with the wrong clientState is not accepted', async () => {
    const ep = await endpoint('the-right-one');
    try {
      // Subscribed with a different clientState than the endpoint expects (a stale or forged sender).
      await h.graph.subscriptions.ensure(ep.url, 'another-state');
      await tenantFetch(h.tenant, 'PATCH', `/sites/${h.tenant.siteId}/lists/${h.tenant.unitsListId}/items/2/fields`, { Title: 'X' });
      for (let i = 0; i < 50 && ep.rejected === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(ep.rejected, 1);
      assert.equal(ep.accepted.length, 0);
    } finally {
      await ep.close();
    }
  });
});
