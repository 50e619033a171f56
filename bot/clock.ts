/**
 * The bot's clock. Production: the system clock. Local mode may start it at a chosen instant
 * (CLOCK_START) from which it runs on in real time, so a demo by day behaves as at night.
 */
import type { Clock } from '../core/model';

export const systemClock: Clock = { now: () => new Date() };

/** A clock that reads `startAt` when created and then advances with real time. */
export function offsetClock(startAt: string | Date | undefined, realNow: () => number = Date.now): Clock {
  if (startAt === undefined) {
    return { now: () => new Date(realNow()) };
  }
  const start = typeof startAt === 'string' ? new Date(startAt) : startAt;
  if (Number.isNaN(start.getTime())) {
    throw new RangeError(`CLOCK_START is not a valid instant: ${String(startAt)}`);
  }
  const offset = start.getTime() - realNow();
  return { now: () => new Date(realNow() + offset) };
}

/** The holiday options from EXTRA_HOLIDAYS: the three named eves, and any YYYY-MM-DD dates. */
export function calendarFromConfig(extraHolidays: string[]): { midsommarafton: boolean; julafton: boolean; nyarsafton: boolean; extraDates: string[] } {
  const names = new Set(extraHolidays.map((s) => s.trim().toLowerCase().replace('å', 'a')));
  return {
    midsommarafton: names.has('midsommarafton'),
    julafton: names.has('julafton'),
    nyarsafton: names.has('nyarsafton'),
    extraDates: extraHolidays.filter((s) => /^\d{4}-\d{2}-\d{2}$/.test(s.trim())).map((s) => s.trim())
  };
}
