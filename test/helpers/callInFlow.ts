/**
 * A jourledare's whole call-in over the simulated channel, by clicking the buttons of the cards the
 * bot sent (the demo tenant's Hemtjänst Majorna): "ny" → unit search → unit → absence → a call that
 * is accepted → to confirmation → confirm → receipt. Used by the crash and fault suites and the
 * turn-cost benchmark.
 */
import { cardText, onlyCard, type BotAnswer, type Card, type ChatUser } from './channel';
import { JOURLEDARE1, JOURLEDARE2, userId } from '../../dev/tenant/demoIds';

export const DEMO_JOURLEDARE = [
  { aadObjectId: userId(JOURLEDARE1), name: 'Jourledare Ett' },
  { aadObjectId: userId(JOURLEDARE2), name: 'Jourledare Två' }
];

/** Tuesday 24 November 2026, 20:14 in Stockholm: jourtid (the bots' CLOCK_START). */
export const NIGHT_CLOCK = '2026-11-24T20:14:00+01:00';

export const ABSENCE = { absent: 'anna-andersson', reason: 'sjuk', start: '21:00', end: '07:00' };

export interface TurnTiming {
  step: string;
  ms: number;
}

export interface CallInResult {
  /** The call-in id (TJ-… without the prefix). */
  id: string;
  /** How it ended: a receipt card, or "already confirmed" after a replay. */
  via: 'receipt' | 'alreadyConfirmed';
  turns: TurnTiming[];
}

export class FlowError extends Error {
  constructor(
    message: string,
    readonly step: string,
    readonly answer?: BotAnswer
  ) {
    super(message);
  }
}

/** The call-in id in a receipt card or an "already confirmed (TJ-…)" text. */
export function callInIdOf(a: BotAnswer): string | undefined {
  const m = /TJ-([A-Za-z0-9]+)/.exec(JSON.stringify([a.cards, a.texts]));
  return m?.[1];
}

type Step = { name: string; run: (card: Card | undefined) => Promise<BotAnswer> };

/**
 * Runs one call-in. Every step must answer with exactly one card; the confirm step may instead
 * answer "already confirmed" (a replay after a lost answer).
 * @throws FlowError (with the step) when an answer is not what the flow expects, or the request fails.
 */
export async function runCallIn(user: ChatUser, opts: FlowOptions = {}): Promise<CallInResult> {
  const { card, turns } = await toConfirm(user, opts);
  const a = await confirmCard(user, card);
  turns.push({ step: 'confirm', ms: a.answer.ms });
  return { id: a.id, via: a.via, turns };
}

export interface FlowOptions {
  unitQuery?: string;
  unitId?: string;
  absence?: Record<string, unknown>;
}

/** The steps before confirming: returns the confirmation card. */
export async function toConfirm(user: ChatUser, opts: FlowOptions = {}): Promise<{ card: Card; turns: TurnTiming[] }> {
  const turns: TurnTiming[] = [];
  const steps: Step[] = [
    { name: 'ny', run: () => user.say('ny') },
    { name: 'unitSearch', run: (c) => user.act(c!, 'unitSearch', { query: opts.unitQuery ?? 'majorna' }) },
    { name: 'unitPick', run: (c) => user.act(c!, 'unitPick', {}, (d) => d.unitId === (opts.unitId ?? '1')) },
    { name: 'absenceSubmit', run: (c) => user.act(c!, 'absenceSubmit', opts.absence ?? ABSENCE) },
    { name: 'callRecord', run: (c) => user.act(c!, 'callRecord', {}, (d) => d.outcome === 'accepted') },
    { name: 'toConfirm', run: (c) => user.act(c!, 'toConfirm') }
  ];
  let card: Card | undefined;
  for (const s of steps) {
    const a = await step(s.name, () => s.run(card));
    turns.push({ step: s.name, ms: a.ms });
    try {
      card = onlyCard(a, s.name);
    } catch (err) {
      throw new FlowError((err as Error).message, s.name, a);
    }
  }
  return { card: card!, turns };
}

async function step(name: string, run: () => Promise<BotAnswer>): Promise<BotAnswer> {
  let a: BotAnswer;
  try {
    a = await run();
  } catch (err) {
    throw new FlowError(`${name}: ${(err as Error).message}`, name);
  }
  if (a.status >= 400) {
    throw new FlowError(`${name}: HTTP ${a.status} ${a.body.slice(0, 200)}`, name, a);
  }
  return a;
}

/** Clicks confirm; a receipt or "already confirmed" both carry the id. */
export async function confirmCard(user: ChatUser, card: Card): Promise<{ id: string; via: CallInResult['via']; answer: BotAnswer }> {
  const a = await step('confirm', () => user.act(card, 'confirm'));
  const id = callInIdOf(a);
  if (!id) {
    throw new FlowError(`confirm: no call-in id in the answer: ${a.texts.join(' | ')} ${a.cards.map(cardText).join(' | ').slice(0, 300)}`, 'confirm', a);
  }
  return { id, via: a.cards.length === 1 ? 'receipt' : 'alreadyConfirmed', answer: a };
}
