/**
 * The shape of every card submit, checked with zod before anything else: a card's data is user input
 * and can be forged. Shape only; the rules (core/) and the current state (guard.ts) come after.
 */
import { z } from 'zod';
import { VERBS, type ActionData, type Verb } from './types';

const text = (max: number) => z.string().max(max).optional();

const base = z
  .object({
    verb: z.enum(VERBS),
    flowId: z.string().max(64).optional(),
    step: z.string().max(20).optional(),
    rev: z.coerce.number().int().nonnegative().max(1_000_000).optional()
  })
  .passthrough();

const FIELDS: Partial<Record<Verb, z.ZodTypeAny>> = {
  unitSearch: z.object({ query: text(100) }),
  unitPick: z.object({ unitId: z.string().min(1).max(200) }),
  absenceSubmit: z.object({
    absent: text(200),
    absentFree: text(200),
    reason: text(20),
    date: text(20),
    start: text(10),
    end: text(10),
    working: text(5000),
    onLeave: text(5000)
  }),
  callRecord: z.object({ staffId: z.string().min(1).max(200), outcome: z.enum(['accepted', 'declined', 'no_answer']) }),
  correctStart: z.object({ callInId: z.string().min(1).max(20) }),
  cancelStart: z.object({ callInId: z.string().min(1).max(20) }),
  correctSubmit: z.object({
    callInId: z.string().min(1).max(20),
    date: text(20),
    start: text(10),
    end: text(10),
    orderedIn: text(5000),
    reason: text(1000)
  }),
  cancelSubmit: z.object({ callInId: z.string().min(1).max(20), reason: text(1000) })
};

/** Parses an action's data; undefined when it is not a well-formed action of ours. */
export function parseAction(raw: unknown): ActionData | undefined {
  const b = base.safeParse(raw);
  if (!b.success) {
    return undefined;
  }
  const extra = FIELDS[b.data.verb];
  if (extra) {
    const f = extra.safeParse(raw);
    if (!f.success) {
      return undefined;
    }
    return { ...b.data, ...(f.data as object) } as ActionData;
  }
  return b.data as ActionData;
}

/** "a,b , c" → ['a', 'b', 'c'] (multi-select ChoiceSet values). */
export function splitList(v: unknown): string[] {
  if (typeof v !== 'string') {
    return [];
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
