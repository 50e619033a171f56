/**
 * The call-in conversation, in process: [the user does, the bot answers]. Real store (PGlite), real
 * outbox, fake Graph (only what the conversation reads). Every test clicks the buttons of the cards
 * the bot sent; forged data is sent on purpose where the test says so.
 */
import { strict as assert } from 'node:assert';
import type { Db } from '../../store/db';
import { TEXTS } from '../../bot/texts';
import {
  ADMIN,
  OUTSIDER,
  act,
  cardText,
  count,
  fakeGraph,
  fixedClock,
  install,
  makeHarness,
  openStore,
  resetStore,
  say,
  send,
  type BotAnswer,
  type Card,
  type Harness
} from './harness';

/** Tuesday 24 November 2026, 20:14 in Stockholm: jourtid. */
const NIGHT = '2026-11-24T19:14:00Z';
/** Tuesday 24 November 2026, 10:00 in Stockholm: not jourtid. */
const DAY = '2026-11-24T09:00:00Z';
const SHIFT = { date: '2026-11-24', start: '21:00', end: '07:00' };
const ABSENCE = { absent: 'anna-andersson', absentFree: '', reason: 'sjuk', ...SHIFT, working: 'bertil-berg', onLeave: '' };

const sv = TEXTS.sv;
const en = TEXTS.en;

function only(a: BotAnswer): Card {
  assert.equal(a.cards.length, 1, `expected one card, got ${a.cards.length} (texts: ${a.texts.join(' | ')})`);
  return a.cards[0];
}

async function toUnitSearch(h: Harness, locale = 'sv-SE'): Promise<Card> {
  return only(await say(h, locale.startsWith('en') ? 'new' : 'ny', { locale }));
}

async function toAbsence(h: Harness, locale = 'sv-SE'): Promise<Card> {
  const search = await toUnitSearch(h, locale);
  const results = only(await act(h, search, 'unitSearch', { query: 'majorna' }, { locale }));
  return only(await act(h, results, 'unitPick', {}, { locale, where: (d) => d.unitId === '1' }));
}

async function toCandidates(h: Harness, absence: Record<string, unknown> = ABSENCE): Promise<Card> {
  return only(await act(h, await toAbsence(h), 'absenceSubmit', absence));
}

async function toConfirm(h: Harness): Promise<Card> {
  const cand = await toCandidates(h);
  const c1 = only(await act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'no_answer' }));
  const c2 = only(await act(h, c1, 'callRecord', {}, { where: (d) => d.staffId === 'elin-ek' && d.outcome === 'accepted' }));
  return only(await act(h, c2, 'toConfirm'));
}

describe('bot: the call-in conversation (in process)', function () {
  let db: Db;
  let h: Harness;
  let clock: ReturnType<typeof fixedClock>;

  before(async function () {
    this.timeout(60_000);
    db = await openStore();
  });
  after(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetStore(db);
    clock = fixedClock(NIGHT);
    h = makeHarness(db, { clock });
  });

  describe('welcome and help', () => {
    const cases: Array<[string, () => Promise<BotAnswer>, string]> = [
      ['install', () => install(h), sv.welcomeTitle],
      ['"hej"', () => say(h, 'hej'), sv.welcomeTitle],
      ['"hjälp"', () => say(h, 'hjälp'), sv.helpText],
      ['"hello" in English', () => say(h, 'hello', { locale: 'en-US' }), en.welcomeTitle],
      ['"help" in English', () => say(h, 'help', { locale: 'en-US' }), en.helpText]
    ];
    for (const [what, run, expected] of cases) {
      it(`${what} → welcome card`, async () => {
        const card = only(await run());
        assert.ok(cardText(card).includes(expected), cardText(card));
        for (const verb of ['start', 'tonight', 'help']) {
          assert.ok(card.actions?.some((a) => (a as { verb?: string }).verb === verb), verb);
        }
      });
    }
    it('an unknown text → a hint, no card', async () => {
      const a = await say(h, 'vad är klockan');
      assert.deepEqual(a.texts, [sv.unknownCommand]);
    });
  });

  describe('who may use it', () => {
    it('a non-jourledare gets a polite refusal and no staff data, whatever they do', async () => {
      const answers: BotAnswer[] = [];
      answers.push(await install(h, { user: OUTSIDER }));
      answers.push(await say(h, 'ny', { user: OUTSIDER }));
      answers.push(await say(h, 'ikväll', { user: OUTSIDER }));
      answers.push(await say(h, 'logg majorna', { user: OUTSIDER }));
      answers.push(await say(h, 'enhet majorna', { user: OUTSIDER }));
      answers.push(await send(h, { verb: 'unitPick', unitId: '1', flowId: 'x', step: 'unit', rev: 1 }, { user: OUTSIDER }));
      answers.push(await send(h, { verb: 'unitSearch', query: 'majorna', flowId: 'x', step: 'unit', rev: 1 }, { user: OUTSIDER, via: 'submit' }));
      for (const a of answers) {
        assert.equal(a.cards.length, 0);
        assert.deepEqual(a.texts, [sv.notJourledare]);
        const json = JSON.stringify(a.raw);
        for (const secret of ['Anna Andersson', '+4670', 'Majorna']) {
          assert.ok(!json.includes(secret), secret);
        }
      }
      const graph = h.deps.graph as ReturnType<typeof fakeGraph>;
      assert.ok(!graph.calls.some((c) => c.startsWith('staff') || c.startsWith('units')), graph.calls.join(','));
    });
    it('an admin command from a non-admin is refused; from an admin it is delegated', async () => {
      const seen: string[] = [];
      h = makeHarness(db, { clock, adminCommands: async (text) => (seen.push(text), 'ok: ' + text) });
      assert.deepEqual((await say(h, 'synk torrkörning')).texts, [sv.notAdmin]);
      assert.deepEqual(seen, []);
      assert.deepEqual((await say(h, 'synk torrkörning', { user: ADMIN })).texts, ['ok: synk torrkörning']);
      assert.equal(await count(db, 'conversation_refs where is_admin'), 1);
    });
  });

  describe('unit search', () => {
    it('finds units by part of the name, only active ones, as buttons', async () => {
      const search = await toUnitSearch(h);
      const res = only(await act(h, search, 'unitSearch', { query: 'hemtjänst' }));
      const text = cardText(res);
      assert.ok(text.includes('Hemtjänst Majorna') && text.includes('Hemtjänst Linné') && text.includes('Hemtjänst Kortedala'));
      assert.ok(!text.includes('Stängd'));
    });
    it('no hit → says so', async () => {
      const res = only(await act(h, await toUnitSearch(h), 'unitSearch', { query: 'zzz' }));
      assert.ok(cardText(res).includes('Ingen aktiv enhet matchar "zzz"'));
    });
    it('the unit card shows minimum staffing, cooperating units, routine documents', async () => {
      const text = cardText(await toAbsence(h));
      for (const s of ['Hemtjänst Majorna', 'kväll 3 · natt 2', 'Hemtjänst Linné', 'Nyckelrutin.pdf']) {
        assert.ok(text.includes(s), s);
      }
    });
    it('"enhet <namn>" shows a unit\'s instructions and routines outside a call-in', async () => {
      const text = cardText(only(await say(h, 'enhet majorna')));
      for (const s of [sv.unitInfoTitle, 'Hemtjänst Majorna', 'kväll 3 · natt 2', 'Nyckelrutin.pdf']) {
        assert.ok(text.includes(s), s);
      }
      assert.match((await say(h, 'enhet hemtjänst')).texts[0], /^3 träffar: /);
    });
    it('a unit whose staff list cannot be read says so clearly', async () => {
      const res = only(await act(h, await toUnitSearch(h), 'unitSearch', { query: 'kortedala' }));
      const abs = only(await act(h, res, 'unitPick', {}, { where: (d) => d.unitId === '4' }));
      assert.ok(cardText(abs).includes(sv.staffListUnusable));
      assert.ok(cardText(abs).includes('Personallistan kunde inte läsas.'));
    });
  });

  describe('validation (server side, core rules)', () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['nobody absent', { absent: '', absentFree: '' }, 'Ange vem som är frånvarande.', 'Say who is absent.'],
      ['no reason', { reason: '' }, 'Välj orsak', 'Choose the reason'],
      ['no date', { date: '' }, 'Datumet ska skrivas ÅÅÅÅ-MM-DD.', 'The date must be YYYY-MM-DD.'],
      ['no start', { start: '' }, 'Starttiden ska skrivas TT:MM', 'The start time must be HH:MM'],
      ['too long shift', { start: '21:00', end: '20:00' }, 'högst 16 timmar', 'at most 16 hours'],
      ['date out of window', { date: '2026-12-31' }, 'Datumet måste vara mellan 2026-11-23 och 2026-12-08.', 'The date must be between 2026-11-23 and 2026-12-08.'],
      ['shift outside jourtid', { start: '08:00', end: '16:00' }, 'Passet börjar inte på jourtid', 'The shift does not start in jourtid'],
      ['absent also working', { working: 'anna-andersson' }, 'Den frånvarande kan inte stå bland', 'The absent person cannot be listed']
    ];
    for (const [what, change, svText, enText] of cases) {
      for (const [locale, expected] of [['sv-SE', svText], ['en-US', enText]] as const) {
        it(`${what} (${locale}) → the same card with "${expected}", still at the absence step`, async () => {
          const abs = await toAbsence(h, locale);
          const again = only(await act(h, abs, 'absenceSubmit', { ...ABSENCE, ...change }, { locale }));
          assert.ok(cardText(again).includes(expected), cardText(again));
          assert.ok(again.actions?.some((a) => (a as { verb?: string }).verb === 'absenceSubmit'));
          assert.equal(await count(db, 'callin_reminders'), 0);
        });
      }
    }
    it('a shift that passes midnight is fine (21:00–07:00)', async () => {
      const cand = await toCandidates(h);
      assert.ok(cardText(cand).includes(sv.candidatesTitle));
    });
  });

  describe('candidates', () => {
    it('own unit first, then cooperating; no timanställd, absent or working; tel links; minimum staffing', async () => {
      const cand = await toCandidates(h);
      const text = cardText(cand);
      assert.ok(text.indexOf('David Dahl') < text.indexOf('Fatima Fors'));
      for (const gone of ['1. Anna Andersson', 'Bertil Berg', 'Cecilia Carlsson']) {
        assert.ok(!text.match(new RegExp(`\\d\\. ${gone.replace(/^\d\. /, '')}`)), gone);
      }
      assert.ok(text.includes('Samarbetande: Hemtjänst Linné'));
      assert.ok(JSON.stringify(cand).includes('"url":"tel:+46701740608"'));
      assert.ok(text.includes('Minimibemanning natt: 2, arbetar: 1 – 1 saknas.'));
      assert.ok(text.includes(sv.noPhone), 'Elin Ek has no phone');
    });
    it('recording calls shows them, and minimum staffing is met once someone accepted', async () => {
      const cand = await toCandidates(h);
      const c1 = only(await act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'declined' }));
      const c2 = only(await act(h, c1, 'callRecord', {}, { where: (d) => d.staffId === 'fatima-fors' && d.outcome === 'accepted' }));
      const text = cardText(c2);
      assert.ok(text.includes('David Dahl') && text.includes('Tackade nej') && text.includes('Tackade ja'));
      assert.ok(text.includes('minimibemanningen är uppfylld'));
    });
    it('to confirmation needs someone who accepted', async () => {
      const a = await act(h, await toCandidates(h), 'toConfirm');
      assert.deepEqual(a.texts, [sv.needAccepted]);
    });
    it('a working-time warning shows for someone already ordered in to an adjacent shift', async () => {
      await act(h, await toConfirm(h), 'confirm');
      // A second absence the next evening: Elin Ek worked 21–07 and would start again at 13:00.
      const cand = await toCandidates(h, { ...ABSENCE, absent: 'david-dahl', date: '2026-11-25', start: '16:30', end: '07:00', working: '' });
      assert.ok(cardText(cand).includes('⚠'), cardText(cand));
    });
  });

  describe('forged, stale, replayed, double-clicked', () => {
    it('a forged unit id → clear message, nothing changes', async () => {
      const res = only(await act(h, await toUnitSearch(h), 'unitSearch', { query: 'majorna' }));
      for (const unitId of ['999', '3', "1' or 1=1"]) {
        const a = await act(h, res, 'unitPick', { unitId });
        assert.deepEqual(a.texts, [sv.forgedUnit]);
      }
      // The real button still works: the state did not move.
      const abs = only(await act(h, res, 'unitPick', {}, { where: (d) => d.unitId === '1' }));
      assert.ok(cardText(abs).includes(sv.absenceTitle));
    });
    it('a forged staff id (absent, working, candidate) → clear message, nothing changes', async () => {
      const abs = await toAbsence(h);
      for (const change of [{ absent: 'nobody-here' }, { working: 'bertil-berg,ghost' }, { onLeave: 'fatima-fors' }]) {
        assert.deepEqual((await act(h, abs, 'absenceSubmit', { ...ABSENCE, ...change })).texts, [sv.forgedStaff]);
      }
      const cand = only(await act(h, abs, 'absenceSubmit', ABSENCE));
      for (const staffId of ['cecilia-carlsson', 'anna-andersson', 'bertil-berg', 'ghost']) {
        const a = await act(h, cand, 'callRecord', { staffId }, { where: (d) => d.outcome === 'accepted' });
        assert.deepEqual(a.texts, [sv.forgedStaff], staffId);
      }
      assert.equal(await count(db, 'call_ins'), 0);
    });
    it('malformed card data → clear message', async () => {
      for (const data of [{ verb: 'nope' }, { verb: 'callRecord', staffId: 'x', outcome: 'maybe' }, { verb: 'unitPick' }]) {
        assert.deepEqual((await send(h, data)).texts, [sv.badInput]);
      }
    });
    it('a stale card (an earlier step) → clear message, the flow stays where it is', async () => {
      const abs = await toAbsence(h);
      const cand = only(await act(h, abs, 'absenceSubmit', ABSENCE));
      // The absence card again (e.g. an old copy on another device).
      assert.deepEqual((await act(h, abs, 'absenceSubmit', { ...ABSENCE, absent: 'david-dahl' })).texts, [sv.staleCard]);
      assert.ok(cardText(only(await act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'accepted' }))).includes('Tackade ja'));
    });
    it('a double click on a call button records one call', async () => {
      const cand = await toCandidates(h);
      const [a, b] = await Promise.all([
        act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'accepted' }),
        act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'accepted' })
      ]);
      const texts = [...a.texts, ...b.texts];
      assert.equal(a.cards.length + b.cards.length, 1);
      assert.deepEqual(texts, [sv.staleCard]);
    });
    it('a double click on confirm stores one call-in and queues one notice', async () => {
      const conf = await toConfirm(h);
      const [a, b] = await Promise.all([act(h, conf, 'confirm'), act(h, conf, 'confirm')]);
      assert.equal(a.cards.length + b.cards.length, 1);
      assert.equal([...a.texts, ...b.texts].length, 1);
      assert.match([...a.texts, ...b.texts][0], /redan bekräftad \(TJ-[A-Z0-9]+\)/);
      assert.equal(await count(db, 'call_ins'), 1);
      assert.equal(await count(db, 'outbox'), 1);
    });
    it('a replayed confirm (same card later, also after a restart) → "already confirmed", nothing new', async () => {
      const conf = await toConfirm(h);
      const receipt = only(await act(h, conf, 'confirm'));
      assert.ok(cardText(receipt).includes(sv.receiptTitle));
      assert.ok(!JSON.stringify(receipt).includes('"verb":"confirm"'), 'the receipt cannot be confirmed again');
      const id = (await db.query<{ id: string }>('select id from call_ins')).rows[0].id;
      for (const via of ['execute', 'submit'] as const) {
        assert.deepEqual((await act(h, conf, 'confirm', {}, { via })).texts, [sv.alreadyConfirmed.replace('{id}', id)]);
      }
      await say(h, 'ny'); // a new flow: the old card is still recognised as confirmed
      h.restart();
      assert.deepEqual((await act(h, conf, 'confirm')).texts, [sv.alreadyConfirmed.replace('{id}', id)]);
      assert.equal(await count(db, 'call_ins'), 1);
      assert.equal(await count(db, 'outbox'), 1);
    });
  });

  describe('confirm', () => {
    it('stores the call-in and queues its notice in one transaction; the card becomes a receipt', async () => {
      const conf = await toConfirm(h);
      const text = cardText(conf);
      for (const s of ['Hemtjänst Majorna', 'Anna Andersson', 'Elin Ek', 'Bertil Berg', 'hemtjanst.majorna@goteborg.example', 'kl. 21:00–07:00']) {
        assert.ok(text.includes(s), s);
      }
      const receipt = only(await act(h, conf, 'confirm', {}, { replyToId: 'msg-42' }));
      assert.ok(cardText(receipt).includes('Skickat 20:14 till hemtjanst.majorna@goteborg.example'), cardText(receipt));
      const row = (await h.callIns.search('1'))[0];
      assert.equal(row.status, 'confirmed');
      assert.equal(row.receiptActivityId, 'msg-42');
      assert.deepEqual(row.orderedIn.map((p) => p.name), ['Elin Ek']);
      assert.equal(row.calls.length, 2);
      assert.equal(row.decidedById, 'aad-jourledare-1');
      const ob = await h.outbox.get(`notice:${row.id}:new`);
      assert.equal(ob?.kind, 'notice');
      assert.ok(!JSON.stringify(ob?.payload).includes('+46'), 'no phone numbers in the notice');
      assert.equal(await h.callIns.reminderStatus(row.flowId), 'resolved');
    });
    it('the Action.Submit fallback drives the same flow (message with value, card updated in place)', async () => {
      const search = await toUnitSearch(h);
      const res = only(await act(h, search, 'unitSearch', { query: 'majorna' }, { via: 'submit' }));
      const abs = only(await act(h, res, 'unitPick', {}, { via: 'submit', where: (d) => d.unitId === '1' }));
      assert.ok(cardText(abs).includes(sv.absenceTitle));
    });
  });

  describe('jourtid', () => {
    it('outside jourtid (production) → the refusal, no flow', async () => {
      clock.set(DAY);
      const a = only(await say(h, 'ny'));
      assert.ok(cardText(a).includes(sv.outsideJourtid));
      assert.ok(!JSON.stringify(a).includes('unitSearch'));
    });
    it('outside jourtid (local mode) → a warning, and the flow goes on', async () => {
      clock.set(DAY);
      h = makeHarness(db, { clock, enforceJourtid: false });
      const search = only(await say(h, 'ny'));
      assert.ok(cardText(search).includes(sv.outsideJourtidWarning));
      const res = only(await act(h, search, 'unitSearch', { query: 'majorna' }));
      const abs = only(await act(h, res, 'unitPick', {}, { where: (d) => d.unitId === '1' }));
      const cand = only(await act(h, abs, 'absenceSubmit', { ...ABSENCE, start: '08:00', end: '16:00' }));
      assert.ok(cardText(cand).includes(sv.shiftOutsideJourtidWarning));
    });
  });

  describe('restart mid-flow', () => {
    it('a new bot instance on the same store resumes at the same step', async () => {
      const cand = await toCandidates(h);
      const c1 = only(await act(h, cand, 'callRecord', {}, { where: (d) => d.staffId === 'david-dahl' && d.outcome === 'no_answer' }));
      h.restart();
      const c2 = only(await act(h, c1, 'callRecord', {}, { where: (d) => d.staffId === 'elin-ek' && d.outcome === 'accepted' }));
      assert.ok(cardText(c2).includes('Svarar inte'), 'the call recorded before the restart is still there');
      const conf = only(await act(h, c2, 'toConfirm'));
      only(await act(h, conf, 'confirm'));
      assert.equal(await count(db, 'call_ins'), 1);
    });
  });

  describe('after: tonight, log, correction, cancellation', () => {
    async function confirmed(): Promise<string> {
      only(await act(h, await toConfirm(h), 'confirm'));
      return (await db.query<{ id: string }>('select id from call_ins')).rows[0].id;
    }

    it('"ikväll" lists tonight\'s call-ins; an empty night says so', async () => {
      assert.ok(cardText(only(await say(h, 'ikväll'))).includes('Inga inkallelser sedan 2026-11-24 16:30.'));
      const id = await confirmed();
      const text = cardText(only(await say(h, 'ikväll')));
      assert.ok(text.includes(`TJ-${id}`) && text.includes('Hemtjänst Majorna') && text.includes('Elin Ek'), text);
    });
    it('"logg <enhet> [datum]" finds by unit and date', async () => {
      const id = await confirmed();
      assert.ok(cardText(only(await say(h, 'logg majorna 2026-11-24'))).includes(`TJ-${id}`));
      assert.ok(cardText(only(await say(h, 'logg Hemtjänst Majorna'))).includes(`TJ-${id}`));
      assert.ok(cardText(only(await say(h, 'logg majorna 2026-11-20'))).includes(sv.logNone));
      assert.ok(cardText(only(await say(h, 'logg linné'))).includes(sv.logNone));
      assert.deepEqual((await say(h, 'logg')).texts, [sv.logUsage]);
    });
    it('a correction needs a reason, is logged, and queues exactly one follow-up notice', async () => {
      const id = await confirmed();
      const list = only(await say(h, 'ikväll'));
      const form = only(await act(h, list, 'correctStart'));
      const noReason = only(await act(h, form, 'correctSubmit', { end: '06:00', reason: '' }));
      assert.ok(cardText(noReason).includes(sv.reasonRequired));
      const saved = only(await act(h, form, 'correctSubmit', { end: '06:00', reason: 'Passet slutar 06:00' }));
      assert.ok(cardText(saved).includes(sv.correctionSaved.replace('{id}', id)));
      // The same form again (double click / replay): stale, nothing new.
      assert.deepEqual((await act(h, form, 'correctSubmit', { end: '05:00', reason: 'igen' })).texts, [sv.staleCard]);
      const rec = await h.callIns.get(id);
      assert.equal(rec?.status, 'corrected');
      assert.equal(rec?.endTime, '06:00');
      const events = await h.callIns.events(id);
      assert.deepEqual(events.map((e) => e.kind), ['created', 'corrected']);
      assert.equal(events[1].reason, 'Passet slutar 06:00');
      const keys = (await db.query<{ idempotency_key: string }>('select idempotency_key from outbox order by id')).rows.map((r) => r.idempotency_key);
      assert.deepEqual(keys, [`notice:${id}:new`, `notice:${id}:v2:correction`]);
    });
    it('a cancellation needs a reason and queues exactly one follow-up notice; a second is refused', async () => {
      const id = await confirmed();
      const list = only(await say(h, 'ikväll'));
      const form = only(await act(h, list, 'cancelStart'));
      assert.ok(cardText(only(await act(h, form, 'cancelSubmit', { reason: ' ' }))).includes(sv.reasonRequired));
      assert.ok(cardText(only(await act(h, form, 'cancelSubmit', { reason: 'Frånvaron återtagen' }))).includes(sv.cancelSaved.replace('{id}', id)));
      assert.deepEqual((await act(h, form, 'cancelSubmit', { reason: 'igen' })).texts, [sv.alreadyCancelled]);
      assert.deepEqual((await act(h, list, 'correctStart')).texts, [sv.alreadyCancelled]);
      assert.equal((await h.callIns.get(id))?.status, 'cancelled');
      assert.equal(await count(db, `outbox where idempotency_key = 'notice:${id}:cancellation'`), 1);
      assert.equal(await count(db, 'outbox'), 2);
    });
    it('a forged person in a correction → clear message', async () => {
      await confirmed();
      const form = only(await act(h, only(await say(h, 'ikväll')), 'correctStart'));
      assert.deepEqual((await act(h, form, 'correctSubmit', { orderedIn: 'cecilia-carlsson', reason: 'x' })).texts, [sv.forgedStaff]);
    });
  });

  describe('English', () => {
    it('the whole flow speaks English when the client locale is English', async () => {
      const abs = await toAbsence(h, 'en-US');
      assert.ok(cardText(abs).includes(en.absenceTitle) && cardText(abs).includes(en.reasonSick));
      const cand = only(await act(h, abs, 'absenceSubmit', ABSENCE, { locale: 'en-US' }));
      const text = cardText(cand);
      assert.ok(text.includes(en.candidatesTitle) && text.includes('Minimum staffing (night): 2'), text);
      assert.ok(text.includes('Tuesday 24 November 2026, 21:00–07:00'), text);
    });
  });

  describe('cancel the flow', () => {
    it('"avbryt" ends the flow and its reminder; with no flow it says so', async () => {
      await toCandidates(h);
      assert.equal(await count(db, `callin_reminders where status = 'pending'`), 1);
      assert.ok(cardText(only(await say(h, 'avbryt'))).includes(sv.flowCancelled));
      assert.equal(await count(db, `callin_reminders where status = 'pending'`), 0);
      assert.ok(cardText(only(await say(h, 'avbryt'))).includes(sv.noFlow));
    });
  });
});
