/**
 * Sent Items and message reads. Follows Microsoft Graph v1.0:
 *  - "user: sendMail" (saveToSentItems: "default is true"),
 *  - "mailFolder resource type" (well-known folder names: sentitems),
 *  - "List messages" / "Get message",
 *  - "Outlook extended properties overview" (id formats) and "Get singleValueLegacyExtendedProperty"
 *    ($filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…'); Name in the
 *    id case-sensitive, value case-insensitive; the property is not in list responses; $expand).
 */
import assert from 'node:assert/strict';
import { MAILBOX } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { all, assertGraphError, call, get } from './helpers';

const PROP = 'String {8ECCC264-6880-4EBE-992F-8888D2EEAA1D} Name TestProperty';

function message(key: string, subject = `Inkallelse ${key}`): Record<string, unknown> {
  return {
    subject,
    body: { contentType: 'HTML', content: '<p>Greta Johansson är beordrad in.</p>' },
    toRecipients: [{ emailAddress: { address: 'hemtjanst.majorna@goteborg.example' } }],
    internetMessageHeaders: [{ name: 'x-trygghetsjouren-key', value: key }],
    singleValueExtendedProperties: [{ id: PROP, value: key }]
  };
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const byKey = (key: string, id = PROP): string =>
  `$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq ${lit(id)} and ep/value eq ${lit(key)})`)}`;

describe('dev/tenant: Sent Items, message reads, extended property filter', () => {
  let t: RunningTenant;
  before(async () => {
    t = await startTenant({ notifications: false });
  });
  after(async () => {
    await t.stop();
  });
  afterEach(async () => {
    await t.reset();
    t.state.sentItemsDelayMs = 0;
  });

  const send = async (body: Record<string, unknown>): Promise<void> => {
    const r = await call(t, 'POST', `/users/${MAILBOX}/sendMail`, body);
    assert.equal(r.status, 202, r.text);
  };

  it('sendMail keeps the extended properties and saves a copy in Sent Items (saveToSentItems defaults to true)', async () => {
    await send({ message: message('k-1') });
    const [m] = t.mail();
    assert.deepEqual(m!.singleValueExtendedProperties, [{ id: PROP, value: 'k-1' }]);
    assert.equal(m!.saveToSentItems, true);
    const copies = t.sentItems();
    assert.equal(copies.length, 1);
    assert.equal(copies[0]!.id, m!.sentItemId);
    assert.equal(copies[0]!.subject, 'Inkallelse k-1');
    assert.deepEqual(copies[0]!.internetMessageHeaders, [{ name: 'x-trygghetsjouren-key', value: 'k-1' }]);
    assert.deepEqual(copies[0]!.singleValueExtendedProperties, [{ id: PROP, value: 'k-1' }]);
  });

  it('saveToSentItems false (boolean, or "false" as in Microsoft\'s example) keeps no copy', async () => {
    await send({ message: message('k-1'), saveToSentItems: false });
    await send({ message: message('k-2'), saveToSentItems: 'false' });
    assert.equal(t.mail().length, 2);
    assert.equal(t.sentItems().length, 0);
    const r = await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages`);
    assert.deepEqual(r.body.value, []);
  });

  it('rejects a malformed extended property id', async () => {
    const bad = { ...message('k'), singleValueExtendedProperties: [{ id: 'TestProperty', value: 'x' }] };
    assertGraphError(await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message: bad }), 400, 'ErrorInvalidProperty');
    assert.equal(t.mail().length, 0);
  });

  it('lists Sent Items by well-known name (any case), by folder id, by user id; the folder itself', async () => {
    await send({ message: message('k-1') });
    await send({ message: message('k-2') });
    for (const ref of ['sentitems', 'SentItems', 'SENTITEMS']) {
      const r = await get(t, `/users/${MAILBOX}/mailFolders/${ref}/messages`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(
        r.body.value.map((m: { subject: string }) => m.subject),
        ['Inkallelse k-2', 'Inkallelse k-1'],
        'newest first'
      );
      assert.equal(r.body.value[0].singleValueExtendedProperties, undefined, 'the list does not include extended properties');
      assert.equal(r.body.value[0].internetMessageHeaders, undefined, 'headers only when selected');
    }
    const folder = await get(t, `/users/${t.mailboxUserId}/mailFolders/sentitems`);
    assert.equal(folder.status, 200);
    assert.equal(folder.body.displayName, 'Sent Items');
    assert.equal(folder.body.totalItemCount, 2);
    const byId = await get(t, `/users/${t.mailboxUserId}/mailFolders/${encodeURIComponent(folder.body.id)}/messages`);
    assert.equal(byId.body.value.length, 2);
    assert.equal(byId.body.value[0].parentFolderId, folder.body.id);
    assert.deepEqual((await get(t, `/users/${MAILBOX}/mailFolders/inbox/messages`)).body.value, []);
    assertGraphError(await get(t, `/users/${MAILBOX}/mailFolders/nosuchfolder/messages`), 404, 'ErrorItemNotFound');
    assertGraphError(await get(t, '/users/nobody@goteborg.example/mailFolders/sentitems/messages'), 404, 'ErrorInvalidUser');
  });

  it('filters on the extended property: id and value; the value case-insensitively, the Name case-sensitively', async () => {
    await send({ message: message('k-1') });
    await send({ message: message('k-2') });
    const path = `/users/${MAILBOX}/mailFolders/sentitems/messages`;
    const one = await get(t, `${path}?${byKey('k-1')}&$select=id,sentDateTime`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.value.length, 1);
    assert.equal(one.body.value[0].id, t.sentItems()[0]!.id);
    assert.match(one.body.value[0].sentDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(one.body.value[0].subject, undefined, '$select');
    assert.equal((await get(t, `${path}?${byKey('K-1')}`)).body.value.length, 1, 'value: case-insensitive');
    assert.equal((await get(t, `${path}?${byKey('k-3')}`)).body.value.length, 0);
    assert.equal((await get(t, `${path}?${byKey('k-1', PROP.toLowerCase())}`)).body.value.length, 0, 'Name: case-sensitive');
    assert.equal((await get(t, `${path}?${byKey('k-1', PROP.replace('8ECCC264', '8eccc264'))}`)).body.value.length, 1, 'GUID: any case');
    // Keywords in any case, as Microsoft's own examples write them (any, Id, Value), clauses either way round.
    const loose = `singleValueExtendedProperties/any(x:x/Value eq 'k-2' AND x/Id eq ${lit(PROP)})`;
    assert.equal((await get(t, `${path}?$filter=${encodeURIComponent(loose)}`)).body.value.length, 1);
    // Only the id: every message with the property.
    const idOnly = `singleValueExtendedProperties/Any(ep: ep/id eq ${lit(PROP)})`;
    assert.equal((await get(t, `${path}?$filter=${encodeURIComponent(idOnly)}`)).body.value.length, 2);
    // Mailbox-wide too.
    assert.equal((await get(t, `/users/${MAILBOX}/messages?${byKey('k-2')}`)).body.value.length, 1);
  });

  it('a quote in the value is an OData literal (doubled), not an injection', async () => {
    const key = "k' or ep/value ne 'x";
    await send({ message: message(key) });
    await send({ message: message('other') });
    const r = await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages?${byKey(key)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.body.value.map((m: { subject: string }) => m.subject),
      [`Inkallelse ${key}`]
    );
    // The same text spliced in unescaped is not a valid filter.
    const raw = `singleValueExtendedProperties/Any(ep: ep/id eq ${lit(PROP)} and ep/value eq '${key}')`;
    assertGraphError(await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(raw)}`), 400, 'BadRequest');
  });

  it('a malformed or unsupported $filter answers 400 BadRequest "Invalid filter clause"', async () => {
    const path = `/users/${MAILBOX}/mailFolders/sentitems/messages?$filter=`;
    for (const f of [
      "singleValueExtendedProperties/Any(ep: ep/id eq 'unterminated)",
      `singleValueExtendedProperties/Any(ep: ep/value eq 'k')`,
      `singleValueExtendedProperties/Any(ep: other/id eq ${lit(PROP)})`,
      `singleValueExtendedProperties/Any(ep: ep/id eq ${lit(PROP)}`,
      "subject eq 'x'",
      ''
    ]) {
      const r = await get(t, path + encodeURIComponent(f));
      assertGraphError(r, 400, 'BadRequest');
      assert.equal(r.body.error.message, 'Invalid filter clause', f);
    }
  });

  it('pages with $top and @odata.nextLink; rejects a bad $top and an unknown $select property', async () => {
    for (let i = 1; i <= 5; i++) {
      await send({ message: message(`k-${i}`) });
    }
    const { items, pages } = await all(t, `/users/${MAILBOX}/mailFolders/sentitems/messages?$top=2&$select=subject`);
    assert.equal(pages, 3);
    assert.deepEqual(
      items.map((m) => m.subject),
      ['Inkallelse k-5', 'Inkallelse k-4', 'Inkallelse k-3', 'Inkallelse k-2', 'Inkallelse k-1']
    );
    const first = await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages`);
    assert.equal(first.body.value.length, 5, 'default page size 10');
    assert.equal(first.body['@odata.nextLink'], undefined);
    assertGraphError(await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages?$top=0`), 400, 'BadRequest');
    assertGraphError(await get(t, `/users/${MAILBOX}/mailFolders/sentitems/messages?$select=nope`), 400);
  });

  it('gets one message by id, with headers when selected and the property when expanded', async () => {
    await send({ message: message('k-1') });
    const id = t.sentItems()[0]!.id;
    const r = await get(t, `/users/${MAILBOX}/messages/${encodeURIComponent(id)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, id);
    assert.equal(r.body.from.emailAddress.address, MAILBOX);
    assert.deepEqual(r.body.toRecipients, [{ emailAddress: { name: 'hemtjanst.majorna@goteborg.example', address: 'hemtjanst.majorna@goteborg.example' } }]);
    assert.equal(r.body.isDraft, false);
    const h = await get(t, `/users/${t.mailboxUserId}/mailFolders/sentitems/messages/${encodeURIComponent(id)}?$select=internetMessageHeaders`);
    assert.deepEqual(h.body.internetMessageHeaders, [{ name: 'x-trygghetsjouren-key', value: 'k-1' }]);
    const x = await get(t, `/users/${MAILBOX}/messages/${encodeURIComponent(id)}?$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq ${lit(PROP)})`)}`);
    assert.deepEqual(x.body.singleValueExtendedProperties, [{ id: PROP, value: 'k-1' }]);
    assertGraphError(await get(t, `/users/${MAILBOX}/messages/AAMkAGI2nope`), 404, 'ErrorItemNotFound');
    assertGraphError(await get(t, `/users/${MAILBOX}/mailFolders/inbox/messages/${encodeURIComponent(id)}`), 404, 'ErrorItemNotFound');
  });

  it('sentItemsDelayMs: the copy shows only after the delay (Exchange saves it asynchronously); also via /_dev/config', async () => {
    const cfg = await fetch(`${t.url}/_dev/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sentItemsDelayMs: 300 }) });
    assert.deepEqual(((await cfg.json()) as { sentItemsDelayMs: number }).sentItemsDelayMs, 300);
    await send({ message: message('k-1') });
    const path = `/users/${MAILBOX}/mailFolders/sentitems/messages?${byKey('k-1')}`;
    assert.equal((await get(t, path)).body.value.length, 0, 'not yet');
    assert.equal(t.sentItems().length, 1, 'stored, not yet visible');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await get(t, path)).body.value.length, 1);
  });

  it('the option is kept across reset; DELETE /_dev/mail clears Sent Items too', async () => {
    const t2 = await startTenant({ notifications: false, sentItemsDelayMs: 5000 });
    try {
      await t2.reset();
      assert.equal(t2.state.sentItemsDelayMs, 5000);
      t2.state.sentItemsDelayMs = 0;
      assert.equal((await call(t2, 'POST', `/users/${MAILBOX}/sendMail`, { message: message('k-1') })).status, 202);
      assert.equal(t2.sentItems().length, 1);
      assert.equal((await fetch(`${t2.url}/_dev/mail`, { method: 'DELETE' })).status, 204);
      assert.equal(t2.mail().length, 0);
      assert.equal(t2.sentItems().length, 0);
      assert.deepEqual((await get(t2, `/users/${MAILBOX}/mailFolders/sentitems/messages`)).body.value, []);
    } finally {
      await t2.stop();
    }
  });
});
