/**
 * Users and groups. Follows Microsoft Graph v1.0 docs: "Get user", "List users" ($filter),
 * "List group members" (paging), "Add members" (POST members/$ref: 204; 400 when already a member),
 * "Remove member" (DELETE members/{id}/$ref), "user: checkMemberGroups", "List group transitive
 * members", and the error Graph gives for distribution lists and mail-enabled security groups.
 */
import assert from 'node:assert/strict';
import { ADMIN1, JOURLEDARE1, JOURLEDARE2, JOURLEDARE_GROUP_ID, ADMINS_GROUP_ID, OUTSIDER, userId, groupId } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { all, assertGraphError, call, get } from './helpers';

describe('dev/tenant: users and groups', () => {
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

  it('gets a user by id and by userPrincipalName; 404 Request_ResourceNotFound otherwise', async () => {
    const byUpn = await get(t, `/users/${JOURLEDARE1}`);
    assert.equal(byUpn.status, 200);
    assert.equal(byUpn.body.id, userId(JOURLEDARE1));
    const byId = await get(t, `/users/${byUpn.body.id}?$select=id,mail`);
    assert.deepEqual(Object.keys(byId.body).filter((k) => !k.startsWith('@')).sort(), ['id', 'mail']);
    assertGraphError(await get(t, '/users/nobody@goteborg.example'), 404, 'Request_ResourceNotFound');
  });

  it("finds users and groups with $filter=mail eq '…'; an unsupported filter is 400", async () => {
    const u = await get(t, `/users?$filter=${encodeURIComponent(`mail eq '${ADMIN1}'`)}`);
    assert.equal(u.body.value.length, 1);
    assert.equal(u.body.value[0].id, userId(ADMIN1));
    const g = await get(t, `/groups?$filter=${encodeURIComponent("mail eq 'hemtjanst.masthugget@goteborg.example'")}`);
    assert.equal(g.body.value.length, 1);
    const dl = g.body.value[0];
    assert.equal(dl.mailEnabled, true);
    assert.equal(dl.securityEnabled, false);
    assert.deepEqual(dl.groupTypes, []);
    assertGraphError(await get(t, `/users?$filter=${encodeURIComponent("startswith(mail,'a')")}`), 400, 'Request_UnsupportedQuery');
  });

  it('pages group members with $top and nextLink', async () => {
    const gid = groupId('vob-frantorp');
    const { items, pages } = await all(t, `/groups/${gid}/members?$top=1`);
    assert.equal(pages, 2);
    assert.deepEqual(items.map((m) => m['@odata.type']), ['#microsoft.graph.user', '#microsoft.graph.user']);
  });

  it('adds and removes members with $ref on a Microsoft 365 group; a duplicate add is 400', async () => {
    const gid = groupId('hemtjanst-majorna');
    const uid = userId(OUTSIDER);
    const body = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${uid}` };
    assert.equal((await call(t, 'POST', `/groups/${gid}/members/$ref`, body)).status, 204);
    const dup = await call(t, 'POST', `/groups/${gid}/members/$ref`, body);
    assertGraphError(dup, 400, 'Request_BadRequest');
    assert.match(dup.body.error.message, /already exist/);
    assert.equal((await call(t, 'DELETE', `/groups/${gid}/members/${uid}/$ref`)).status, 204);
    assertGraphError(await call(t, 'DELETE', `/groups/${gid}/members/${uid}/$ref`), 404, 'Request_ResourceNotFound');
  });

  it('refuses member changes on a distribution list and on a mail-enabled security group', async () => {
    const body = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId(OUTSIDER)}` };
    for (const nick of ['hemtjanst-masthugget', 'vob-karralund']) {
      const r = await call(t, 'POST', `/groups/${groupId(nick)}/members/$ref`, body);
      assertGraphError(r, 400, 'Request_BadRequest');
      assert.equal(r.body.error.message, 'Cannot Update a mail-enabled security groups and or distribution list.');
    }
    // Reading the members of a distribution list works.
    const members = await get(t, `/groups/${groupId('hemtjanst-masthugget')}/members`);
    assert.equal(members.status, 200);
    assert.equal(members.body.value[0].mail, 'johan.berg@goteborg.example');
  });

  it('checkMemberGroups and transitive membership follow nested groups', async () => {
    const r = await call(t, 'POST', `/users/${userId(JOURLEDARE2)}/checkMemberGroups`, { groupIds: [JOURLEDARE_GROUP_ID, ADMINS_GROUP_ID] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.value, [JOURLEDARE_GROUP_ID]);
    const out = await call(t, 'POST', `/users/${userId(OUTSIDER)}/checkMemberGroups`, { groupIds: [JOURLEDARE_GROUP_ID] });
    assert.deepEqual(out.body.value, []);
    const trans = await get(t, `/groups/${JOURLEDARE_GROUP_ID}/transitiveMembers`);
    assert.ok(trans.body.value.some((m: any) => m.id === userId(JOURLEDARE2)));
    const direct = await get(t, `/groups/${JOURLEDARE_GROUP_ID}/members`);
    assert.ok(!direct.body.value.some((m: any) => m.id === userId(JOURLEDARE2)));
    const memberOf = await get(t, `/users/${JOURLEDARE2}/transitiveMemberOf`);
    assert.deepEqual(memberOf.body.value.map((g: any) => g.displayName).sort(), ['jourledare', 'jourledare-natt']);
  });
});
