/**
 * A whole call-in against the local Microsoft 365 tenant (real graph/ over HTTP on 127.0.0.1) with
 * the real outbox worker and notice handler: exactly one mail with the right content reaches the
 * unit's DG address, the receipt card updates when it has gone; a notice that cannot be sent tells
 * the jourledare and alerts the administrators. Also measures the demo case: card submits and
 * fields from "Ny frånvaro" to the sent notice.
 */
import { strict as assert } from 'node:assert';
import { ADMINS_GROUP_ID, JOURLEDARE_GROUP_ID, MAILBOX, userId } from '../../dev/tenant/demoIds';
import { startTenant, type RunningTenant } from '../../dev/tenant/server';
import { createGraph, memoryDeltaStore } from '../../graph';
import { OutboxWorker } from '../../store/outbox';
import type { Db } from '../../store/db';
import { noticeHandler, noticeHooks } from '../../jobs/notices';
import { ReminderJob } from '../../jobs/reminders';
import { Proactive } from '../../bot/proactive';
import { TEXTS } from '../../bot/texts';
import { act, cardText, count, fixedClock, makeHarness, openStore, resetStore, say, silent, type BotAnswer, type Card, type Harness } from './harness';

const JL = { id: userId('jourledare1@goteborg.example'), name: 'Jourledare Ett' };
const ADMIN = { id: userId('admin1@goteborg.example'), name: 'Administratör Ett' };
/** Tuesday 24 November 2026, 20:14 in Stockholm. */
const NIGHT = '2026-11-24T19:14:00Z';

function only(a: BotAnswer): Card {
  assert.equal(a.cards.length, 1, `expected one card (texts: ${a.texts.join(' | ')})`);
  return a.cards[0];
}

describe('bot: a whole call-in against the local tenant', function () {
  this.timeout(60_000);
  let tenant: RunningTenant;
  let db: Db;
  let h: Harness;
  let worker: OutboxWorker;
  let clock: ReturnType<typeof fixedClock>;

  before(async () => {
    db = await openStore();
  });
  after(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetStore(db);
    tenant = await startTenant({ notifications: false });
    const graph = createGraph(
      {
        baseUrl: tenant.graphBase,
        auth: { kind: 'static', token: tenant.token },
        siteId: tenant.siteId,
        unitsList: 'Enheter',
        staffDrive: 'Personallistor',
        mailbox: MAILBOX,
        jourledareGroupId: JOURLEDARE_GROUP_ID,
        adminGroupId: ADMINS_GROUP_ID,
        maxRetries: 2,
        timeoutMs: 5000,
        maxRetryDelayMs: 50
      },
      { logger: silent, deltaStore: memoryDeltaStore() }
    );
    clock = fixedClock(NIGHT);
    h = makeHarness(db, { graph, clock });
    const proactive = new Proactive(h.adapter, '', h.refs, silent);
    const hooks = noticeHooks({
      callIns: h.callIns,
      events: proactive,
      clock,
      logger: silent,
      alertMail: (subject, html, key, callInId) => graph.mail.sendNotice({ to: MAILBOX, subject, html, callInId, idempotencyKey: key })
    });
    worker = new OutboxWorker(h.outbox, { notice: noticeHandler({ mail: graph.mail, clock, logger: silent }) }, { pollMs: 60_000, ...hooks });
  });
  afterEach(async () => {
    await worker.stop();
    await tenant.stop();
  });

  /** Runs the outbox until nothing is due (no timers: each tick is awaited). */
  async function drain(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const claimed = await worker.tick();
      await worker.idle();
      if (claimed === 0 && (await h.outbox.counts()).pending === 0) {
        return;
      }
    }
  }

  it('the demo case: Ny frånvaro → … → exactly one mail to the DG group, and the receipt says it went', async () => {
    let submits = 0;
    let fields = 0;
    const click = async (card: Card, verb: string, inputs: Record<string, unknown> = {}, where?: (d: Record<string, unknown>) => boolean) => {
      submits++;
      fields += Object.values(inputs).filter((v) => v !== '').length;
      return only(await act(h, card, verb, inputs, { user: JL, where, replyToId: 'receipt-msg' }));
    };
    const welcome = only(await say(h, 'hej', { user: JL }));
    const search = await click(welcome, 'start');
    const results = await click(search, 'unitSearch', { query: 'majorna' });
    const absence = await click(results, 'unitPick', {}, (d) => d.unitId === '1');
    assert.ok(cardText(absence).includes('Nyckelrutin.pdf'), 'routine documents from the unit folder');
    assert.ok(cardText(absence).includes('kväll 4 · natt 2 · helgdag 4'));
    // The date is prefilled (today); the jourledare picks the absent person, reason, times, who works.
    const cand = await click(absence, 'absenceSubmit', { absent: 'anna-andersson', reason: 'sjuk', start: '21:00', end: '07:00', working: 'kerstin-larsson' });
    const text = cardText(cand);
    assert.ok(text.includes('1. Elin Pettersson') && text.includes('Minimibemanning natt: 2, arbetar: 1 – 1 saknas.'), text);
    assert.ok(!text.match(/\d\. Anders Lindström/), 'timanställd not offered');
    const size = Buffer.byteLength(JSON.stringify(cand));
    assert.ok(size < 28_000, `candidates card is ${size} bytes`);
    const c1 = await click(cand, 'callRecord', {}, (d) => d.staffId === 'elin-pettersson' && d.outcome === 'no_answer');
    const c2 = await click(c1, 'callRecord', {}, (d) => d.staffId === 'nadia-jonsson' && d.outcome === 'accepted');
    const conf = await click(c2, 'toConfirm');
    const receipt = await click(conf, 'confirm');
    assert.ok(cardText(receipt).includes('Skickat 20:14 till hemtjanst.majorna@goteborg.example'), cardText(receipt));
    assert.equal(tenant.mail().length, 0, 'nothing sent before the outbox runs');

    await drain();
    const mails = tenant.mail();
    assert.equal(mails.length, 1);
    const [m] = mails;
    const id = (await db.query<{ id: string }>('select id from call_ins')).rows[0].id;
    assert.deepEqual(m.to, ['hemtjanst.majorna@goteborg.example']);
    assert.ok(m.subject.includes('Hemtjänst Majorna') && m.subject.includes(`[TJ-${id}]`), m.subject);
    for (const s of ['Nadia Jönsson', 'Anna Andersson', 'Jourledare Ett', '21:00–07:00', 'enhetschef']) {
      assert.ok(m.body.content.includes(s), `${s} in ${m.body.content}`);
    }
    assert.ok(!/\+46|070-?174/.test(m.body.content), 'no phone numbers in the mail');
    assert.ok(!m.body.content.includes('Sjuk'), 'the reason for the absence is not the unit group’s business');

    // The receipt card was updated in place ("Mejlet har gått iväg 20:14").
    const updated = h.adapter.updates.find((u) => u.id === 'receipt-msg');
    assert.ok(updated, 'receipt updated');
    assert.ok(JSON.stringify(updated.attachments).includes(TEXTS.sv.receiptSent.replace('{time}', '20:14')));
    assert.ok((await h.callIns.get(id))?.noticeSentAt);

    // Running the outbox again sends nothing more.
    await drain();
    assert.equal(tenant.mail().length, 1);
    console.log(`      demo case: ${submits} card submits, ${fields} fields filled from "Ny frånvaro" to the sent notice (date prefilled); candidates card ${size} bytes`);
  });

  it('Graph throttling (429 with Retry-After) on sendMail: retried, still exactly one mail', async () => {
    tenant.setFaults([{ method: 'POST', path: 'sendMail', status: 429, retryAfter: 0, times: 4 }]);
    const cand = await toCandidates();
    const c = only(await act(h, cand, 'callRecord', {}, { user: JL, where: (d) => d.staffId === 'elin-pettersson' && d.outcome === 'accepted' }));
    only(await act(h, only(await act(h, c, 'toConfirm', {}, { user: JL })), 'confirm', {}, { user: JL }));
    await drain();
    assert.equal(tenant.mail().length, 1);
  });

  it('a notice that cannot be sent (no DG address) tells the jourledare and alerts the administrators', async () => {
    await say(h, 'hej', { user: ADMIN }); // the administrator's conversation is known
    assert.equal(await count(db, 'conversation_refs where is_admin'), 1);
    h.adapter.activeQueue.splice(0);
    const search = only(await say(h, 'ny', { user: JL }));
    const results = only(await act(h, search, 'unitSearch', { query: 'kortedala' }, { user: JL }));
    const absence = only(await act(h, results, 'unitPick', {}, { user: JL, where: (d) => d.unitId === '4' }));
    const cand = only(await act(h, absence, 'absenceSubmit', { absentFree: 'Ida Ek', reason: 'vab', start: '21:00', end: '07:00' }, { user: JL }));
    const first = (cardText(cand).match(/1\. ([^\n]+)/) ?? [])[1];
    assert.ok(first, cardText(cand));
    const c = only(await act(h, cand, 'callRecord', {}, { user: JL, where: (d) => d.outcome === 'accepted' }));
    const conf = only(await act(h, c, 'toConfirm', {}, { user: JL }));
    assert.ok(cardText(conf).includes(TEXTS.sv.noDgAddress));
    only(await act(h, conf, 'confirm', {}, { user: JL, replyToId: 'receipt-4' }));
    h.adapter.activeQueue.splice(0);
    await drain();
    const mails = tenant.mail();
    assert.equal(mails.length, 1, 'only the alert to the mailbox');
    assert.deepEqual(mails[0].to, [MAILBOX]);
    assert.match(mails[0].subject, /^Larm: notis TJ-/);
    const sent = h.adapter.activeQueue.splice(0).map((a) => `${a.conversation?.id}|${a.text ?? JSON.stringify(a.attachments)}`);
    const id = (await db.query<{ id: string }>('select id from call_ins')).rows[0].id;
    assert.ok(sent.some((s) => s.includes(TEXTS.sv.deadNoticeUser.replace('{id}', id).replace('{unit}', 'Hemtjänst Kortedala'))), sent.join('\n'));
    assert.ok(sent.some((s) => s.includes(`Larm: notisen TJ-${id}`)), sent.join('\n'));
    assert.ok(JSON.stringify(h.adapter.updates).includes('Mejlet kunde INTE skickas'));
    assert.equal((await h.outbox.counts()).dead, 1);
  });

  it('an unfilled absence reminds the jourledare once, after REMINDER_MINUTES, also after a restart', async () => {
    await toCandidates();
    const reminded: string[] = [];
    const job = () => new ReminderJob({ callIns: h.callIns, clock, send: async (_ref, text) => void reminded.push(text), logger: silent });
    assert.equal(await job().tick(), 0);
    clock.advance(31 * 60_000);
    h.restart();
    assert.equal(await job().tick(), 1);
    assert.equal(await job().tick(), 0);
    assert.equal(reminded.length, 1);
    assert.ok(reminded[0].includes('Hemtjänst Majorna') && reminded[0].includes('inte tillsatt'), reminded[0]);
  });

  it('a reminder whose delivery fails is tried again a minute later, three deliveries at most', async () => {
    await toCandidates();
    let failuresLeft = 1;
    const reminded: string[] = [];
    const job = new ReminderJob({
      callIns: h.callIns,
      clock,
      send: async (_ref, text) => {
        if (failuresLeft-- > 0) {
          throw new Error('connector down');
        }
        reminded.push(text);
      },
      logger: silent
    });
    clock.advance(31 * 60_000);
    assert.equal(await job.tick(), 0, 'the first delivery failed');
    assert.equal(await job.tick(), 0, 'not again before the minute is up');
    clock.advance(61_000);
    assert.equal(await job.tick(), 1, 'delivered on the retry');
    assert.equal(reminded.length, 1);
    clock.advance(10 * 60_000);
    assert.equal(await job.tick(), 0, 'and only once');

    // A reminder that never gets through stops after three deliveries.
    await toCandidates();
    let attempts = 0;
    const never = new ReminderJob({
      callIns: h.callIns,
      clock,
      send: async () => {
        attempts++;
        throw new Error('connector down');
      },
      logger: silent
    });
    clock.advance(31 * 60_000);
    for (let i = 0; i < 6; i++) {
      await never.tick();
      clock.advance(61_000);
    }
    assert.equal(attempts, 3, 'three deliveries at most');
  });

  async function toCandidates(): Promise<Card> {
    const search = only(await say(h, 'ny', { user: JL }));
    const results = only(await act(h, search, 'unitSearch', { query: 'majorna' }, { user: JL }));
    const absence = only(await act(h, results, 'unitPick', {}, { user: JL, where: (d) => d.unitId === '1' }));
    return only(await act(h, absence, 'absenceSubmit', { absent: 'anna-andersson', reason: 'sjuk', start: '21:00', end: '07:00' }, { user: JL }));
  }
});
