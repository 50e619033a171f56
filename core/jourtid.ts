/**
 * Jourtid: the on-call hours of Trygghetsjouren, computed in Europe/Stockholm whatever the
 * process time zone (DESIGN.md §2).
 *
 * An instant is jourtid when, in Swedish local time, the clock is before 07:00 or from 16:30 on,
 * or the date is a Saturday, a Sunday or a holiday. Holidays are computed for any year (the
 * Gregorian Easter algorithm and the fixed/floating rules of Swedish law), never tabulated.
 *
 * Local times that do not exist or exist twice (summer-time changes) are resolved the same way
 * everywhere in this module, see {@link localDateTime}.
 */
import { DateTime } from 'luxon';
import { memoize } from './memo';
import type { ShiftInput, ShiftKind } from './model';

export const ZONE = 'Europe/Stockholm';

/** Start of the working day (inclusive) and start of jourtid on working days, minutes after midnight. */
export const DAY_START_MIN = 7 * 60;
export const DAY_END_MIN = 16 * 60 + 30;
/** The night window used to classify shifts: 21:00–07:00 local. */
export const NIGHT_START_MIN = 21 * 60;
export const NIGHT_END_MIN = 7 * 60;

/**
 * Which non-statutory days count as holidays. Swedish workplaces treat midsommarafton, julafton
 * and nyårsafton as holidays; all three are on by default.
 */
export interface HolidayCalendarOptions {
  midsommarafton?: boolean;
  julafton?: boolean;
  nyarsafton?: boolean;
  /** Further local dates (YYYY-MM-DD) to treat as holidays, e.g. a local agreement. */
  extraDates?: string[];
}

export interface Holiday {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** Swedish name, e.g. "långfredagen". */
  name: string;
  /** True for the configurable non-statutory days (midsommarafton, julafton, nyårsafton, extraDates). */
  extra: boolean;
}

/** Easter Sunday (Gregorian, anonymous algorithm / Meeus–Jones–Butcher) as [month, day]. */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A calendar date as a zone-free UTC date, for pure date arithmetic. */
function utcDate(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

function isoOfUtc(d: Date): string {
  return isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function addDaysUtc(d: Date, n: number): Date {
  return new Date(d.getTime() + n * 86_400_000);
}

/** The Saturday in [from, from+6] (month/day of `from` in `year`). */
function saturdayFrom(year: number, month: number, day: number): Date {
  const d = utcDate(year, month, day);
  return addDaysUtc(d, (6 - d.getUTCDay() + 7) % 7);
}

function optionsKey(cal?: HolidayCalendarOptions): string {
  return [
    cal?.midsommarafton === false ? 0 : 1,
    cal?.julafton === false ? 0 : 1,
    cal?.nyarsafton === false ? 0 : 1,
    (cal?.extraDates ?? []).join(',')
  ].join('|');
}

const cache = new Map<string, Holiday[]>();

/**
 * The holidays of a year, sorted by date. Statutory days follow the law in force that year:
 * nationaldagen (6 June) is a holiday from 2005; before that annandag pingst was one instead.
 */
export function holidaysOf(year: number, cal?: HolidayCalendarOptions): Holiday[] {
  const key = `${year}|${optionsKey(cal)}`;
  const hit = cache.get(key);
  if (hit) {
    return hit;
  }
  const out: Holiday[] = [];
  const add = (d: Date, name: string, extra = false): void => {
    out.push({ date: isoOfUtc(d), name, extra });
  };
  const easter = easterSunday(year);
  const e = utcDate(year, easter.month, easter.day);

  add(utcDate(year, 1, 1), 'nyårsdagen');
  add(utcDate(year, 1, 6), 'trettondedag jul');
  add(addDaysUtc(e, -2), 'långfredagen');
  add(e, 'påskdagen');
  add(addDaysUtc(e, 1), 'annandag påsk');
  add(utcDate(year, 5, 1), 'första maj');
  add(addDaysUtc(e, 39), 'Kristi himmelsfärdsdag');
  add(addDaysUtc(e, 49), 'pingstdagen');
  if (year < 2005) {
    add(addDaysUtc(e, 50), 'annandag pingst');
  } else {
    add(utcDate(year, 6, 6), 'Sveriges nationaldag');
  }
  const midsommardagen = saturdayFrom(year, 6, 20);
  if (cal?.midsommarafton !== false) {
    add(addDaysUtc(midsommardagen, -1), 'midsommarafton', true);
  }
  add(midsommardagen, 'midsommardagen');
  add(saturdayFrom(year, 10, 31), 'alla helgons dag');
  if (cal?.julafton !== false) {
    add(utcDate(year, 12, 24), 'julafton', true);
  }
  add(utcDate(year, 12, 25), 'juldagen');
  add(utcDate(year, 12, 26), 'annandag jul');
  if (cal?.nyarsafton !== false) {
    add(utcDate(year, 12, 31), 'nyårsafton', true);
  }
  const prefix = `${String(year).padStart(4, '0')}-`;
  for (const extra of cal?.extraDates ?? []) {
    if (extra.startsWith(prefix) && !out.some((h) => h.date === extra)) {
      out.push({ date: extra, name: 'extra helgdag', extra: true });
    }
  }
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  cache.set(key, out);
  return out;
}

/** The holiday on a local date (YYYY-MM-DD), if any. */
export function holidayOn(date: string, cal?: HolidayCalendarOptions): Holiday | undefined {
  const year = Number(date.slice(0, 4));
  return holidaysOf(year, cal).find((h) => h.date === date);
}

/** True when the local date (YYYY-MM-DD) is a Saturday, a Sunday or a holiday. */
export function isWeekendOrHoliday(date: string, cal?: HolidayCalendarOptions): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dow = utcDate(y, m, d).getUTCDay();
  return dow === 0 || dow === 6 || holidayOn(date, cal) !== undefined;
}

function toLocal(at: Date): DateTime {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new RangeError('Invalid Date');
  }
  return DateTime.fromJSDate(at, { zone: ZONE });
}

function msOfDay(dt: DateTime): number {
  return ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond;
}

/** True when `at` is jourtid (see the module comment). */
export function isJourtid(at: Date, cal?: HolidayCalendarOptions): boolean {
  const local = toLocal(at);
  if (isWeekendOrHoliday(local.toISODate() as string, cal)) {
    return true;
  }
  const ms = msOfDay(local);
  return ms < DAY_START_MIN * 60_000 || ms >= DAY_END_MIN * 60_000;
}

/**
 * The next instant after `at` at which jourtid starts or ends. Jourtid only ever ends at 07:00
 * and starts at 16:30 of a working day (midnight never changes it), so those are the candidates.
 */
export function nextJourtidChange(at: Date, cal?: HolidayCalendarOptions): Date {
  const local = toLocal(at);
  const inJourtid = isJourtid(at, cal);
  let day = local.startOf('day');
  // The longest run of non-working days is a few days (e.g. julafton … annandag jul + weekend).
  for (let i = 0; i < 30; i++, day = day.plus({ days: 1 })) {
    if (isWeekendOrHoliday(day.toISODate() as string, cal)) {
      continue;
    }
    const candidates = inJourtid ? [DAY_START_MIN] : [DAY_END_MIN];
    for (const min of candidates) {
      const t = day.set({ hour: Math.floor(min / 60), minute: min % 60 });
      if (t.toMillis() > at.getTime()) {
        return t.toJSDate();
      }
    }
  }
  /* c8 ignore next 2 -- unreachable: every 30 days hold a working day */
  throw new Error('no jourtid change within 30 days');
}

/**
 * A local wall-clock time on a date in Europe/Stockholm, as an instant.
 * - A time that does not exist (02:00–02:59 on the spring-forward night) is moved forward by the
 *   gap: 02:30 becomes 03:30 summer time (as a clock that was not put forward would read it).
 * - A time that exists twice (02:00–02:59 on the fall-back night) is the first occurrence, in
 *   summer time (+02:00).
 * Returns undefined when date or time is malformed.
 */
export function localDateTime(date: string, time: string): DateTime | undefined {
  return localDateTimeMemo(date, time);
}

// Luxon DateTimes are immutable: one can be handed to every caller.
const localDateTimeMemo = memoize(computeLocalDateTime, (date: string, time: string) => `${date}|${time}`);

function computeLocalDateTime(date: string, time: string): DateTime | undefined {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!dm || !tm) {
    return undefined;
  }
  const hour = Number(tm[1]);
  const minute = Number(tm[2]);
  if (hour > 23 || minute > 59) {
    return undefined;
  }
  const dt = DateTime.fromObject(
    { year: Number(dm[1]), month: Number(dm[2]), day: Number(dm[3]), hour, minute },
    { zone: ZONE }
  );
  if (!dt.isValid || dt.day !== Number(dm[3])) {
    return undefined;
  }
  // Luxon picks the later of two ambiguous instants; prefer the earlier one.
  const earlier = dt.minus({ hours: 1 });
  if (earlier.hour === dt.hour && earlier.minute === dt.minute) {
    return earlier;
  }
  return dt;
}

const shiftKey = (shift: ShiftInput): string => `${shift.date}|${shift.start}|${shift.end}`;

/** The shift's real interval. Passes midnight when end <= start (so 07:00–07:00 is 24 h). */
export function shiftInterval(shift: ShiftInput): { start: Date; end: Date } {
  // Memoised as milliseconds (a turn asks for the same shift many times); fresh Dates every call.
  const ms = shiftIntervalMs(shift);
  return { start: new Date(ms.start), end: new Date(ms.end) };
}

const shiftIntervalMs = memoize((shift: ShiftInput): { start: number; end: number } => {
  const { start, end } = computeShiftInterval(shift);
  return { start: start.getTime(), end: end.getTime() };
}, shiftKey);

function computeShiftInterval(shift: ShiftInput): { start: Date; end: Date } {
  const start = localDateTime(shift.date, shift.start);
  const sameDayEnd = localDateTime(shift.date, shift.end);
  if (!start || !sameDayEnd) {
    throw new RangeError(`Invalid shift ${shift.date} ${shift.start}–${shift.end}`);
  }
  const passes = shift.end.padStart(5, '0') <= shift.start.padStart(5, '0');
  let end = sameDayEnd;
  if (passes) {
    const next = DateTime.fromISO(shift.date, { zone: ZONE }).plus({ days: 1 }).toISODate() as string;
    end = localDateTime(next, shift.end) as DateTime;
  }
  return { start: start.toJSDate(), end: end.toJSDate() };
}

/** True when the shift's end is on the next local day (end <= start). */
export function shiftPassesMidnight(shift: ShiftInput): boolean {
  return shift.end.padStart(5, '0') <= shift.start.padStart(5, '0');
}

/** How much of a shift lies in jourtid. */
export interface JourtidCoverage {
  /** Milliseconds of the shift in jourtid. */
  jourtidMs: number;
  totalMs: number;
  /** The whole shift is jourtid. */
  whole: boolean;
  /** The shift starts in jourtid. */
  startsInJourtid: boolean;
}

export function shiftJourtidCoverage(shift: ShiftInput, cal?: HolidayCalendarOptions): JourtidCoverage {
  const { start, end } = shiftInterval(shift);
  let t = start;
  let jourtidMs = 0;
  while (t < end) {
    const j = isJourtid(t, cal);
    const change = nextJourtidChange(t, cal);
    const until = change < end ? change : end;
    if (j) {
      jourtidMs += until.getTime() - t.getTime();
    }
    t = until;
  }
  const totalMs = end.getTime() - start.getTime();
  return { jourtidMs, totalMs, whole: jourtidMs === totalMs, startsInJourtid: isJourtid(start, cal) };
}

/**
 * Does the shift fall in jourtid? Rule: **the working time to replace starts in jourtid.**
 * Real night shifts often end a little after 07:00 (07:15, 07:30) and the jourledare enters the
 * part still to be replaced, so requiring the whole shift to be jourtid would refuse ordinary
 * call-ins; a shift that starts in daytime (e.g. a weekday 07:00–16:00) is the workplace's own
 * business and is refused. Use {@link shiftJourtidCoverage} to show the part outside jourtid.
 */
export function shiftInJourtid(shift: ShiftInput, cal?: HolidayCalendarOptions): boolean {
  return isJourtid(shiftInterval(shift).start, cal);
}

/** Milliseconds of [start, end) that lie between 21:00 and 07:00 local time. */
export function nightOverlapMs(start: Date, end: Date): number {
  let total = 0;
  // Night windows start at 21:00 on the day before the start's local date, through the end's date.
  let day = toLocal(start).startOf('day').minus({ days: 1 });
  while (day.toMillis() < end.getTime()) {
    const from = day.set({ hour: 21 }).toMillis();
    const to = day.plus({ days: 1 }).set({ hour: 7 }).toMillis();
    const lo = Math.max(from, start.getTime());
    const hi = Math.min(to, end.getTime());
    if (hi > lo) {
      total += hi - lo;
    }
    day = day.plus({ days: 1 });
  }
  return total;
}

/**
 * The kind of a shift, which selects the minimum staffing:
 * 1. **natt** when at least half of it lies between 21:00 and 07:00 local time
 *    (21:00–07:00, 22:00–06:00, 20:00–07:00; a 15:00–00:30 passes midnight but is kväll);
 * 2. otherwise **helgdag** when it starts on a Saturday, Sunday or holiday before 16:30
 *    (a weekend day shift, e.g. 07:00–15:30);
 * 3. otherwise **kvall** (weekday evenings, and weekend/holiday evenings from 16:30).
 */
export function shiftKind(shift: ShiftInput, cal?: HolidayCalendarOptions): ShiftKind {
  return shiftKindMemo(shift, cal);
}

const shiftKindMemo = memoize(computeShiftKind, (shift: ShiftInput, cal?: HolidayCalendarOptions) => `${shiftKey(shift)}|${optionsKey(cal)}`);

function computeShiftKind(shift: ShiftInput, cal?: HolidayCalendarOptions): ShiftKind {
  const { start, end } = shiftInterval(shift);
  const total = end.getTime() - start.getTime();
  if (nightOverlapMs(start, end) * 2 >= total) {
    return 'natt';
  }
  const local = toLocal(start);
  if (isWeekendOrHoliday(local.toISODate() as string, cal) && msOfDay(local) < DAY_END_MIN * 60_000) {
    return 'helgdag';
  }
  return 'kvall';
}
