/**
 * Working-time warnings for a person about to be ordered in (seed 002, DESIGN.md §2): the
 * collective agreement allows a combined working time around an on-call shift of at most 20 h,
 * requires the rest directly after to be at least as long as that combined time, and limits work
 * to 48 h per 7 days (on average). The bot only warns; the jourledare decides.
 *
 * Definitions used here (what the bot can know: the shifts it is told about):
 * - **Combined working time**: the proposed shift plus the person's known shifts linked to it by
 *   gaps shorter than a daily rest (11 h by default): working time summed, gaps not counted.
 * - **Rest after**: from the end of that block to the next known shift.
 * - **Last 7 days**: working time in the 7 × 24 h ending when the proposed shift ends.
 * Overlapping intervals are counted once.
 */
import type { Lang } from './model';
import { formatDateTime, formatDuration } from './format';

export interface Interval {
  start: Date;
  end: Date;
}

export type WorkingTimeCode = 'overlap' | 'combined_too_long' | 'short_rest_after' | 'week_too_long';

export interface WorkingTimeWarning {
  code: WorkingTimeCode;
  /** The figure the warning is about, in hours (rounded to minutes). */
  hours: number;
  message: Record<Lang, string>;
}

export interface WorkingTimeOptions {
  /** Default 20 (24 in the agreement's documented exception). */
  maxCombinedHours?: number;
  /** Default 48. */
  maxWeekHours?: number;
  /** Gaps shorter than this link shifts into one block. Default 11 (a daily rest). */
  dailyRestHours?: number;
}

const H = 3_600_000;

function merge(intervals: Interval[]): Array<{ start: number; end: number }> {
  const xs = intervals
    .map((i) => ({ start: i.start.getTime(), end: i.end.getTime() }))
    .filter((i) => Number.isFinite(i.start) && Number.isFinite(i.end) && i.end > i.start)
    .sort((a, b) => a.start - b.start);
  const out: Array<{ start: number; end: number }> = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && x.start <= last.end) {
      last.end = Math.max(last.end, x.end);
    } else {
      out.push({ ...x });
    }
  }
  return out;
}

const hoursOf = (ms: number): number => Math.round(ms / 60_000) / 60;

export function workingTimeWarnings(proposed: Interval, known: Interval[], opts: WorkingTimeOptions = {}): WorkingTimeWarning[] {
  const maxCombined = (opts.maxCombinedHours ?? 20) * H;
  const maxWeek = (opts.maxWeekHours ?? 48) * H;
  const restGap = (opts.dailyRestHours ?? 11) * H;
  const warnings: WorkingTimeWarning[] = [];
  const p = { start: proposed.start.getTime(), end: proposed.end.getTime() };
  if (!(p.end > p.start)) {
    return warnings;
  }

  const overlapping = known.filter((k) => k.start.getTime() < p.end && k.end.getTime() > p.start);
  if (overlapping.length > 0) {
    const o = overlapping[0] as Interval;
    warnings.push({
      code: 'overlap',
      hours: hoursOf(Math.min(o.end.getTime(), p.end) - Math.max(o.start.getTime(), p.start)),
      message: {
        sv: `Personen arbetar redan ${formatDateTime(o.start, 'sv')}–${formatDateTime(o.end, 'sv').split(' kl. ')[1]}, samtidigt som passet.`,
        en: `The person is already working ${formatDateTime(o.start, 'en')}–${formatDateTime(o.end, 'en').split(' at ')[1]}, at the same time as the shift.`
      }
    });
  }

  const all = merge([...known, proposed]);
  // The block: the merged interval holding the proposed shift, extended over short gaps.
  let i = all.findIndex((x) => x.start <= p.start && x.end >= p.end);
  let j = i;
  const gapBefore = (k: number): number => all[k]!.start - all[k - 1]!.end;
  while (i > 0 && gapBefore(i) < restGap) {
    i--;
  }
  while (j < all.length - 1 && gapBefore(j + 1) < restGap) {
    j++;
  }
  const block = all.slice(i, j + 1);
  const combined = block.reduce((s, x) => s + (x.end - x.start), 0);
  if (combined > maxCombined) {
    warnings.push({
      code: 'combined_too_long',
      hours: hoursOf(combined),
      message: {
        sv: `Sammanlagd arbetstid blir ${formatDuration(combined, 'sv')} i följd, mer än ${maxCombined / H} timmar.`,
        en: `Combined working time would be ${formatDuration(combined, 'en')} in a row, more than ${maxCombined / H} hours.`
      }
    });
  }

  const blockEnd = block[block.length - 1]!.end;
  const next = all[j + 1];
  if (next && next.start - blockEnd < combined) {
    const rest = next.start - blockEnd;
    warnings.push({
      code: 'short_rest_after',
      hours: hoursOf(rest),
      message: {
        sv: `Vilan efter blir ${formatDuration(rest, 'sv')}, kortare än den sammanlagda arbetstiden (${formatDuration(combined, 'sv')}).`,
        en: `The rest afterwards would be ${formatDuration(rest, 'en')}, shorter than the combined working time (${formatDuration(combined, 'en')}).`
      }
    });
  }

  const from = p.end - 7 * 24 * H;
  const week = all.reduce((s, x) => s + Math.max(0, Math.min(x.end, p.end) - Math.max(x.start, from)), 0);
  if (week > maxWeek) {
    warnings.push({
      code: 'week_too_long',
      hours: hoursOf(week),
      message: {
        sv: `Arbetstiden de senaste 7 dygnen blir ${formatDuration(week, 'sv')}, mer än ${maxWeek / H} timmar.`,
        en: `Working time over the last 7 days would be ${formatDuration(week, 'en')}, more than ${maxWeek / H} hours.`
      }
    });
  }
  return warnings;
}
