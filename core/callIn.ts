/**
 * The call-in draft (what the jourledare has entered) and its validation: the routine's four
 * points (unit; who is absent; the working time to replace; who is already working, on vacation
 * or otherwise absent) plus sanity limits. A card's data is user input and can be forged, so
 * every field is checked for type and length here, whatever the card allowed.
 */
import { DateTime } from 'luxon';
import { type HolidayCalendarOptions, localDateTime, shiftInJourtid, ZONE } from './jourtid';
import { memoize } from './memo';
import type { Lang, ShiftInput, StaffList, StaffMember, Unit } from './model';
import { staffId } from './names';

export type AbsenceReason = 'sjuk' | 'vab' | 'annat';
export const ABSENCE_REASONS: readonly AbsenceReason[] = ['sjuk', 'vab', 'annat'];

export const ABSENCE_REASON_TEXT: Record<AbsenceReason, Record<Lang, string>> = {
  sjuk: { sv: 'Sjuk', en: 'Sick' },
  vab: { sv: 'Vård av barn (VAB)', en: 'Care of sick child' },
  annat: { sv: 'Annan frånvaro', en: 'Other absence' }
};

export interface CallInDraft {
  unitId: string;
  /** The absent person as a free name (when not on the list) … */
  absentName?: string;
  /** … or as a staff id from the unit's list. One of the two is required. */
  absentStaffId?: string;
  reason: AbsenceReason;
  shift: ShiftInput;
  /**
   * Explicit answer to "does the shift pass midnight?" when the card asks it. Omitted: inferred
   * (end <= start passes midnight). False with end <= start is a problem.
   */
  passesMidnight?: boolean;
  /** Those already working the shift: staff ids from the list, or free names. */
  working: string[];
  /** Those on vacation or other absence: staff ids from the list, or free names. */
  onLeave: string[];
  note?: string;
}

export interface ValidationProblem {
  /** The draft's field, e.g. "absent", "shift.end", "working". */
  field: string;
  message: Record<Lang, string>;
}

export interface CallInValidationContext {
  now: Date;
  unit?: Unit;
  staff?: StaffList | StaffMember[];
  cal?: HolidayCalendarOptions;
  /** Longest shift accepted, hours. Default 16. */
  maxShiftHours?: number;
  /** The shift date may be this many days before today (local). Default 1 (yesterday). */
  maxDaysBack?: number;
  /** … and this many days after today. Default 14. */
  maxDaysAhead?: number;
  /** Refuse shifts that do not start in jourtid. Default true. */
  requireJourtid?: boolean;
}

export const LIMITS = {
  name: 100,
  note: 1000,
  unitId: 200,
  listEntries: 100
} as const;

/** A staff id as this module makes them: lower-case letters, digits and single hyphens. */
const ID_PATTERN = /^[\p{Ll}\p{N}]+(?:-[\p{Ll}\p{N}]+)*$/u;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function validateCallIn(draft: CallInDraft, ctx: CallInValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add = (field: string, sv: string, en: string): void => {
    problems.push({ field, message: { sv, en } });
  };
  const d = (draft ?? {}) as Partial<CallInDraft>;
  const staff: StaffMember[] | undefined = Array.isArray(ctx.staff) ? ctx.staff : ctx.staff?.staff;
  const byKey = new Map<string, StaffMember>();
  for (const m of staff ?? []) {
    byKey.set(m.id, m);
    byKey.set(staffId(m.name), m);
  }

  /** Checks a free text; returns the trimmed text when it is usable. */
  const text = (field: string, v: unknown, max: number, label: Record<Lang, string>): string | undefined => {
    if (v === undefined || v === null) {
      return undefined;
    }
    if (typeof v !== 'string') {
      add(field, `${label.sv} måste vara text.`, `${label.en} must be text.`);
      return undefined;
    }
    const t = v.trim();
    if (t.length > max) {
      add(field, `${label.sv} får vara högst ${max} tecken.`, `${label.en} may be at most ${max} characters.`);
      return undefined;
    }
    if (CONTROL.test(t)) {
      add(field, `${label.sv} innehåller otillåtna tecken.`, `${label.en} contains characters that are not allowed.`);
      return undefined;
    }
    return t === '' ? undefined : t;
  };

  // 1. Unit
  const unitId = text('unitId', d.unitId, LIMITS.unitId, { sv: 'Enheten', en: 'The unit' });
  if (!unitId) {
    if (!problems.some((p) => p.field === 'unitId')) {
      add('unitId', 'Välj vilken enhet det gäller.', 'Choose the unit.');
    }
  } else if (ctx.unit) {
    if (ctx.unit.id !== unitId) {
      add('unitId', 'Enheten finns inte.', 'The unit does not exist.');
    } else if (!ctx.unit.active) {
      add('unitId', `Enheten ${ctx.unit.name} är inte aktiv.`, `The unit ${ctx.unit.name} is not active.`);
    }
  }

  // 2. Who is absent
  let absentKey: string | undefined;
  const absentName = text('absent', d.absentName, LIMITS.name, { sv: 'Namnet på den frånvarande', en: 'The absent person’s name' });
  const absentId = text('absent', d.absentStaffId, LIMITS.name, { sv: 'Den frånvarande', en: 'The absent person' });
  if (absentId) {
    if (staff && !byKey.has(absentId)) {
      add('absent', 'Den frånvarande finns inte på enhetens personallista.', 'The absent person is not on the unit’s staff list.');
    } else {
      absentKey = byKey.get(absentId)?.id ?? absentId;
    }
  } else if (absentName) {
    absentKey = byKey.get(staffId(absentName))?.id ?? staffId(absentName);
    if (!/\p{L}/u.test(absentName)) {
      add('absent', 'Skriv den frånvarandes namn.', 'Enter the absent person’s name.');
    }
  } else if (!problems.some((p) => p.field === 'absent')) {
    add('absent', 'Ange vem som är frånvarande.', 'Say who is absent.');
  }
  if (!ABSENCE_REASONS.includes(d.reason as AbsenceReason)) {
    add('reason', 'Välj orsak: sjuk, VAB eller annan frånvaro.', 'Choose the reason: sick, care of child or other.');
  }

  // 3. The working time to replace
  validateShift(d, ctx, add);

  // 4. Those already working, on vacation or otherwise absent
  const seen = new Map<string, string>();
  for (const field of ['working', 'onLeave'] as const) {
    const list = d[field];
    const label = field === 'working' ? { sv: 'arbetar redan', en: 'already working' } : { sv: 'semester eller annan frånvaro', en: 'vacation or other absence' };
    if (!Array.isArray(list)) {
      add(field, `Listan "${label.sv}" saknas.`, `The list "${label.en}" is missing.`);
      continue;
    }
    if (list.length > LIMITS.listEntries) {
      add(field, `Listan "${label.sv}" får ha högst ${LIMITS.listEntries} namn.`, `The list "${label.en}" may hold at most ${LIMITS.listEntries} names.`);
      continue;
    }
    for (const entry of list) {
      const t = text(field, entry, LIMITS.name, { sv: 'Ett namn', en: 'A name' });
      if (!t) {
        if (typeof entry === 'string' && entry.trim() === '') {
          add(field, 'Ett namn i listan är tomt.', 'A name in the list is empty.');
        }
        continue;
      }
      const member = byKey.get(t) ?? byKey.get(staffId(t));
      if (staff && !member && ID_PATTERN.test(t)) {
        add(field, `Okänd person "${t}": välj från listan eller skriv hela namnet.`, `Unknown person "${t}": pick from the list or write the full name.`);
        continue;
      }
      const key = member?.id ?? staffId(t);
      if (key === absentKey) {
        add(field, 'Den frånvarande kan inte stå bland dem som arbetar eller är lediga.', 'The absent person cannot be listed as working or on leave.');
        continue;
      }
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        add(field, `${member?.name ?? t} står med två gånger.`, `${member?.name ?? t} is listed twice.`);
        continue;
      }
      seen.set(key, field);
    }
  }

  text('note', d.note, LIMITS.note, { sv: 'Anteckningen', en: 'The note' });
  return problems;
}

function validateShift(
  d: Partial<CallInDraft>,
  ctx: CallInValidationContext,
  add: (field: string, sv: string, en: string) => void
): void {
  const shift = d.shift as Partial<ShiftInput> | undefined;
  if (!shift || typeof shift !== 'object') {
    add('shift', 'Ange arbetstiden som ska ersättas (datum, start och slut).', 'Enter the working time to replace (date, start and end).');
    return;
  }
  const dateOk = typeof shift.date === 'string' && localDateTime(shift.date, '12:00') !== undefined;
  const startOk = typeof shift.start === 'string' && /^\d{1,2}:\d{2}$/.test(shift.start) && localDateTime('2026-01-01', shift.start) !== undefined;
  const endOk = typeof shift.end === 'string' && /^\d{1,2}:\d{2}$/.test(shift.end) && localDateTime('2026-01-01', shift.end) !== undefined;
  if (!dateOk) {
    add('shift.date', 'Datumet ska skrivas ÅÅÅÅ-MM-DD.', 'The date must be YYYY-MM-DD.');
  }
  if (!startOk) {
    add('shift.start', 'Starttiden ska skrivas TT:MM (24 timmar).', 'The start time must be HH:MM (24-hour).');
  }
  if (!endOk) {
    add('shift.end', 'Sluttiden ska skrivas TT:MM (24 timmar).', 'The end time must be HH:MM (24-hour).');
  }
  if (!dateOk || !startOk || !endOk) {
    return;
  }
  const s = shift as ShiftInput;
  const passes = s.end.padStart(5, '0') <= s.start.padStart(5, '0');
  if (d.passesMidnight === false && passes) {
    add('shift.end', 'Sluttiden måste vara efter starttiden (eller ange att passet går över midnatt).', 'The end must be after the start (or say that the shift passes midnight).');
    return;
  }
  if (d.passesMidnight === true && !passes) {
    add('shift.end', 'Passet slutar samma dag; det går inte över midnatt.', 'The shift ends the same day; it does not pass midnight.');
    return;
  }
  const hours = shiftHours(s.date, s.start, s.end);
  const maxHours = ctx.maxShiftHours ?? 16;
  if (hours > maxHours) {
    add('shift.end', `Passet är ${fmtHours(hours, ',')} timmar; högst ${maxHours} timmar går att ange.`, `The shift is ${fmtHours(hours, '.')} hours; at most ${maxHours} hours can be entered.`);
  }
  if (hours <= 0) {
    /* c8 ignore next 2 -- only reachable through the spring-forward gap (02:00–03:00 → 03:00) */
    add('shift.end', 'Passet har ingen längd.', 'The shift has no length.');
  }
  const today = DateTime.fromJSDate(ctx.now, { zone: ZONE }).startOf('day');
  const first = today.minus({ days: ctx.maxDaysBack ?? 1 }).toISODate() as string;
  const last = today.plus({ days: ctx.maxDaysAhead ?? 14 }).toISODate() as string;
  if (s.date < first || s.date > last) {
    add('shift.date', `Datumet måste vara mellan ${first} och ${last}.`, `The date must be between ${first} and ${last}.`);
    return;
  }
  if ((ctx.requireJourtid ?? true) && !shiftInJourtid(s, ctx.cal)) {
    add(
      'shift.start',
      'Passet börjar inte på jourtid (vardagar 16:30–07:00, helger och helgdagar). Arbetsplatsen ordnar bemanning dagtid själv.',
      'The shift does not start in jourtid (weekdays 16:30–07:00, weekends and holidays). The workplace staffs daytime shifts itself.'
    );
  }
}

/** Length in hours of a shift whose date and times are valid (passes midnight when end <= start). */
const shiftHours = memoize(
  (date: string, startTime: string, endTime: string): number => {
    const passes = endTime.padStart(5, '0') <= startTime.padStart(5, '0');
    const start = localDateTime(date, startTime) as DateTime;
    const endDate = passes ? (DateTime.fromISO(date, { zone: ZONE }).plus({ days: 1 }).toISODate() as string) : date;
    const end = localDateTime(endDate, endTime) as DateTime;
    return end.diff(start, 'hours').hours;
  },
  (date, startTime, endTime) => `${date}|${startTime}|${endTime}`
);

function fmtHours(h: number, decimal: string): string {
  return Number.isInteger(h) ? String(h) : h.toFixed(1).replace('.', decimal);
}
