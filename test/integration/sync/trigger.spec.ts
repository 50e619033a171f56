/**
 * Issue 6 "Done when": changing a unit's manager in the local tenant makes the folder's permissions
 * and the DG group's members match within seconds, through the notification path (real HTTP
 * route, real subscription, the tenant POSTs the notification); with notifications off, the
 * periodic reconcile does it.
 */
import assert from 'node:assert/strict';
import { createSync, type Sync } from '../../../jobs/sync';
import { silentLogger } from '../../../logger';
import { startServer, type RunningServer } from '../../../server';
import { CLIENT_STATE, folderWriters, groupMembers, setManagers, waitFor, world, type SyncWorld } from './helpers';

describe('permission sync triggers (local tenant over HTTP)', () => {
  let w: SyncWorld;
  let server: RunningServer | undefined;
  let sync: Sync | undefined;

  afterEach(async () => {
    await sync?.stop();
    await server?.close(1000);
    await w?.close();
    sync = undefined;
    server = undefined;
  });

  const matches = async (unitId: string, dg: string, want: string): Promise<boolean> => {
    const [folder, members] = await Promise.all([folderWriters(w.graph, unitId), groupMembers(w.graph, dg)]);
    return folder.includes(want) && !folder.includes('chef1@goteborg.example') && members.includes(want) && !members.includes('chef1@goteborg.example');
  };

  it('a manager change reaches the folder and the DG group through a change notification', async function () {
    this.timeout(30_000);
    w = await world({ notifications: true });
    const summaries: string[] = [];
    const route: { handler?: Sync['handleNotificationHttp'] } = {};
    server = await startServer(
      {
        messages: async (_req, res) => {
          res.send(404);
        },
        graphNotifications: (req, res) => route.handler!(req, res),
        ready: async () => ({})
      },
      { host: '127.0.0.1', port: 0, logger: silentLogger() }
    );
    sync = createSync({
      db: w.db,
      graph: w.graph,
      logger: silentLogger(),
      config: {
        maxRevokeShare: 0.2,
        intervalMinutes: 0,
        notifications: true,
        notificationUrl: `${server.url}/api/graph/notifications`,
        clientState: CLIENT_STATE,
        debounceMs: 100
      },
      notifyAdmins: async (s) => {
        summaries.push(s.text);
      }
    });
    route.handler = sync.handleNotificationHttp;
    await sync.start();
    await sync.idle();
    // Start-up catch-up: the first delta is the full list; every manager gets direct folder access.
    const first = sync.lastResult()!;
    assert.equal(first.status, 'applied');
    assert.equal(first.counts.units, 10);
    assert.equal(first.counts.grants, 10);
    assert.equal(first.counts.failures, 0);
    assert.equal(w.tenant.state.subscriptions.size, 1, 'subscription created against our route');

    const t0 = Date.now();
    await setManagers(w.tenant, '1', ['chef2@goteborg.example']);
    await waitFor(() => matches('1', 'dg.enhet1@goteborg.example', 'chef2@goteborg.example'), 10_000, 25);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`      manager change → access matched through the notification path in ${seconds.toFixed(2)} s`);
    assert.ok(seconds < 5, `took ${seconds} s`);

    await sync.idle();
    const r = sync.lastResult()!;
    assert.equal(r.trigger, 'notification');
    assert.equal(r.counts.units, 1, 'only the changed unit is synced');
    assert.deepEqual(
      r.steps.map((s) => `${s.action} ${s.personEmail} ${s.result}`).sort(),
      [
        'addMember chef2@goteborg.example ok',
        'grantFolder chef2@goteborg.example ok',
        'removeMember chef1@goteborg.example ok',
        'revokeFolder chef1@goteborg.example ok'
      ]
    );
    const delivered = w.tenant.notifications();
    assert.ok(delivered.some((n) => n.status === 202), 'the route answered the tenant 202');
    assert.ok(summaries.some((s) => /Enhet 0001/.test(s) && /chef2@goteborg.example/.test(s)), 'administrators got a summary');

    // Every step is on record.
    const steps = await sync.repo.steps(r.runId!, '1');
    assert.equal(steps.length, 4);
    assert.ok(steps.every((s) => s.result === 'ok' && s.at));
  });

  it('with notifications off, the periodic reconcile makes access match', async function () {
    this.timeout(30_000);
    w = await world({ notifications: false });
    sync = createSync({
      db: w.db,
      graph: w.graph,
      logger: silentLogger(),
      config: { maxRevokeShare: 0.2, intervalMinutes: 0.5 / 60, notifications: false }
    });
    await sync.start();
    await sync.idle();
    assert.equal(sync.lastResult()?.counts.grants, 10);

    const t0 = Date.now();
    await setManagers(w.tenant, '1', ['chef2@goteborg.example']);
    await waitFor(() => matches('1', 'dg.enhet1@goteborg.example', 'chef2@goteborg.example'), 10_000, 50);
    console.log(`      manager change → access matched by the periodic reconcile (0.5 s interval) in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
    assert.equal(w.tenant.notifications().length, 0, 'no notifications were sent');
    await sync.idle();
    const runs = await sync.repo.runs(50);
    assert.ok(runs.some((x) => x.trigger === 'reconcile' && x.revocations === 2 && x.grants === 2));
  });

  it('the notification route echoes the validation token as text/plain and drops a wrong clientState', async function () {
    w = await world({ notifications: false });
    sync = createSync({ db: w.db, graph: w.graph, logger: silentLogger(), config: { maxRevokeShare: 0.2, intervalMinutes: 0, notifications: false, clientState: CLIENT_STATE } });
    let handler: Sync['handleNotificationHttp'] = sync.handleNotificationHttp;
    server = await startServer(
      { messages: async (_q, res) => void res.send(404), graphNotifications: (q, s) => handler(q, s), ready: async () => ({}) },
      { host: '127.0.0.1', port: 0, logger: silentLogger() }
    );
    const token = 'Validation: Testing client application reachability <&>';
    const v = await fetch(`${server.url}/api/graph/notifications?validationToken=${encodeURIComponent(token)}`, { method: 'POST' });
    assert.equal(v.status, 200);
    assert.match(v.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await v.text(), token);

    let called = 0;
    const orig = sync.onNotification;
    sync.onNotification = (a) => {
      called += a.length;
      orig(a);
    };
    handler = sync.handleNotificationHttp;
    const t0 = Date.now();
    const bad = await fetch(`${server.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: 's', resource: 'sites/x/lists/y', clientState: 'wrong', changeType: 'updated' }] })
    });
    assert.equal(bad.status, 202);
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(called, 0);
  });
});
