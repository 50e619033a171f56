/**
 * End to end (DESIGN §10): a jourledare's whole call-in, driven through the Microsoft 365 Agents
 * Playground's web UI in headless Chromium against the bot in local mode on the demo tenant; then the
 * local tenant's mailbox must hold exactly one notice, with the right content.
 * Screenshots of every card: test-results/e2e/NN-step.png.
 *
 * The demo case (dev/tenant-data): Hemtjänst Majorna, the night shift Tuesday 1 December 2026
 * 21:45–07:00; Anna Andersson is sick, Kerstin Larsson already works the shift; the first candidate
 * (Elin Pettersson) does not answer, the second (Nadia Jönsson) accepts. The bot's clock starts at
 * 21:30 that evening (CLOCK_START), so the run does not depend on the time of day.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocal, type LocalRun } from '../../dev/start';
import { langOf, TEXTS, type TextKey } from '../../bot/texts';
import { launchBrowser, requireChromium, type Browser } from './support/browser';
import { PlaygroundPage, Shots } from './support/playgroundPage';

const SHOTS_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'e2e');
const CLOCK_START = '2026-12-01T21:30:00+01:00';

const DEMO = {
  unitQuery: 'Majorna',
  unit: 'Hemtjänst Majorna',
  absent: 'Anna Andersson',
  alreadyWorking: 'Kerstin Larsson',
  date: '2026-12-01',
  start: '21:45',
  end: '07:00',
  noAnswer: 'Elin Pettersson',
  accepts: 'Nadia Jönsson',
  jourledare: 'Jourledare Ett'
};

/** The unit's DG address as the demo tenant's units list has it. */
function dgAddressOf(unit: string): string {
  const seed = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'dev', 'tenant-data', 'tenant.json'), 'utf8')) as {
    unitsList: { items: Array<{ Title: string; DGAdress?: string }> };
  };
  const dg = seed.unitsList.items.find((u) => u.Title === unit)?.DGAdress;
  assert.ok(dg, `the demo tenant has no DG address for ${unit}`);
  return dg;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The bot answers in the language of the client's locale; the Playground always sends en-US.
// npm start answers in Swedish (BOT_LOCALE=sv-SE) although the Playground sends en-US.
const lang = langOf('sv-SE');
const T = (key: TextKey): string => TEXTS[lang][key];
/** A text of the bot as a pattern: `{placeholders}` match anything. */
const TRe = (key: TextKey): RegExp => new RegExp(T(key).split(/\{[a-zA-Z]+\}/).map(escapeRe).join('.+?'));

describe('end to end: a call-in through the Agents Playground in headless Chromium (skipped outside CI when /usr/bin/chromium is missing; CI fails instead)', function () {
  this.timeout(150000);
  let dataDir: string | undefined;
  let run: LocalRun | undefined;
  let browser: Browser | undefined;
  let pg: PlaygroundPage;
  const shots = new Shots(SHOTS_DIR);

  before(async function () {
    requireChromium(this, 'end-to-end suite');
    rmSync(SHOTS_DIR, { recursive: true, force: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tj-e2e-data-'));
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'error', NODE_ENV: 'test' };
    delete env.DATABASE_URL; // the embedded store in a fresh folder, whatever the shell has
    run = await startLocal({ dataDir, tenantPort: 0, botPort: 0, playground: true, playgroundPort: 0, clockStart: CLOCK_START, env });
    browser = await launchBrowser([run.playgroundUrl!, run.tenant.url]);
    pg = await PlaygroundPage.open(browser.page, run.playgroundUrl!);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const file = path.join(SHOTS_DIR, 'failure.png');
      await browser.page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.log(`    screenshot of the failure: ${file}${run?.playground ? `; Playground log: ${run.playground.logFile}` : ''}`);
    }
  });

  after(async () => {
    await browser?.close();
    await run?.stop();
    if (dataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the Playground chats as the demo tenant\'s jourledare, pointed at the bot', () => {
    assert.ok(run);
    const jourledare = run.tenant.state.userByMail('jourledare1@goteborg.example');
    assert.ok(jourledare);
    assert.equal(run.chatUser.aadObjectId, jourledare.id);
    const yml = readFileSync(run.playground!.configFile, 'utf8');
    assert.match(yml, new RegExp(`aadObjectId: "${jourledare.id}"`));
    assert.match(yml, new RegExp(`tenantId: "${run.tenant.state.tenantId}"`));
  });

  it('a jourledare reports an absence, orders staff in, and the unit gets exactly one notice', async () => {
    assert.ok(run);
    const dg = dgAddressOf(DEMO.unit);

    // Welcome (on "hej").
    // The install welcome may already be on screen: wait for the reply to "hej" itself (one more
    // welcome card), so that every later step works on the newest card.
    const welcomes = pg.cards().filter({ hasText: T('welcomeTitle') });
    const before = await welcomes.count();
    await pg.send('hej');
    for (const until = Date.now() + 15_000; (await welcomes.count()) <= before; ) {
      assert.ok(Date.now() < until, 'no welcome card in reply to "hej"');
      await new Promise((r) => setTimeout(r, 100));
    }
    let card = await pg.waitForCard(T('welcomeTitle'));
    await card.screenshot(shots.next('welcome'));
    const effortFrom = { ...pg.effort };

    // Unit: search by name, pick.
    await card.click(T('btnNew'));
    card = await pg.waitForCard(T('unitTitle'));
    await card.screenshot(shots.next('unit-search'));
    await card.fillText(T('unitSearchLabel'), DEMO.unitQuery);
    await card.click(T('btnSearch'));
    card = await pg.waitForCard(new RegExp(`${escapeRe(T('unitTitle'))}[\\s\\S]*${escapeRe(DEMO.unit)}`));
    await card.screenshot(shots.next('unit-results'));
    await card.click(DEMO.unit);

    // Absence: the unit's instructions on top, then who, why, when, who is already there.
    card = await pg.waitForCard(T('absentLabel'));
    const absenceText = await card.text();
    assert.match(absenceText, new RegExp(escapeRe(DEMO.unit)));
    assert.match(absenceText, new RegExp(escapeRe(T('minimumStaffing'))));
    assert.match(absenceText, new RegExp(escapeRe(T('cooperatingUnits'))));
    await card.screenshot(shots.next('absence'));
    await card.choose(T('absentLabel'), DEMO.absent);
    await card.choose(T('reasonLabel'), T('reasonSick'));
    await card.fillDate(T('dateLabel'), DEMO.date);
    await card.fillTime(new RegExp(`^\\s*${escapeRe(T('startLabel'))}`), DEMO.start);
    await card.fillTime(new RegExp(`^\\s*${escapeRe(T('endLabel'))}`), DEMO.end);
    await card.choose(T('workingLabel'), [DEMO.alreadyWorking]);
    await card.screenshot(shots.next('absence-filled'));
    await card.click(T('btnContinue'));

    // Candidates: call in order, record each call.
    card = await pg.waitForCard(T('candidatesTitle'));
    const candidatesText = await card.text();
    assert.match(candidatesText, /1 december 2026|December 1, 2026|1 December 2026/);
    assert.match(candidatesText, /21:45\s*–\s*07:00/);
    assert.ok(!candidatesText.includes(DEMO.alreadyWorking), 'one who already works the shift is no candidate');
    assert.ok(candidatesText.indexOf(DEMO.noAnswer) < candidatesText.indexOf(DEMO.accepts), 'candidates in call order');
    await card.screenshot(shots.next('candidates'));
    await card.clickIn(DEMO.noAnswer, T('btnNoAnswer'));
    card = await pg.waitForCard(new RegExp(`\\d\\d:\\d\\d ${escapeRe(DEMO.noAnswer)}`));
    await card.clickIn(DEMO.accepts, T('btnAccepted'));
    card = await pg.waitForCard(new RegExp(`\\d\\d:\\d\\d ${escapeRe(DEMO.accepts)}`));
    await card.screenshot(shots.next('candidates-called'));
    await card.click(T('btnToConfirm'));

    // Confirm: the summary, and where the mail goes.
    card = await pg.waitForCard(T('confirmTitle'));
    const confirmText = await card.text();
    for (const s of [DEMO.unit, DEMO.absent, DEMO.accepts, DEMO.alreadyWorking, dg, DEMO.jourledare]) {
      assert.ok(confirmText.includes(s), `the confirm card shows ${s}`);
    }
    await card.screenshot(shots.next('confirm'));
    await card.click(T('btnConfirm'));

    // Receipt; the bot updates it once the mail has gone.
    card = await pg.waitForCard(T('receiptTitle'));
    await pg.waitForCard(TRe('receiptSent'), { anywhere: true, timeoutMs: 30000 });
    card = await pg.waitForCard(T('receiptTitle'), { anywhere: true });
    const receiptText = await card.text();
    const ref = /TJ-([A-Z0-9]+)/.exec(receiptText)?.[1];
    assert.ok(ref, `the receipt shows a reference: ${receiptText}`);
    assert.equal(await card.action(T('btnConfirm')).count(), 0, 'the receipt cannot be submitted again');
    await card.screenshot(shots.next('receipt'));
    const effort = { submits: pg.effort.submits - effortFrom.submits, fields: pg.effort.fields - effortFrom.fields };
    console.log(`    from "${T('btnNew')}" to the sent notice: ${effort.submits} card submits, ${effort.fields} fields filled`);

    // The mailbox: exactly one notice, to the unit's DG address, with the right content.
    const mail = run.tenant.mail();
    assert.equal(mail.length, 1, `exactly one mail in the local mailbox, got ${mail.length}`);
    const m = mail[0]!;
    assert.deepEqual(m.to, [dg]);
    assert.equal(m.from, 'trygghetsjouren@goteborg.example');
    assert.match(m.subject, new RegExp(escapeRe(DEMO.unit)));
    assert.match(m.subject, /1 december 2026/);
    assert.match(m.subject, /21:45–07:00/);
    assert.match(m.subject, new RegExp(`TJ-${ref}`));
    for (const s of [DEMO.unit, DEMO.absent, DEMO.accepts, DEMO.jourledare, ref]) {
      assert.ok(m.body.content.includes(s), `the notice's body has ${s}`);
    }
    assert.ok(!m.body.content.includes(DEMO.noAnswer), 'one who did not answer is not in the notice');
    assert.ok(
      m.internetMessageHeaders.some((h) => h.value === ref),
      'the notice carries the call-in in a header'
    );

    // The same through the mailbox page, as a person sees it.
    const page = browser!.page;
    const overHttp = (await (await fetch(run.mailboxUrl, { headers: { accept: 'application/json' } })).json()) as { count: number; value: Array<{ subject: string }> };
    assert.equal(overHttp.count, 1);
    assert.equal(overHttp.value[0]!.subject, m.subject);
    await page.goto(run.mailboxUrl);
    await page.getByText(m.subject).first().waitFor({ timeout: 10000 });
    assert.equal(await page.locator('article').count(), 1, 'one notice on the mailbox page');
    await page.screenshot({ path: shots.next('mailbox'), fullPage: true });
  });
});
