/** Minimum staffing (minimibemanning) from the unit's instructions, per shift kind. */
import type { Lang, ShiftKind, UnitInstructions } from './model';

export interface StaffingCheck {
  kind: ShiftKind;
  /** The unit's minimum for this kind of shift; undefined when the unit has not said. */
  required?: number;
  /** How many are working the shift (the absent person not counted). */
  working: number;
  /** How many short of the minimum: 0 when at or above it, or when there is no minimum. */
  missing: number;
}

export function checkMinimumStaffing(
  instructions: UnitInstructions | undefined,
  kind: ShiftKind,
  working: number
): StaffingCheck {
  const required = instructions?.minimumStaffing[kind];
  const w = Math.max(0, Math.floor(working));
  const out: StaffingCheck = { kind, working: w, missing: required === undefined ? 0 : Math.max(0, required - w) };
  if (required !== undefined) {
    out.required = required;
  }
  return out;
}

const KIND_SV: Record<ShiftKind, string> = { kvall: 'kväll', natt: 'natt', helgdag: 'helgdag' };
const KIND_EN: Record<ShiftKind, string> = { kvall: 'evening', natt: 'night', helgdag: 'weekend day' };

/** A one-line summary for cards, e.g. "Minimibemanning natt: 2, arbetar: 1 – 1 saknas." */
export function staffingText(check: StaffingCheck, lang: Lang): string {
  if (check.required === undefined) {
    return lang === 'sv'
      ? `Ingen minimibemanning angiven för ${KIND_SV[check.kind]}; arbetar: ${check.working}.`
      : `No minimum staffing given for ${KIND_EN[check.kind]}; working: ${check.working}.`;
  }
  if (lang === 'sv') {
    return `Minimibemanning ${KIND_SV[check.kind]}: ${check.required}, arbetar: ${check.working}${
      check.missing > 0 ? ` – ${check.missing} saknas.` : ' – minimibemanningen är uppfylld.'
    }`;
  }
  return `Minimum staffing (${KIND_EN[check.kind]}): ${check.required}, working: ${check.working}${
    check.missing > 0 ? ` – ${check.missing} short.` : ' – minimum met.'
  }`;
}
