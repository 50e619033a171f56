import assert from 'node:assert/strict';
import { ADMIN1, JOURLEDARE1, OUTSIDER, userId } from '../../../dev/tenant/demoIds';
import { GraphError } from '../../../graph';
import { harness, type Harness } from './helpers';

describe('graph/ access, mail, authorization (local tenant)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(async () => {
    await h.tenant.stop();
  });

  describe('folders and groups', () => {
    beforeEach(async () => {
      // The invite's effect shows only after 700 ms, as Graph can answer 200 before access applies.
      h = await harness({ generated: { units: 12, staff: 3 }, inviteDelayMs: 700 });
    });

    it('lists inherited permissions, grants by invite and verifies by reading, revokes', async () => {
      const units = await h.graph.units.list();
      const a = units[0];
      const before = await h.graph.access.folderPermissions(a);
      assert.ok(before.length > 0 && before.every((p) => p.inherited));
      const grantee = units[1].managers[0].email;
      h.tenant.clearRequests();
      const p = await h.graph.access.grantFolder(a, grantee, 'write');
      assert.equal(p.inherited, false);
      assert.deepEqual(p.roles, ['write']);
      assert.equal(p.user?.email, grantee);
      const reads = h.tenant.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/permissions')).length;
      assert.ok(reads >= 2, `verification needed ${reads} reads while the grant was not yet visible`);
      const invite = h.tenant.requests().find((r) => r.path.endsWith('/invite'));
      assert.ok(invite && invite.status === 200);
      assert.equal(h.tenant.mail().length, 0, 'no invitation mail unless configured');
      const after = await h.graph.access.folderPermissions(a);
      assert.ok(after.some((x) => x.id === p.id && !x.inherited));
      await h.graph.access.revokeFolder(a, p.id);
      assert.ok(!(await h.graph.access.folderPermissions(a)).some((x) => x.id === p.id));
      // Idempotent: revoking again is fine.
      await h.graph.access.revokeFolder(a, p.id);
    });

    it('a 403 (owner permission) and a 404 (missing folder) are not retried', async () => {
      const [a] = await h.graph.units.list();
      await h.graph.access.grantFolder(a, (await h.graph.units.get('2'))!.managers[0].email, 'read');
      const owner = (await h.graph.access.folderPermissions(a)).find((p) => p.roles.includes('owner') && !p.inherited)!;
      assert.ok(owner, 'inheritance was broken by the grant: the owner permission is now direct');
      h.tenant.clearRequests();
      await assert.rejects(h.graph.access.revokeFolder(a, owner.id), (e: GraphError) => e.status === 403 && !e.retryable);
      assert.equal(h.tenant.requests().length, 1);
      h.tenant.clearRequests();
      await assert.rejects(h.graph.access.folderPermissions({ ...a, folder: 'Finns inte' }), (e: GraphError) => e.status === 404 && !e.retryable);
      assert.equal(h.tenant.requests().length, 1);
    });

    it('reads a Microsoft 365 group, adds and removes members idempotently; a distribution list is read-only', async () => {
      const units = await h.graph.units.list();
      const g = await h.graph.access.group(units[0].dgAddress!);
      assert.ok(g);
      assert.equal(g.kind, 'unified');
      assert.deepEqual(g.members.map((m) => m.email), [units[0].managers[0].email]);
      const other = await h.graph.access.userByEmail(units[1].managers[0].email);
      assert.ok(other);
      await h.graph.access.addMember(g.id, other.id);
      await h.graph.access.addMember(g.id, other.id); // already a member: fine
      assert.equal((await h.graph.access.group(units[0].dgAddress!))!.members.length, 2);
      await h.graph.access.removeMember(g.id, other.id);
      await h.graph.access.removeMember(g.id, other.id); // not a member: fine
      assert.equal((await h.graph.access.group(units[0].dgAddress!))!.members.length, 1);

      const dlUnit = units.find((u) => u.id === '10')!;
      const dl = await h.graph.access.group(dlUnit.dgAddress!);
      assert.equal(dl?.kind, 'distributionList');
      await assert.rejects(h.graph.access.addMember(dl!.id, other.id), (e: GraphError) => e.code === 'groupNotWritable' && !e.retryable);
      assert.equal(await h.graph.access.group('ingen@goteborg.example'), undefined);
    });

    it('finds users by e-mail', async () => {
      const u = await h.graph.access.userByEmail(JOURLEDARE1.toUpperCase());
      assert.equal(u?.id, userId(JOURLEDARE1));
      assert.equal(await h.graph.access.userByEmail('ingen.alls@goteborg.example'), undefined);
    });
  });

  describe('500 units through $batch', () => {
    it('reads the permissions of 500 folders in 25 batch requests', async function () {
      this.timeout(60_000);
      h = await harness({ generated: { units: 500, staff: 5 } });
      const units = await h.graph.units.list();
      assert.equal(units.length, 500);
      h.tenant.clearRequests();
      const t0 = Date.now();
      const perms = await h.graph.access.folderPermissionsMany(units);
      const ms = Date.now() - t0;
      const log = h.tenant.requests();
      const outer = log.filter((r) => !r.batch);
      const inner = log.filter((r) => r.batch);
      assert.equal(perms.size, 500);
      assert.ok([...perms.values()].every((v) => Array.isArray(v) && v.length > 0));
      const batches = outer.filter((r) => r.method === 'POST' && r.path.endsWith('/$batch'));
      assert.equal(batches.length, 25);
      // The only other request: resolving the staff library's drive id once.
      assert.deepEqual(outer.filter((r) => !batches.includes(r)).map((r) => r.path.replace(/sites\/[^/]+/, 'sites/{site}')), ['/v1.0/sites/{site}/drives']);
      assert.equal(inner.length, 500);
      console.log(`      500 folders: ${outer.length} HTTP requests (${batches.length} $batch + 1 drive lookup), ${inner.length} inner requests, ${ms} ms`);
    });

    it('retries only the throttled items of a batch, after their Retry-After', async function () {
      this.timeout(60_000);
      // maxRetries 10: with 30% random 429s an item exhausting 6 tries (0.3^6 × 40 ≈ 3%) was a flake.
      h = await harness({ generated: { units: 40, staff: 2 } }, { maxRetries: 10 });
      const units = await h.graph.units.list();
      h.tenant.setFaults([{ method: 'GET', path: '/permissions$', status: 429, retryAfter: 1, probability: 0.3 }]);
      h.tenant.clearRequests();
      const perms = await h.graph.access.folderPermissionsMany(units);
      h.tenant.setFaults([]);
      assert.equal(perms.size, 40);
      assert.ok([...perms.values()].every((v) => Array.isArray(v)), 'every item answered in the end');
      const inner = h.tenant.requests().filter((r) => r.batch);
      const throttled = inner.filter((r) => r.status === 429).length;
      assert.equal(inner.filter((r) => r.status === 200).length, 40);
      assert.equal(inner.length, 40 + throttled);
      // Per item (our batch ids are stable across re-sends): never re-sent before its Retry-After.
      const byId = new Map<string, typeof inner>();
      for (const r of inner) {
        (byId.get(r.batch!.id) ?? byId.set(r.batch!.id, []).get(r.batch!.id)!).push(r);
      }
      for (const tries of byId.values()) {
        tries.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
        for (let i = 1; i < tries.length; i++) {
          const gap = Date.parse(tries[i].time) - Date.parse(tries[i - 1].time);
          assert.ok(gap >= 1000, `item re-sent after ${gap} ms, asked 1000`);
        }
      }
      console.log(`      40 folders, ${throttled} items throttled inside $batch, all retried`);
    });
  });

  describe('mail and authorization', () => {
    beforeEach(async () => {
      h = await harness({ generated: { units: 3, staff: 2 } });
    });

    it('sends the notice from the mailbox to the DG address, traceable to the call-in', async () => {
      const [u] = await h.graph.units.list();
      h.tenant.clearRequests();
      await h.graph.mail.sendNotice({ to: u.dgAddress!, subject: 'Inringd personal', html: '<p>Hej</p>', callInId: 'ci-42', idempotencyKey: 'k-42' });
      const sent = h.tenant.mail();
      assert.equal(sent.length, 1);
      const m = sent[0] as unknown as Record<string, any>;
      assert.deepEqual(m.to, [u.dgAddress]);
      assert.equal(m.subject, 'Inringd personal [TJ-ci-42]');
      assert.equal(m.body.contentType.toLowerCase(), 'html');
      assert.ok(m.internetMessageHeaders.some((x: { name: string; value: string }) => x.name === 'x-trygghetsjouren-callin' && x.value === 'ci-42'));
      const req = h.tenant.requests().find((r) => r.path.endsWith('/sendMail'))!;
      assert.equal(req.status, 202);
      assert.ok(req.clientRequestId);
      // The same key again in this process: not sent twice.
      await h.graph.mail.sendNotice({ to: u.dgAddress!, subject: 'Inringd personal', html: '<p>Hej</p>', callInId: 'ci-42', idempotencyKey: 'k-42' });
      assert.equal(h.tenant.mail().length, 1);
    });

    it('a sendMail 503 is retried after Retry-After; a missing mailbox (404) is not retryable', async () => {
      const [u] = await h.graph.units.list();
      h.tenant.setFaults([{ method: 'POST', path: '/sendMail$', status: 503, retryAfter: 1, times: 1 }]);
      await h.graph.mail.sendNotice({ to: u.dgAddress!, subject: 'S', html: '<p>x</p>', callInId: 'ci-1', idempotencyKey: 'k-1' });
      assert.equal(h.tenant.mail().length, 1);
      await h.tenant.stop();
      h = await harness({ generated: { units: 3, staff: 2 } }, { mailbox: 'finns.inte@goteborg.example' });
      await assert.rejects(
        h.graph.mail.sendNotice({ to: u.dgAddress!, subject: 'S', html: '<p>x</p>', callInId: 'ci-2', idempotencyKey: 'k-2' }),
        (e: GraphError) => e instanceof GraphError && e.status === 404 && e.retryable === false
      );
    });

    it('a dropped sendMail connection is not retried blindly: ambiguous, retryable, and nothing duplicated', async () => {
      const [u] = await h.graph.units.list();
      h.tenant.setFaults([{ method: 'POST', path: '/sendMail$', drop: true, times: 1 }]);
      await assert.rejects(
        h.graph.mail.sendNotice({ to: u.dgAddress!, subject: 'S', html: '<p>x</p>', callInId: 'ci-3', idempotencyKey: 'k-3' }),
        (e: GraphError) => e.ambiguous === true && e.retryable === true
      );
      assert.equal(h.tenant.requests().filter((r) => r.path.endsWith('/sendMail')).length, 1);
    });

    it('jourledare and admin membership (transitive), cached', async () => {
      h.tenant.clearRequests();
      assert.equal(await h.graph.authz.isJourledare(userId(JOURLEDARE1)), true);
      assert.equal(await h.graph.authz.isAdmin(userId(JOURLEDARE1)), false);
      assert.equal(await h.graph.authz.isAdmin(userId(ADMIN1)), true);
      assert.equal(await h.graph.authz.isJourledare(userId(OUTSIDER)), false);
      assert.equal(await h.graph.authz.isJourledare('not-an-id'), false);
      const reads = h.tenant.requests().map((r) => `${r.method} ${r.path.replace(/groups\/[^/]+/, 'groups/{id}')}`);
      assert.deepEqual(reads, ['GET /v1.0/groups/{id}/transitiveMembers', 'GET /v1.0/groups/{id}/transitiveMembers'], 'the two groups read once answer every user');
      assert.equal(await h.graph.authz.isJourledare(userId(JOURLEDARE1)), true);
      assert.equal(await h.graph.authz.isJourledare(userId(OUTSIDER)), false);
      assert.equal(h.tenant.requests().length, 2, 'cached');
    });

    it('ping', async () => {
      assert.equal(await h.graph.ping(), true);
    });
  });
});
