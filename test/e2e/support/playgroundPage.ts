/**
 * Page objects for the Microsoft 365 Agents Playground's chat (0.2.x), learnt from its DOM:
 * - the compose box is a Lexical editor, `[role=textbox][contenteditable=true]`, sent with Enter;
 * - a message's header holds `[aria-label="Message author"]` only for the bot's messages;
 * - Adaptive Cards are rendered by the adaptivecards JS renderer with Fluent UI v9 controls: the card
 *   root is `.ac-adaptiveCard`; each input has `<label class="ac-richTextBlock" for=ID>`; Input.Text is
 *   an `<input>`, Input.Date a Fluent DatePicker (a combobox that parses typed text, popup calendar),
 *   Input.Time a Fluent TimePicker (freeform combobox), a compact ChoiceSet a Fluent Combobox whose
 *   popup (a portal at the end of <body>, `aria-controls`) holds `role=option` (single) or
 *   `role=menuitemcheckbox` (multi), an expanded single ChoiceSet a `role=radiogroup` of radios;
 *   actions are `<button title=…>` in `.ac-actionSet`.
 * Open popups make the rest of the page aria-hidden, so inputs are found by their label's `for`, not
 * by accessible role and name.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

export const REPLY_TIMEOUT_MS = 15000;

/** What the Playground's log panel says once it has reached the bot. */
const CONNECTED = /Connected\./;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function asRe(t: string | RegExp): RegExp {
  return typeof t === 'string' ? new RegExp(escapeRe(t)) : t;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) {
        return v;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the user did: card submits (action clicks) and fields filled, for the flow's cost. */
export interface Effort {
  submits: number;
  fields: number;
  typed: number;
}

export class PlaygroundPage {
  readonly effort: Effort = { submits: 0, fields: 0, typed: 0 };
  constructor(public readonly page: Page) {}

  /** Opens the chat and waits until the Playground says it is connected to the bot. */
  static async open(page: Page, url: string, timeoutMs = 30000): Promise<PlaygroundPage> {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    const pg = new PlaygroundPage(page);
    await pg.composeBox().waitFor({ state: 'visible', timeout: timeoutMs });
    await page.getByText(CONNECTED).first().waitFor({ state: 'attached', timeout: timeoutMs });
    return pg;
  }

  composeBox(): Locator {
    return this.page.locator('[role="textbox"][contenteditable="true"]').first();
  }

  /** Every bot message (text or card), oldest first. */
  botMessages(): Locator {
    return this.page.locator('xpath=//div[@aria-label="Message header"][.//*[@aria-label="Message author"]]/..');
  }

  /** Every Adaptive Card in the conversation, oldest first. */
  cards(): Locator {
    return this.page.locator('.ac-adaptiveCard');
  }

  /** Types `text` in the compose box and sends it (Enter). */
  async send(text: string): Promise<void> {
    const box = this.composeBox();
    this.effort.typed += 1;
    await box.click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
    await until(`the compose box to clear after sending "${text}"`, 5000, async () => ((await box.innerText()).trim() === '' ? true : undefined));
  }

  /** Sends `text` and waits for the bot's next message; returns it. */
  async sendAndWaitForReply(text: string, timeoutMs = REPLY_TIMEOUT_MS): Promise<Locator> {
    const before = await this.botMessages().count();
    await this.send(text);
    return this.waitForBotMessage(before, timeoutMs);
  }

  /** Waits until there are more than `before` bot messages; returns the newest. */
  async waitForBotMessage(before: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<Locator> {
    await until(`a bot reply (had ${before} bot messages)`, timeoutMs, async () => ((await this.botMessages().count()) > before ? true : undefined));
    return this.botMessages().last();
  }

  /** Waits for a bot message (any, text or card) containing `text`; returns the newest such. */
  async waitForBotText(text: string | RegExp, timeoutMs = REPLY_TIMEOUT_MS): Promise<Locator> {
    const re = asRe(text);
    const m = this.botMessages().filter({ hasText: re });
    await until(`a bot message matching ${re}`, timeoutMs, async () => ((await m.count()) > 0 ? true : undefined));
    return m.last();
  }

  /**
   * Waits until the newest card contains `text` (a new card, or the last one replaced in place, as
   * an Action.Execute response does); with `anywhere`, any card. Returns it as a {@link Card}.
   */
  async waitForCard(text: string | RegExp, opts: { timeoutMs?: number; anywhere?: boolean } = {}): Promise<Card> {
    const re = asRe(text);
    const timeoutMs = opts.timeoutMs ?? REPLY_TIMEOUT_MS;
    const index = await until(`${opts.anywhere ? 'a' : 'the newest'} card to contain ${re}`, timeoutMs, async () => {
      const n = await this.cards().count();
      if (n === 0) {
        return undefined;
      }
      for (let i = n - 1; i >= (opts.anywhere ? 0 : n - 1); i--) {
        if (re.test(await this.cards().nth(i).innerText())) {
          return i;
        }
      }
      return undefined;
    });
    return new Card(this.page, this.cards().nth(index), this.effort);
  }

  /** The newest card. */
  async lastCard(timeoutMs = REPLY_TIMEOUT_MS): Promise<Card> {
    await this.cards().first().waitFor({ state: 'attached', timeout: timeoutMs });
    return new Card(this.page, this.cards().last(), this.effort);
  }
}

export class Card {
  constructor(
    public readonly page: Page,
    public readonly root: Locator,
    private readonly effort: Effort = { submits: 0, fields: 0, typed: 0 }
  ) {}

  async text(): Promise<string> {
    return this.root.innerText();
  }

  /** The control of the input labelled `label` (via the label's `for`). */
  async input(label: string | RegExp): Promise<Locator> {
    const re = asRe(label);
    const labels = this.root.locator('label.ac-richTextBlock').filter({ hasText: re });
    const n = await labels.count();
    if (n === 0) {
      const all = await this.root.locator('label.ac-richTextBlock').allInnerTexts();
      throw new Error(`no input labelled ${re} on the card; labels: ${JSON.stringify(all)}`);
    }
    if (n > 1) {
      throw new Error(`${n} inputs labelled ${re} on the card: be more specific`);
    }
    const id = await labels.first().getAttribute('for');
    if (!id) {
      throw new Error(`the label ${re} names no control`);
    }
    return this.page.locator(`[id="${id}"]`);
  }

  /** Input.Text (also multi-line). */
  async fillText(label: string | RegExp, value: string): Promise<void> {
    const el = await this.input(label);
    this.effort.fields += 1;
    await el.fill(value);
  }

  /** Input.Date, `YYYY-MM-DD`. The picker parses typed text; its popup is closed afterwards. */
  async fillDate(label: string | RegExp, isoDate: string): Promise<void> {
    const el = await this.input(label);
    this.effort.fields += 1;
    await el.fill(isoDate);
    await el.press('Enter');
    await this.page.keyboard.press('Escape');
    const shown = await el.inputValue();
    if (!shown) {
      throw new Error(`the date picker ${asRe(label)} did not take ${isoDate}`);
    }
  }

  /** Input.Time, `HH:MM` (24 h). */
  async fillTime(label: string | RegExp, hhmm: string): Promise<void> {
    const el = await this.input(label);
    this.effort.fields += 1;
    await el.fill(hhmm);
    await el.press('Enter');
    await this.page.keyboard.press('Escape');
    const shown = await el.inputValue();
    if (!shown) {
      throw new Error(`the time picker ${asRe(label)} did not take ${hhmm}`);
    }
  }

  /**
   * Input.ChoiceSet: picks the choice(s) titled `titles`. Works for the expanded single choice
   * (radios), the compact single choice (combobox, `role=option`) and the multi choice
   * (combobox, `role=menuitemcheckbox`, each title toggled on). Toggle-style checkboxes of the
   * expanded multi choice are ticked.
   */
  async choose(label: string | RegExp, titles: string | string[]): Promise<void> {
    const want = Array.isArray(titles) ? titles : [titles];
    const el = await this.input(label);
    this.effort.fields += 1;
    const role = await el.getAttribute('role');
    if (role === 'radiogroup' || role === 'group' || (await el.locator('input[type=radio],input[type=checkbox]').count()) > 0) {
      for (const t of want) {
        const choice = el.getByLabel(t, { exact: true });
        await choice.check();
      }
      return;
    }
    if (role !== 'combobox') {
      throw new Error(`the input ${asRe(label)} is a ${role ?? (await el.evaluate((e) => e.tagName))}, not a choice set`);
    }
    await el.click();
    const listId = await until('the choice list to open', 5000, async () => (await el.getAttribute('aria-controls')) ?? undefined);
    const list = this.page.locator(`[id="${listId}"]`);
    for (const t of want) {
      const option = list.locator('[role="option"], [role="menuitemcheckbox"]').filter({ hasText: new RegExp(`^\\s*${escapeRe(t)}\\s*$`) });
      const n = await option.count();
      if (n !== 1) {
        const all = await list.locator('[role="option"], [role="menuitemcheckbox"]').allInnerTexts();
        throw new Error(`choice "${t}" of ${asRe(label)}: found ${n}; choices: ${JSON.stringify(all)}`);
      }
      if ((await option.getAttribute('aria-checked')) !== 'true' && (await option.getAttribute('aria-selected')) !== 'true') {
        await option.click();
      }
    }
    if ((await el.getAttribute('aria-expanded')) === 'true') {
      await this.page.keyboard.press('Escape');
    }
  }

  /** The action button titled `title` (exact). */
  action(title: string): Locator {
    return this.root.locator('.ac-actionSet button').filter({ hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`) });
  }

  /** Clicks the action titled `title`; fails if there is not exactly one. */
  async click(title: string): Promise<void> {
    const b = this.action(title);
    const n = await b.count();
    if (n !== 1) {
      const all = await this.root.locator('.ac-actionSet button').allInnerTexts();
      throw new Error(`action "${title}": found ${n}; actions: ${JSON.stringify(all)}`);
    }
    this.effort.submits += 1;
    await b.click();
  }

  /**
   * Clicks the action titled `title` in the innermost container that also shows `scope` (a row of a
   * list card: "Accepted" for one candidate among many).
   */
  async clickIn(scope: string | RegExp, title: string): Promise<void> {
    const exact = new RegExp(`^\\s*${escapeRe(title)}\\s*$`);
    const scopes = this.root
      .locator('.ac-container')
      .filter({ hasText: asRe(scope) })
      .filter({ has: this.page.locator('.ac-actionSet button').filter({ hasText: exact }) });
    const n = await scopes.count();
    if (n === 0) {
      throw new Error(`no part of the card shows ${asRe(scope)} with an action "${title}"`);
    }
    // Document order puts an ancestor before its descendants: the last match is the innermost.
    const buttons = scopes.last().locator('.ac-actionSet button').filter({ hasText: exact });
    const b = await buttons.count();
    if (b !== 1) {
      throw new Error(`${b} actions "${title}" next to ${asRe(scope)}: be more specific`);
    }
    this.effort.submits += 1;
    await buttons.click();
  }

  /** Saves a screenshot of the card alone. */
  async screenshot(file: string): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    await this.root.scrollIntoViewIfNeeded();
    await this.root.screenshot({ path: file });
  }
}

/** Numbered screenshots: test-results/e2e/NN-step.png. */
export class Shots {
  private n = 0;
  readonly files: string[] = [];
  constructor(public readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  next(step: string): string {
    this.n += 1;
    const f = path.join(this.dir, `${String(this.n).padStart(2, '0')}-${step}.png`);
    this.files.push(f);
    return f;
  }
}
