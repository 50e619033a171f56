/**
 * Abuse: malformed and hostile inputs against the running app (a child process) over HTTP —
 * /api/messages as the simulated Teams channel would carry them (and as nobody should), and forged
 * Graph change notifications on /api/graph/notifications. Each must get a clear status or a clear
 * message, the process must stay alive (/healthz after every case), and nothing may be written that
 * should not be: at the end the store holds exactly the call-ins of the two legitimate flows, the
 * outbox their two notices, and the mailbox two mails, with the hostile names escaped.
 * Prints `abuse: …` lines.
 */
import { strict as assert } from 'node:assert';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { OUTSIDER, userId } from '../../dev/tenant/demoIds';
import { TEXTS } from '../../bot/texts';
import { ChatUser, allActions, onlyCard, startConnector, type BotAnswer, type Card, type Connector } from '../helpers/channel';
import { ABSENCE, DEMO_JOURLEDARE, confirmCard, runCallIn, toConfirm } from '../helpers/callInFlow';
import { RestartableBot, sleep, waitForMails } from './common';

const sv = TEXTS.sv;
const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> [klicka](https://evil.example) **fet**';
const HOSTILE_USER = '<img src=x onerror=alert(3)> [Jourledare](https://evil.example)';
const MD_LINK = /\[(klicka|Jourledare)\]\(https:\/\/evil\.example\)/;

interface Raw {
  status: number;
  contentType: string;
  body: string;
}

interface Case {
  name: string;
  run: () => Promise<Raw | BotAnswer>;
  check: (r: Raw & Partial<BotAnswer>) => void;
}

describe('resilience: abuse (malformed and hostile inputs over HTTP)', function () {
  this.timeout(180_000);
  let tenant: RunningTenant;
  let connector: Connector;
  let bot: RestartableBot;
  let jl: ChatUser;
  let jl2: ChatUser;
  let outsider: ChatUser;
  /** The first legitimate call-in (hostile free text), its confirm card and receipt. */
  let legit: { id: string; confirm: Card };
  const results: Array<{ name: string; status: number; kind: 'status' | 'message' }> = [];
  let graphRequestsBeforeNotifications: number | undefined;

  const CLIENT_STATE = 'abuse-suite-client-state-0123456789';

  before(async () => {
    tenant = await startTenant({ notifications: false });
    connector = await startConnector();
    bot = await RestartableBot.create(tenant, {
      NOTIFICATION_CLIENT_STATE: CLIENT_STATE,
      OUTBOX_LEASE_SECONDS: '5',
      SYNC_ENABLED: 'true',
      // Only the sync may read the units-list delta here (the check after the forged notifications).
      UNITS_CACHE_REFRESH_SECONDS: '0',
      UNITS_CACHE_MAX_AGE_SECONDS: '86400'
    });
    await bot.start();
    jl = new ChatUser({ botUrl: bot.messages, connector, user: { ...DEMO_JOURLEDARE[0], name: HOSTILE_USER }, conversationId: 'a:abuse-jl1' });
    jl2 = new ChatUser({ botUrl: bot.messages, connector, user: DEMO_JOURLEDARE[1], conversationId: 'a:abuse-jl2' });
    outsider = new ChatUser({ botUrl: bot.messages, connector, user: { aadObjectId: userId(OUTSIDER), name: 'Handläggare Ett' }, conversationId: 'a:abuse-outsider' });
    // The one legitimate call-in before the attacks: hostile text in the free name and the user's name.
    const { card } = await toConfirm(jl, { absence: { ...ABSENCE, absent: '', absentFree: HOSTILE } });
    const c = await confirmCard(jl, card);
    assert.equal(c.via, 'receipt');
    legit = { id: c.id, confirm: card };
  });
  after(async () => {
    await bot?.kill9().catch(() => undefined);
    bot?.remove();
    await connector?.stop();
    await tenant?.stop();
  });

  async function raw(path: string, init: RequestInit = {}): Promise<Raw> {
    const res = await fetch(bot.url + path, { ...init, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
  }
  const JSON_CT = { 'content-type': 'application/json' };
  const post = (body: string, headers: Record<string, string> = JSON_CT): Promise<Raw> => raw('/api/messages', { method: 'POST', headers, body });
  /** An activity envelope from the jourledare, with fields replaced or removed (undefined). */
  const activity = (extra: Record<string, unknown>): string => JSON.stringify(jl2.envelope(extra));
  const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
  const notify = (body: string, query = '', headers: Record<string, string> = JSON_CT): Promise<Raw> => raw(`/api/graph/notifications${query}`, { method: 'POST', headers, body });

  const status4xx = (r: Raw): void => assert.ok(r.status >= 400 && r.status < 500, `a 4xx status, got ${r.status} ${r.body.slice(0, 200)}`);
  const statusIs = (...codes: number[]) => (r: Raw) => assert.ok(codes.includes(r.status), `status ${codes.join('/')}, got ${r.status} ${r.body.slice(0, 200)}`);
  const says = (text: string) => (r: Raw & Partial<BotAnswer>) => {
    assert.equal(r.status, 200, r.body.slice(0, 200));
    assert.deepEqual(r.texts, [text]);
    assert.equal(r.cards?.length, 0, 'no card');
  };
  const saysMatching = (re: RegExp) => (r: Raw & Partial<BotAnswer>) => {
    assert.equal(r.status, 200, r.body.slice(0, 200));
    assert.equal(r.texts?.length, 1, `one text: ${JSON.stringify(r.texts)}`);
    assert.match(r.texts![0], re);
  };
  /** A validation answer: the same absence card again, with the problem named. */
  const cardSaying = (text: string) => (r: Raw & Partial<BotAnswer>) => {
    assert.equal(r.status, 200);
    const card = onlyCard(r as BotAnswer);
    assert.ok(JSON.stringify(card).includes(text), `card says ${text}`);
  };
  const flowData = async (user: ChatUser, step: 'unit' | 'absence'): Promise<Card> => {
    const search = onlyCard(await user.say('ny'));
    if (step === 'unit') {
      return search;
    }
    const hits = onlyCard(await user.act(search, 'unitSearch', { query: 'majorna' }));
    return onlyCard(await user.act(hits, 'unitPick', {}, (d) => d.unitId === '1'));
  };
  const asRaw = (a: BotAnswer): Raw & BotAnswer => ({ ...a, contentType: '' });

  const cases: Case[] = [
    /* ---- transport: what is not an activity at all ---- */
    { name: 'broken JSON', run: () => post('{"type":"message","text":'), check: status4xx },
    { name: 'empty body', run: () => post(''), check: status4xx },
    { name: 'JSON null', run: () => post('null'), check: status4xx },
    { name: 'JSON array', run: () => post('[]'), check: status4xx },
    { name: 'JSON string', run: () => post('"hej"'), check: status4xx },
    { name: 'JSON number', run: () => post('42'), check: status4xx },
    { name: 'wrong content type (text/plain)', run: () => post(activity({ type: 'message', text: 'hej' }), { 'content-type': 'text/plain' }), check: status4xx },
    { name: 'wrong content type (form-urlencoded)', run: () => post('a=b&c=d', { 'content-type': 'application/x-www-form-urlencoded' }), check: status4xx },
    { name: 'wrong content type (multipart)', run: () => post('--x\r\n\r\nhej\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), check: status4xx },
    { name: 'no content type', run: () => raw('/api/messages', { method: 'POST', body: activity({ type: 'message', text: 'hej' }) }), check: status4xx },
    { name: 'oversized body (300 kB)', run: () => post(activity({ type: 'message', text: 'x'.repeat(300_000) })), check: statusIs(413) },
    { name: 'oversized body (5 MB)', run: () => post(activity({ type: 'message', text: 'x'.repeat(5_000_000) })).catch(() => ({ status: 413, contentType: '', body: 'connection closed' })), check: statusIs(413) },
    { name: 'oversized header (20 kB)', run: () => raw('/api/messages', { method: 'POST', headers: { ...JSON_CT, 'x-big': 'a'.repeat(20_000) }, body: '{}' }), check: statusIs(431) },
    { name: 'GET /api/messages', run: () => raw('/api/messages'), check: statusIs(405) },
    { name: 'PUT /api/messages', run: () => raw('/api/messages', { method: 'PUT', headers: JSON_CT, body: '{}' }), check: statusIs(405) },
    { name: 'unknown path', run: () => raw('/api/../../etc/passwd'), check: statusIs(404) },

    /* ---- activities with missing or wrong fields (always with our connector as serviceUrl: without
       one, botbuilder would send its reply to the public Bot Framework host) ---- */
    { name: 'activity without type', run: () => post(activity({ type: undefined, text: 'hej' })), check: status4xx },
    { name: 'activity of an unknown type', run: () => post(activity({ type: 'nonsense' })), check: statusIs(200) },
    { name: 'message without from', run: async () => asRaw(await jl2.post({ type: 'message', text: 'ny', from: undefined })), check: says(sv.notJourledare) },
    { name: 'message without aadObjectId', run: async () => asRaw(await jl2.post({ type: 'message', text: 'ny', from: { id: '29:x', name: 'X' } })), check: says(sv.notJourledare) },
    { name: 'message with a made-up aadObjectId', run: async () => asRaw(await jl2.post({ type: 'message', text: 'ny', from: { id: '29:x', name: 'X', aadObjectId: '00000000-0000-4000-8000-000000000000' } })), check: says(sv.notJourledare) },
    { name: 'aadObjectId with a path and query in it', run: async () => asRaw(await jl2.post({ type: 'message', text: 'ny', from: { id: '29:x', name: 'X', aadObjectId: `../../groups/${DEMO_JOURLEDARE[0].aadObjectId}?$select=id` } })), check: says(sv.notJourledare) },
    { name: 'message with a 100 kB text', run: async () => asRaw(await jl2.say('x'.repeat(100_000))), check: says(sv.unknownCommand) },
    { name: 'message with control characters', run: async () => asRaw(await jl2.say('\u0000\u0007\u202e\ud800 ny')), check: (r) => assert.equal(r.status, 200) },
    { name: 'a hostile locale', run: async () => asRaw(await jl2.post({ type: 'message', text: 'hjälp', locale: '<script>' })), check: (r) => assert.ok(r.status === 200 && r.cards!.length === 1) },
    { name: 'deeply nested JSON in a message value (5000 levels)', run: () => post(activity({ type: 'message', value: '__N__' }).replace('"__N__"', nested(5000))), check: (r) => assert.ok(r.status < 500, String(r.status)) },
    { name: 'deeply nested JSON in card data (5000 levels)', run: () => post(activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'unitPick', data: { unitId: '__N__' } } } }).replace('"__N__"', nested(5000))), check: (r) => assert.ok(r.status === 200 && r.body.includes(sv.badInput), r.body.slice(0, 200)) },
    { name: 'invoke without value', run: () => post(activity({ type: 'invoke', name: 'adaptiveCard/action' })), check: status4xx },
    { name: 'invoke without action', run: () => post(activity({ type: 'invoke', name: 'adaptiveCard/action', value: {} })), check: status4xx },
    { name: 'invoke of another kind (composeExtension/query)', run: () => post(activity({ type: 'invoke', name: 'composeExtension/query', value: {} })), check: statusIs(200, 400, 404, 501) },
    { name: 'a bearer token nobody issued (local mode has no app id)', run: () => post(activity({ type: 'message', text: 'hjälp' }), { ...JSON_CT, authorization: 'Bearer abc.def.ghi' }), check: (r) => assert.ok(r.status === 200 || r.status === 401, String(r.status)) },

    /* ---- forged and replayed card submits ---- */
    { name: 'unknown verb', run: async () => asRaw(await jl2.send({ verb: 'deleteEverything' })), check: says(sv.badInput) },
    { name: 'verb missing', run: async () => asRaw(await jl2.send({ unitId: '1' })), check: says(sv.badInput) },
    { name: 'rev as a string', run: async () => { const c = await flowData(jl2, 'unit'); const d = allActions(c, 'unitSearch')[0]; return asRaw(await jl2.send({ ...d, verb: 'unitSearch', rev: 'x', query: 'majorna' })); }, check: says(sv.badInput) },
    { name: 'rev from the future', run: async () => { const c = await flowData(jl2, 'unit'); const d = allActions(c, 'unitSearch')[0]; return asRaw(await jl2.send({ ...d, verb: 'unitSearch', rev: 999999, query: 'majorna' })); }, check: says(sv.staleCard) },
    { name: 'a flow id that does not exist', run: async () => asRaw(await jl2.send({ verb: 'confirm', flowId: 'ffffffff-ffff-4fff-8fff-ffffffffffff', step: 'confirm', rev: 1 })), check: says(sv.staleCard) },
    { name: '__proto__ in card data', run: async () => asRaw(await jl2.post({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'unitPick', data: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"unitId":"1"}') } } })), check: (r) => { assert.equal(r.status, 200); assert.equal(r.texts?.length, 1); assert.equal(({} as Record<string, unknown>).polluted, undefined); } },
    { name: 'unknown unit id', run: async () => { const c = await flowData(jl2, 'unit'); const hits = onlyCard(await jl2.act(c, 'unitSearch', { query: 'majorna' })); return asRaw(await jl2.act(hits, 'unitPick', { unitId: '999' })); }, check: says(sv.forgedUnit) },
    { name: 'inactive unit id', run: async () => { const c = await flowData(jl2, 'unit'); const hits = onlyCard(await jl2.act(c, 'unitSearch', { query: 'majorna' })); return asRaw(await jl2.act(hits, 'unitPick', { unitId: '14' })); }, check: says(sv.forgedUnit) },
    { name: 'SQL in a unit id', run: async () => { const c = await flowData(jl2, 'unit'); const hits = onlyCard(await jl2.act(c, 'unitSearch', { query: 'majorna' })); return asRaw(await jl2.act(hits, 'unitPick', { unitId: "1' or '1'='1" })); }, check: says(sv.forgedUnit) },
    { name: 'unknown staff id as the absent person', run: async () => asRaw(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', { ...ABSENCE, absent: 'nobody-here' })), check: says(sv.forgedStaff) },
    { name: 'unknown staff id among those working', run: async () => asRaw(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', { ...ABSENCE, working: 'ghost,../../etc' })), check: says(sv.forgedStaff) },
    { name: 'an impossible date', run: async () => asRaw(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', { ...ABSENCE, date: '2026-13-45' })), check: cardSaying('Datumet ska skrivas ÅÅÅÅ-MM-DD.') },
    { name: 'an impossible time', run: async () => asRaw(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', { ...ABSENCE, start: '25:99' })), check: cardSaying('Starttiden ska skrivas TT:MM') },
    { name: 'a free name over its length limit', run: async () => asRaw(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', { ...ABSENCE, absent: '', absentFree: 'x'.repeat(10_000) })), check: (r) => { assert.equal(r.status, 200); assert.ok(r.texts!.length + r.cards!.length === 1); } },
    { name: 'an unknown candidate marked as accepted', run: async () => { const cand = onlyCard(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', ABSENCE)); return asRaw(await jl2.act(cand, 'callRecord', { staffId: 'ghost' }, (d) => d.outcome === 'accepted')); }, check: says(sv.forgedStaff) },
    { name: 'a call outcome that does not exist', run: async () => { const cand = onlyCard(await jl2.act(await flowData(jl2, 'absence'), 'absenceSubmit', ABSENCE)); return asRaw(await jl2.act(cand, 'callRecord', { outcome: 'maybe' }, (d) => d.outcome === 'accepted')); }, check: says(sv.badInput) },
    { name: "another conversation's confirm card (forged submit)", run: async () => asRaw(await jl2.act(legit.confirm, 'confirm')), check: saysMatching(/redan bekräftad \(TJ-|inte längre aktuellt/) },
    { name: 'the confirmed card replayed (Action.Execute)', run: async () => asRaw(await jl.act(legit.confirm, 'confirm')), check: (r) => says(sv.alreadyConfirmed.replace('{id}', legit.id))(r) },
    { name: 'the confirmed card replayed (Action.Submit fallback)', run: async () => asRaw(await jl.act(legit.confirm, 'confirm', {}, undefined, 'submit')), check: (r) => says(sv.alreadyConfirmed.replace('{id}', legit.id))(r) },
    { name: 'the confirmed card replayed five times at once', run: async () => { const all = await Promise.all(Array.from({ length: 5 }, () => jl.act(legit.confirm, 'confirm'))); return asRaw({ ...all[0], texts: [...new Set(all.flatMap((a) => a.texts))] }); }, check: (r) => says(sv.alreadyConfirmed.replace('{id}', legit.id))(r) },

    /* ---- script in names and texts ---- */
    { name: 'script in a unit search', run: async () => asRaw(await jl2.act(await flowData(jl2, 'unit'), 'unitSearch', { query: HOSTILE })), check: (r) => { assert.equal(r.status, 200); assert.doesNotMatch(visibleText(r.cards ?? []), MD_LINK); } },
    { name: 'SQL in a log search', run: async () => asRaw(await jl2.say("logg '; drop table call_ins; --")), check: (r) => assert.equal(r.status, 200) },

    /* ---- someone who is not a jourledare ---- */
    { name: 'non-jourledare: "ny"', run: async () => asRaw(await outsider.say('ny')), check: says(sv.notJourledare) },
    { name: 'non-jourledare: install', run: async () => asRaw(await outsider.install()), check: says(sv.notJourledare) },
    { name: 'non-jourledare: "ikväll" (tonight\'s call-ins)', run: async () => asRaw(await outsider.say('ikväll')), check: says(sv.notJourledare) },
    { name: 'non-jourledare: "logg majorna"', run: async () => asRaw(await outsider.say('logg majorna')), check: says(sv.notJourledare) },
    { name: 'non-jourledare: an admin command', run: async () => asRaw(await outsider.say('synk')), check: says(sv.notAdmin) },
    { name: "non-jourledare: a jourledare's confirm card (Action.Execute)", run: async () => asRaw(await outsider.act(legit.confirm, 'confirm')), check: says(sv.notJourledare) },
    { name: "non-jourledare: a jourledare's confirm card (Action.Submit)", run: async () => asRaw(await outsider.act(legit.confirm, 'confirm', {}, undefined, 'submit')), check: says(sv.notJourledare) },
    { name: 'non-jourledare: unit pick with a real unit id', run: async () => asRaw(await outsider.send({ verb: 'unitPick', unitId: '1', flowId: 'x', step: 'unit', rev: 1 })), check: says(sv.notJourledare) },

    /* ---- forged Graph change notifications ---- */
    { name: 'notification: wrong clientState', run: () => notify(JSON.stringify({ value: [{ subscriptionId: 'sub-1', clientState: 'wrong', changeType: 'updated', resource: 'sites/x/lists/y' }] })), check: statusIs(202) },
    { name: 'notification: no clientState', run: () => notify(JSON.stringify({ value: [{ subscriptionId: 'sub-1', changeType: 'updated', resource: 'sites/x/lists/y' }] })), check: statusIs(202) },
    { name: 'notification: neither validationToken nor value', run: () => notify(JSON.stringify({ hello: 'world' })), check: statusIs(400) },
    { name: 'notification: value not an array', run: () => notify(JSON.stringify({ value: 'x' })), check: statusIs(400) },
    { name: 'notification: broken JSON', run: () => notify('{"value": ['), check: status4xx },
    { name: 'notification: empty body', run: () => notify(''), check: status4xx },
    { name: 'notification: huge body (1 MB)', run: () => notify(JSON.stringify({ value: [{ clientState: 'x'.repeat(1_000_000) }] })), check: statusIs(413) },
    { name: 'notification: 10 000 items with a wrong clientState', run: () => notify(JSON.stringify({ value: Array.from({ length: 10_000 }, (_, i) => ({ subscriptionId: `s${i}`, clientState: 'w', resource: 'r' })) })), check: (r) => assert.ok(r.status === 202 || r.status === 413, String(r.status)) },
    { name: 'notification: validationToken is echoed as plain text only', run: () => notify('', '?validationToken=%3Cscript%3Ealert(1)%3C%2Fscript%3E'), check: (r) => { assert.equal(r.status, 200); assert.match(r.contentType, /^text\/plain/); assert.equal(r.body, '<script>alert(1)</script>'); } },
    { name: 'notification: GET', run: () => raw('/api/graph/notifications'), check: statusIs(404, 405) }
  ];

  for (const c of cases) {
    it(c.name, async () => {
      if (c.name.startsWith('notification:') && graphRequestsBeforeNotifications === undefined) {
        // Let work started by earlier cases (e.g. a cache revalidation after an unknown unit id) finish first.
        await sleep(300);
        graphRequestsBeforeNotifications = tenant.requests().length;
      }
      const r = (await c.run()) as Raw & Partial<BotAnswer>;
      results.push({ name: c.name, status: r.status, kind: r.texts?.length ? 'message' : 'status' });
      c.check(r);
      const health = await fetch(`${bot.url}/healthz`);
      assert.equal(health.status, 200, 'the process is alive');
    });
  }

  it('afterwards: alive, a real call-in still works, nothing written that should not be, hostile names escaped', async () => {
    // Forged notifications trigger no units-list read (a sync would read the list's delta).
    await sleep(500);
    const afterNotifications = tenant.requests().slice(graphRequestsBeforeNotifications ?? 0);
    const deltas = afterNotifications.filter((r) => /\/lists\/[^/]+\/items/.test(r.path) && /delta/.test(r.path + r.query));
    assert.equal(deltas.length, 0, `no sync triggered by a forged notification: ${JSON.stringify(deltas)}`);
    // The control: a notification with the right clientState does make the sync read the delta.
    const before = tenant.requests().length;
    const genuine = await notify(JSON.stringify({ value: [{ subscriptionId: 'sub-1', clientState: CLIENT_STATE, changeType: 'updated', resource: 'sites/x/lists/y' }] }));
    assert.equal(genuine.status, 202);
    let sawDelta = false;
    for (const until = Date.now() + 5000; !sawDelta && Date.now() < until; ) {
      await sleep(100);
      sawDelta = tenant.requests().slice(before).some((r) => /\/lists\/[^/]+\/items\/delta/.test(r.path));
    }
    assert.ok(sawDelta, 'a genuine notification triggers a units-list delta');

    const second = await runCallIn(new ChatUser({ botUrl: bot.messages, connector, user: DEMO_JOURLEDARE[1], conversationId: 'a:abuse-final' }));
    const confirmed = new Set([legit.id, second.id]);
    await waitForMails(tenant, confirmed, 30_000);
    await sleep(500);
    const mails = tenant.mail();
    const hostileMail = mails.find((m) => m.subject.includes(`[TJ-${legit.id}]`));
    await bot.stop();
    const callIns = Number((await bot.query<{ n: string }>('select count(*) as n from call_ins'))[0].n);
    const outbox = Number((await bot.query<{ n: string }>('select count(*) as n from outbox'))[0].n);
    const events = Number((await bot.query<{ n: string }>(`select count(*) as n from call_in_events where kind in ('corrected','cancelled')`))[0].n);

    const messages = results.filter((r) => r.kind === 'message').length;
    const fives = results.filter((r) => r.status >= 500).length;
    console.log(`      abuse: inputs=${results.length} answered_with_status=${results.length - messages} answered_with_message=${messages} server_errors_5xx=${fives} alive=yes`);
    console.log(`      abuse: call_ins=${callIns} (expected 2) outbox=${outbox} (expected 2) mails=${mails.length} (expected 2) corrections_or_cancellations=${events}`);

    assert.ok(results.length >= 50, `at least 50 inputs (${results.length})`);
    assert.equal(callIns, 2, 'only the two legitimate call-ins');
    assert.equal(outbox, 2, 'only their two notices');
    assert.equal(events, 0);
    assert.equal(mails.length, 2);
    assert.ok(hostileMail, 'the hostile-name call-in was mailed');
    const html = hostileMail.body.content;
    assert.ok(!/<script|<img/i.test(html), 'no live tags from names in the mail');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the free name is there, escaped');
    assert.ok(html.includes('&lt;img src=x onerror=alert(3)&gt;'), "the jourledare's display name is there, escaped");
    assert.ok(!/<a\s[^>]*evil\.example/i.test(html), 'no link to the markdown target in the mail');
    // Cards render markdown in TextBlocks and facts: a name must not become a live link.
    const cardsShown = connector.activities('a:abuse-jl1').flatMap((a) => ((a.activity.attachments as Array<{ content: Card }> | undefined) ?? []).map((x) => x.content));
    assert.ok(cardsShown.length > 0);
    assert.doesNotMatch(visibleText(cardsShown), MD_LINK, 'markdown links from names are escaped in cards');
  });
});

/** The texts a client renders as markdown: TextBlock texts and FactSet titles/values (not input values). */
function visibleText(cards: unknown[]): string {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') {
      return;
    }
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    const r = n as Record<string, unknown>;
    if (r.type === 'TextBlock' && typeof r.text === 'string') {
      out.push(r.text);
    }
    if (r.type === 'FactSet' && Array.isArray(r.facts)) {
      for (const f of r.facts as Array<{ title?: string; value?: string }>) {
        out.push(`${f.title ?? ''} ${f.value ?? ''}`);
      }
    }
    if (r.type === 'TextRun' && typeof r.text === 'string') {
      out.push(r.text);
    }
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'data') {
        walk(v);
      }
    }
  };
  walk(cards);
  return out.join('\n');
}
