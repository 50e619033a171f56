import assert from 'node:assert/strict';
import { folderPermissionFrom, groupKind } from '../../../graph/access';
import { parseRetryAfter, GraphError, errorFromResponse } from '../../../graph/errors';
import { subjectWithReference } from '../../../graph/mail';
import { handleNotificationRequest, sameSecret } from '../../../graph/notifications';
import { pickWorkbook } from '../../../graph/staff';
import { dateOnly, unitFromItem } from '../../../graph/units';

describe('graph pure helpers', () => {
  describe('parseRetryAfter', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    it('reads delta-seconds', () => assert.equal(parseRetryAfter('2', now), 2000));
    it('reads an HTTP date', () => assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now), 3000));
    it('never negative for a past date', () => assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0));
    it('absent or garbage is undefined', () => {
      assert.equal(parseRetryAfter(null, now), undefined);
      assert.equal(parseRetryAfter('soon', now), undefined);
    });
  });

  describe('errorFromResponse', () => {
    it('keeps Graph code, request id, retryability', () => {
      const e = errorFromResponse('GET /x', 429, '{"error":{"code":"TooManyRequests","message":"slow down"}}', { 'Retry-After': '7', 'request-id': 'r1' });
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 429);
      assert.equal(e.code, 'TooManyRequests');
      assert.equal(e.requestId, 'r1');
      assert.equal(e.retryAfterSeconds, 7);
      assert.equal(e.retryable, true);
    });
    for (const s of [400, 403, 404]) {
      it(`${s} is not retryable`, () => assert.equal(errorFromResponse('x', s, '', undefined).retryable, false));
    }
    for (const s of [500, 502, 503, 504]) {
      it(`${s} is retryable`, () => assert.equal(errorFromResponse('x', s, '', undefined).retryable, true));
    }
  });

  describe('unitFromItem', () => {
    const resolve = async (id: string) => (id === '7' ? { email: 'Sara@Example.se', displayName: 'Sara' } : undefined);
    it('maps a complete item', async () => {
      const u = await unitFromItem(
        {
          id: '3',
          fields: {
            Title: 'Hemtjänst Majorna',
            Avdelning: 'hemtjänst',
            Enhetschef: [{ LookupId: 12, LookupValue: 'Anna', Email: 'Anna@Example.se' }],
            Tillforordnad: [{ LookupId: 7, LookupValue: 'Sara' }],
            TillforordnadTom: '2025-03-31T22:00:00Z',
            DGAdress: 'DG.Majorna@example.se',
            Mapp: '/Hemtjänst Majorna/',
            Aktiv: true
          }
        },
        resolve
      );
      assert.deepEqual(u, {
        id: '3',
        name: 'Hemtjänst Majorna',
        avdelning: 'Hemtjänst',
        managers: [{ email: 'anna@example.se', displayName: 'Anna' }],
        acting: [{ email: 'sara@example.se', displayName: 'Sara', endDate: '2025-04-01' }],
        dgAddress: 'dg.majorna@example.se',
        folder: 'Hemtjänst Majorna',
        active: true,
        problems: []
      });
    });
    it('keeps a broken unit and says what is wrong, in Swedish', async () => {
      const u = await unitFromItem({ id: '4', fields: { Title: 'X', Avdelning: 'Skola', DGAdress: 'inte-en-adress', Aktiv: false } }, resolve);
      assert.equal(u.active, false);
      assert.equal(u.dgAddress, undefined);
      assert.equal(u.folder, undefined);
      assert.ok(u.problems.some((p) => p.includes('Okänd avdelning')));
      assert.ok(u.problems.some((p) => p.includes('DG-adressen')));
      assert.ok(u.problems.some((p) => p.includes('Mapp saknas')));
      assert.ok(u.problems.some((p) => p.includes('Ingen enhetschef')));
    });
    it('resolves lookup ids without e-mail through the site users', async () => {
      const u = await unitFromItem({ id: '5', fields: { Title: 'Y', EnhetschefLookupId: ['7', '99'] } }, resolve);
      assert.deepEqual(u.managers.map((m) => m.email), ['sara@example.se']);
      assert.ok(u.problems.some((p) => p.includes('saknar e-postadress')));
    });
    it('dateOnly keeps plain dates and converts UTC midnight-local instants', () => {
      assert.equal(dateOnly('2025-06-01'), '2025-06-01');
      assert.equal(dateOnly('2025-05-31T22:00:00Z'), '2025-06-01');
      assert.equal(dateOnly('nonsense'), undefined);
    });
  });

  describe('pickWorkbook', () => {
    it('prefers Personallista*.xlsx', () => {
      assert.equal(pickWorkbook([{ name: 'Rutin.docx' }, { name: 'Annat.xlsx' }, { name: 'Personallista 2025.xlsx' }]).index, 2);
    });
    it('takes the only xlsx', () => assert.equal(pickWorkbook([{ name: 'a.pdf' }, { name: 'Lista.XLSX' }]).index, 1));
    it('reports ambiguity between several xlsx', () => {
      const r = pickWorkbook([{ name: 'a.xlsx' }, { name: 'b.xlsx' }]);
      assert.equal(r.index, undefined);
      assert.match(r.problems[0], /Flera Excel-filer/);
    });
    it('two Personallista files: newest, reported', () => {
      const r = pickWorkbook([
        { name: 'Personallista.xlsx', lastModifiedDateTime: '2025-01-01T00:00:00Z' },
        { name: 'Personallista ny.xlsx', lastModifiedDateTime: '2025-02-01T00:00:00Z' }
      ]);
      assert.equal(r.index, 1);
      assert.match(r.problems[0], /Flera personallistor/);
    });
    it('none', () => assert.match(pickWorkbook([{ name: 'a.pdf' }]).problems[0], /Ingen personallista/));
  });

  describe('permissions and groups', () => {
    it('direct user grant', () => {
      assert.deepEqual(folderPermissionFrom({ id: 'p1', roles: ['write'], grantedToV2: { user: { id: 'u1', displayName: 'A', email: 'A@x.se' } } }), {
        id: 'p1',
        roles: ['write'],
        inherited: false,
        user: { id: 'u1', email: 'a@x.se', displayName: 'A' }
      });
    });
    it('inherited site group', () => {
      const p = folderPermissionFrom({ id: 'p2', roles: ['owner'], inheritedFrom: { id: 'root' }, grantedToV2: { siteGroup: { id: '3', displayName: 'Ägare' } } });
      assert.equal(p.inherited, true);
      assert.deepEqual(p.group, { id: '3', displayName: 'Ägare' });
    });
    it('site user login name gives the e-mail; links are flagged', () => {
      assert.equal(folderPermissionFrom({ id: 'p3', grantedToV2: { siteUser: { loginName: 'i:0#.f|membership|b@x.se' } } }).user?.email, 'b@x.se');
      assert.equal(folderPermissionFrom({ id: 'p4', roles: ['read'], link: { type: 'view' } }).link, true);
    });
    it('group kinds', () => {
      assert.equal(groupKind({ groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false }), 'unified');
      assert.equal(groupKind({ groupTypes: [], mailEnabled: false, securityEnabled: true }), 'security');
      assert.equal(groupKind({ groupTypes: [], mailEnabled: true, securityEnabled: true }), 'mailEnabledSecurity');
      assert.equal(groupKind({ groupTypes: [], mailEnabled: true, securityEnabled: false }), 'distributionList');
    });
  });

  describe('notifications', () => {
    it('echoes the validation token as text/plain', () => {
      assert.deepEqual(handleNotificationRequest({ query: { validationToken: 'abc <b>' }, body: undefined }, 's'), {
        status: 200,
        contentType: 'text/plain',
        body: 'abc <b>',
        accepted: []
      });
    });
    it('accepts only the right clientState, answers 202', () => {
      const r = handleNotificationRequest(
        {
          query: {},
          body: {
            value: [
              { subscriptionId: 's1', clientState: 'secret', resource: 'sites/a/lists/b', changeType: 'updated' },
              { subscriptionId: 's2', clientState: 'wrong', resource: 'sites/a/lists/b', changeType: 'updated' },
              { subscriptionId: 's3', resource: 'sites/a/lists/b' }
            ]
          }
        },
        'secret'
      );
      assert.equal(r.status, 202);
      assert.deepEqual(r.accepted, [{ subscriptionId: 's1', resource: 'sites/a/lists/b', changeType: 'updated' }]);
    });
    it('400 for a body that is no notification batch', () => assert.equal(handleNotificationRequest({ query: {}, body: 'x' }, 's').status, 400));
    it('sameSecret works across lengths', () => {
      assert.equal(sameSecret('a', 'a'), true);
      assert.equal(sameSecret('a', 'ab'), false);
    });
  });

  it('subject reference is added once', () => {
    assert.equal(subjectWithReference('Inringd personal', 'c1'), 'Inringd personal [TJ-c1]');
    assert.equal(subjectWithReference('Inringd personal [TJ-c1]', 'c1'), 'Inringd personal [TJ-c1]');
  });
});

describe('graph error messages', () => {
  it('carry no e-mail addresses from Graph messages', () => {
    const e = errorFromResponse('POST /x', 400, { error: { code: 'invalidRequest', message: "New guests can't be invited: anna.a@example.se" } }, undefined);
    assert.ok(!e.message.includes('anna.a@example.se'));
    assert.match(e.message, /<address>/);
  });
});
