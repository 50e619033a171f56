/**
 * Date and time formatting for people, in Europe/Stockholm whatever the process time zone:
 * Swedish (sv-SE) or English, always 24-hour. Used by the notice, cards and bot texts.
 */
import { DateTime } from 'luxon';
import { shiftInterval, ZONE } from './jourtid';
import { memoize } from './memo';
import type { Lang, ShiftInput } from './model';

const LOCALE: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB' };

function local(d: Date, lang: Lang): DateTime {
  return DateTime.fromJSDate(d, { zone: ZONE }).setLocale(LOCALE[lang]);
}

/** "tisdag 24 november 2026" / "Tuesday 24 November 2026". */
export function formatDate(d: Date, lang: Lang = 'sv'): string {
  return formatDateMs(d.getTime(), lang);
}

const formatDateMs = memoize(
  (ms: number, lang: Lang): string => local(new Date(ms), lang).toFormat('cccc d MMMM yyyy'),
  (ms, lang) => `${ms}|${lang}`
);

/** "24 nov." / "24 Nov": for lists. */
export function formatShortDate(d: Date, lang: Lang = 'sv'): string {
  return local(d, lang).toFormat('d MMM');
}

/** "21:00". */
export function formatTime(d: Date): string {
  return formatTimeMs(d.getTime());
}

// Memoised by instant (and language): a card formats the same few instants over and over.
const formatTimeMs = memoize((ms: number): string => DateTime.fromJSDate(new Date(ms), { zone: ZONE }).toFormat('HH:mm'), String);

/** "tisdag 24 november 2026 kl. 20:14" / "Tuesday 24 November 2026 at 20:14". */
export function formatDateTime(d: Date, lang: Lang = 'sv'): string {
  return `${formatDate(d, lang)} ${lang === 'sv' ? 'kl.' : 'at'} ${formatTime(d)}`;
}

/** "2026-11-24 20:14" in Swedish local time: compact and sortable, for logs shown to people. */
export function formatIsoLocal(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * A shift as people say it: "tisdag 24 november 2026 kl. 21:00–07:00" (the date is the start
 * date; a shift past midnight ends the next morning) / "Tuesday 24 November 2026, 21:00–07:00".
 * Times are the real instants' local times, so a start at the non-existent 02:30 on the
 * spring-forward night shows as 03:30.
 */
export function formatShift(shift: ShiftInput, lang: Lang = 'sv'): string {
  return formatShiftMemo(shift, lang);
}

const formatShiftMemo = memoize(computeFormatShift, (shift: ShiftInput, lang: Lang) => `${shift.date}|${shift.start}|${shift.end}|${lang}`);

function computeFormatShift(shift: ShiftInput, lang: Lang): string {
  const { start, end } = shiftInterval(shift);
  return `${formatDate(start, lang)}${lang === 'sv' ? ' kl.' : ','} ${formatTime(start)}–${formatTime(end)}`;
}

/** Duration in hours and minutes: "10 tim" / "8 tim 30 min" / "10 h" / "8 h 30 min". */
export function formatDuration(ms: number, lang: Lang = 'sv'): string {
  const totalMin = Math.round(ms / 60_000);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  const hu = lang === 'sv' ? 'tim' : 'h';
  if (h === 0) {
    return `${m} min`;
  }
  return m === 0 ? `${h} ${hu}` : `${h} ${hu} ${m} min`;
}
