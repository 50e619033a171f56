/**
 * Permissions on driveItems. Follows Microsoft Graph v1.0 docs: "permission resource type"
 * (grantedToV2, inheritedFrom, link), "List sharing permissions on a driveItem",
 * "driveItem: invite" (200 with a permission collection), "Delete a sharing permission"
 * (only non-inherited permissions can be deleted).
 */
import assert from 'node:assert/strict';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { assertGraphError, call, get } from './helpers';

const MAJORNA = encodeURIComponent('Hemtjänst Majorna');
const KARRALUND = encodeURIComponent('Vård- och omsorgsboende Kärralund');

describe('dev/tenant: permissions', () => {
  let t: RunningTenant;
  before(async () => {
    t = await startTenant();
  });
  after(async () => {
    await t.stop();
  });
  afterEach(async () => {
    t.state.inviteDelayMs = 0;
    await t.reset();
  });

  async function folderId(name: string): Promise<string> {
    return (await get(t, `/drives/${t.staffDriveId}/root:/${name}`)).body.id;
  }
  const perms = async (id: string): Promise<any[]> => (await get(t, `/drives/${t.staffDriveId}/items/${id}/permissions`)).body.value;

  it('a folder that inherits lists the library permissions with inheritedFrom and siteGroup grantees', async () => {
    const id = await folderId(MAJORNA);
    const list = await perms(id);
    assert.equal(list.length, 3);
    for (const p of list) {
      assert.ok(p.inheritedFrom, 'inherited');
      assert.equal(p.inheritedFrom.driveId, t.staffDriveId);
      assert.ok(p.grantedToV2.siteGroup.displayName.startsWith('Trygghetsjouren'));
      assert.ok(Array.isArray(p.roles));
    }
    assert.deepEqual(list.map((p) => p.roles[0]).sort(), ['owner', 'read', 'write']);
  });

  it('a folder with a hand-made grant has its own permissions, the grant in grantedToV2.user/siteUser', async () => {
    const list = await perms(await folderId(KARRALUND));
    assert.ok(list.every((p) => !p.inheritedFrom), 'unique permissions: nothing inherited');
    const karin = list.find((p) => p.grantedToV2?.user);
    assert.equal(karin.grantedToV2.user.email, 'karin.dahl@goteborg.example');
    assert.match(karin.grantedToV2.siteUser.loginName, /^i:0#\.f\|membership\|karin\.dahl@goteborg\.example$/);
    assert.deepEqual(karin.roles, ['write']);
  });

  it('invite grants write directly (200, permission collection) and the grant then reads back', async () => {
    const id = await folderId(MAJORNA);
    const r = await call(t, 'POST', `/drives/${t.staffDriveId}/items/${id}/invite`, {
      recipients: [{ email: 'anna.lindqvist@goteborg.example' }],
      roles: ['write'],
      requireSignIn: true,
      sendInvitation: false
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value.length, 1);
    const p = r.body.value[0];
    assert.deepEqual(p.roles, ['write']);
    assert.equal(p.grantedToV2.user.email, 'anna.lindqvist@goteborg.example');
    assert.equal(p.invitation.signInRequired, true);
    const list = await perms(id);
    assert.ok(list.some((x) => x.id === p.id));
    // Granting broke inheritance: the library's grants were copied as direct permissions.
    assert.ok(list.every((x) => !x.inheritedFrom));
    assert.equal(t.mail().length, 0, 'sendInvitation false sends nothing');
  });

  it('invite can answer 200 before the grant is visible (inviteDelayMs)', async () => {
    t.state.inviteDelayMs = 300;
    const id = await folderId(MAJORNA);
    const r = await call(t, 'POST', `/drives/${t.staffDriveId}/items/${id}/invite`, { recipients: [{ email: 'johan.berg@goteborg.example' }], roles: ['write'], requireSignIn: true, sendInvitation: false });
    assert.equal(r.status, 200);
    assert.ok(!(await perms(id)).some((x) => x.id === r.body.value[0].id));
    await new Promise((res) => setTimeout(res, 350));
    assert.ok((await perms(id)).some((x) => x.id === r.body.value[0].id));
  });

  it('invite rejects bad roles, no recipients and unknown (guest) recipients', async () => {
    const id = await folderId(MAJORNA);
    const url = `/drives/${t.staffDriveId}/items/${id}/invite`;
    assertGraphError(await call(t, 'POST', url, { recipients: [{ email: 'anna.lindqvist@goteborg.example' }], roles: ['owner'] }), 400, 'invalidRequest');
    assertGraphError(await call(t, 'POST', url, { recipients: [], roles: ['read'] }), 400, 'invalidRequest');
    assertGraphError(await call(t, 'POST', url, { recipients: [{ email: 'someone@elsewhere.example' }], roles: ['read'] }), 400, 'invalidRequest');
  });

  it('DELETE: a direct grant goes (204); an inherited one or the owner permission cannot be removed', async () => {
    const majorna = await folderId(MAJORNA);
    const inherited = (await perms(majorna))[0];
    assertGraphError(await call(t, 'DELETE', `/drives/${t.staffDriveId}/items/${majorna}/permissions/${inherited.id}`), 400, 'invalidRequest');

    const k = await folderId(KARRALUND);
    const list = await perms(k);
    const owner = list.find((p) => p.roles.includes('owner'));
    assertGraphError(await call(t, 'DELETE', `/drives/${t.staffDriveId}/items/${k}/permissions/${owner.id}`), 403, 'accessDenied');
    const karin = list.find((p) => p.grantedToV2?.user);
    assert.equal((await call(t, 'DELETE', `/drives/${t.staffDriveId}/items/${k}/permissions/${karin.id}`)).status, 204);
    assert.ok(!(await perms(k)).some((p) => p.id === karin.id));
    assertGraphError(await call(t, 'DELETE', `/drives/${t.staffDriveId}/items/${k}/permissions/${karin.id}`), 404, 'itemNotFound');
  });

  it('a sharing link shows as a link permission', async () => {
    const file = await get(t, `/drives/${t.staffDriveId}/root:/${encodeURIComponent('Vård- och omsorgsboende Fräntorp')}/Nyckelrutin.pdf`);
    const list = await perms(file.body.id);
    const link = list.find((p) => p.link);
    assert.equal(link.link.type, 'view');
    assert.equal(link.link.scope, 'organization');
  });
});
