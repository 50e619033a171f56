/** Mail. Follows Microsoft Graph v1.0 "user: sendMail" (202 Accepted, no body; x- headers only). */
import assert from 'node:assert/strict';
import { MAILBOX } from '../../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../../dev/tenant/server';
import { assertGraphError, call } from './helpers';

describe('dev/tenant: sendMail and the mailbox', () => {
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

  const message = {
    subject: 'Inkallelse: Hemtjänst Majorna, natt 2 mars',
    body: { contentType: 'HTML', content: '<p>Greta Johansson är beordrad in <b>22:00–07:00</b>.</p>' },
    toRecipients: [{ emailAddress: { address: 'hemtjanst.majorna@goteborg.example' } }],
    internetMessageHeaders: [{ name: 'x-trygghetsjouren-callin', value: 'c-123' }]
  };

  it('answers 202 with no body and captures the message (by UPN and by id)', async () => {
    const r = await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message, saveToSentItems: true }, { 'client-request-id': 'abc-123' });
    assert.equal(r.status, 202);
    assert.equal(r.text, '');
    assert.equal(r.headers.get('client-request-id'), 'abc-123');
    assert.equal((await call(t, 'POST', `/users/${t.mailboxUserId}/sendMail`, { message })).status, 202);
    const [m] = t.mail();
    assert.equal(m!.from, MAILBOX);
    assert.deepEqual(m!.to, ['hemtjanst.majorna@goteborg.example']);
    assert.equal(m!.body.contentType, 'html');
    assert.deepEqual(m!.internetMessageHeaders, [{ name: 'x-trygghetsjouren-callin', value: 'c-123' }]);
    assert.equal(m!.clientRequestId, 'abc-123');
  });

  it('serves /_dev/mail as JSON, as an HTML page for a browser, and clears on DELETE', async () => {
    await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message });
    const j = await fetch(`${t.url}/_dev/mail`, { headers: { accept: 'application/json' } });
    const body = (await j.json()) as { count: number; value: Array<{ subject: string }> };
    assert.equal(body.count, 1);
    assert.equal(body.value[0]!.subject, message.subject);
    const h = await fetch(`${t.url}/_dev/mail`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.match(h.headers.get('content-type')!, /text\/html/);
    const html = await h.text();
    assert.ok(html.includes('Inkallelse: Hemtjänst Majorna'));
    assert.ok(html.includes('srcdoc="&lt;p&gt;Greta'), 'the HTML body is rendered in a sandboxed frame');
    assert.equal((await fetch(`${t.url}/_dev/mail`, { method: 'DELETE' })).status, 204);
    assert.equal(t.mail().length, 0);
  });

  it('rejects a header without x-, no recipients, and an unknown mailbox', async () => {
    const badHeader = { ...message, internetMessageHeaders: [{ name: 'Callin', value: '1' }] };
    assertGraphError(await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message: badHeader }), 400, 'InvalidInternetMessageHeader');
    assertGraphError(await call(t, 'POST', `/users/${MAILBOX}/sendMail`, { message: { ...message, toRecipients: [] } }), 400, 'ErrorInvalidRecipients');
    assertGraphError(await call(t, 'POST', '/users/nobody@goteborg.example/sendMail', { message }), 404, 'ErrorInvalidUser');
    assert.equal(t.mail().length, 0);
  });
});
