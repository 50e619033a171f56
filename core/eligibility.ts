/**
 * Who may be ordered in (DESIGN.md §2): tillsvidare- and månadsanställda only; never the absent
 * person, those already working, or those on vacation or other absence. The unit's own staff
 * first, then the cooperating units in their listed order; within a list, the list's own order.
 * A person listed in several units appears once, from the first list where they may be ordered in.
 * Names are compared through {@link staffId} (so case, spacing and diacritics do not matter, and
 * a staff id may be given instead of a name).
 */
import type { Lang, StaffMember } from './model';
import { staffId } from './names';

export interface UnitStaff {
  unitId: string;
  unitName: string;
  staff: StaffMember[];
}

export interface EligibilityInput {
  unit: UnitStaff;
  /** Cooperating units in the order the unit listed them. */
  cooperating?: UnitStaff[];
  /** The absent person: a name or a staff id. */
  absent?: string;
  /** Names or staff ids of those already working the shift. */
  working?: string[];
  /** Names or staff ids of those on vacation or other absence. */
  onLeave?: string[];
}

export type CandidateReason = 'own_unit' | 'cooperating_unit';
export type ExclusionReason = 'absent' | 'working' | 'on_leave' | 'timanstalld';

export interface Candidate {
  unitId: string;
  unitName: string;
  member: StaffMember;
  reason: CandidateReason;
  /** 1-based position in the call order. */
  rank: number;
  /** Other units whose lists also hold this person. */
  alsoListedIn: string[];
}

export interface Excluded {
  unitId: string;
  unitName: string;
  member: StaffMember;
  reason: ExclusionReason;
}

export interface Eligibility {
  candidates: Candidate[];
  /** One entry per person (the first list they were found in). */
  excluded: Excluded[];
  /** Names in absent/working/onLeave that are on none of the lists (free names, typos). */
  unknownNames: string[];
}

export const EXCLUSION_TEXT: Record<ExclusionReason, Record<Lang, string>> = {
  absent: { sv: 'Frånvarande', en: 'Absent' },
  working: { sv: 'Arbetar redan', en: 'Already working' },
  on_leave: { sv: 'Semester eller annan frånvaro', en: 'On vacation or other absence' },
  timanstalld: { sv: 'Timanställd (kan inte beordras in)', en: 'Hourly employed (cannot be ordered in)' }
};

export const CANDIDATE_TEXT: Record<CandidateReason, Record<Lang, string>> = {
  own_unit: { sv: 'Egen enhet', en: 'Own unit' },
  cooperating_unit: { sv: 'Samarbetande enhet', en: 'Cooperating unit' }
};

/** True when the employment form allows ordering in. */
export function mayBeOrderedIn(member: StaffMember): boolean {
  return member.employmentForm === 'Tillsvidare' || member.employmentForm === 'Månadsanställd';
}

export function eligibleCandidates(input: EligibilityInput): Eligibility {
  const keyOf = (s: string): string => staffId(s);
  const absentKey = input.absent !== undefined && input.absent.trim() !== '' ? keyOf(input.absent) : undefined;
  const working = new Set((input.working ?? []).map(keyOf));
  const onLeave = new Set((input.onLeave ?? []).map(keyOf));

  const units: Array<UnitStaff & { reason: CandidateReason }> = [{ ...input.unit, reason: 'own_unit' }];
  const seenUnits = new Set([input.unit.unitId]);
  for (const u of input.cooperating ?? []) {
    if (!seenUnits.has(u.unitId)) {
      seenUnits.add(u.unitId);
      units.push({ ...u, reason: 'cooperating_unit' });
    }
  }

  const candidates = new Map<string, Candidate>();
  const excluded = new Map<string, Excluded>();
  const listed = new Set<string>();
  for (const unit of units) {
    for (const member of unit.staff) {
      const k = keyOf(member.name);
      listed.add(k);
      const hit = candidates.get(k);
      if (hit) {
        if (!hit.alsoListedIn.includes(unit.unitName)) {
          hit.alsoListedIn.push(unit.unitName);
        }
        continue;
      }
      let reason: ExclusionReason | undefined;
      if (k === absentKey) {
        reason = 'absent';
      } else if (working.has(k)) {
        reason = 'working';
      } else if (onLeave.has(k)) {
        reason = 'on_leave';
      } else if (!mayBeOrderedIn(member)) {
        reason = 'timanstalld';
      }
      if (reason) {
        if (!excluded.has(k)) {
          excluded.set(k, { unitId: unit.unitId, unitName: unit.unitName, member, reason });
        }
        continue;
      }
      // Hourly in one list but permanent in another: the person may be ordered in.
      excluded.delete(k);
      candidates.set(k, {
        unitId: unit.unitId,
        unitName: unit.unitName,
        member,
        reason: unit.reason,
        rank: candidates.size + 1,
        alsoListedIn: []
      });
    }
  }

  const unknownNames: string[] = [];
  for (const name of [...(input.absent ? [input.absent] : []), ...(input.working ?? []), ...(input.onLeave ?? [])]) {
    if (name.trim() !== '' && !listed.has(keyOf(name)) && !unknownNames.includes(name)) {
      unknownNames.push(name);
    }
  }
  return { candidates: [...candidates.values()], excluded: [...excluded.values()], unknownNames };
}
