/**
 * Reads what a step needs about a unit through graph/: the unit, its staff list, its cooperating
 * units' lists and its routine documents. An unknown or inactive unit id is `undefined` (a forged or
 * outdated card); unit-level trouble (no folder, unreadable list) is data in `problems`.
 */
import type { Unit } from '../../core/model';
import type { StaffListResult, RoutineDocument } from '../../graph';
import type { UnitStaff } from '../../core/eligibility';
import type { FlowDeps } from './types';

export interface UnitContext {
  unit: Unit;
  list: StaffListResult;
  cooperating: Array<{ unit: Unit; list: StaffListResult }>;
  /** Cooperating unit names that match no unit in the units list. */
  unmatched: string[];
  documents: RoutineDocument[];
}

const ID = /^[\w.:-]{1,200}$/;

export async function loadUnit(
  deps: FlowDeps,
  unitId: unknown,
  opts: { documents?: boolean; cooperating?: boolean } = {}
): Promise<UnitContext | undefined> {
  if (typeof unitId !== 'string' || !ID.test(unitId)) {
    return undefined;
  }
  const unit = await deps.graph.units.get(unitId);
  if (!unit || !unit.active) {
    return undefined;
  }
  const all = await deps.graph.units.list();
  const knownUnits = all.map((u) => ({ id: u.id, name: u.name }));
  const list = await deps.graph.staff.get(unit, { knownUnits });
  const cooperating: UnitContext['cooperating'] = [];
  const unmatched = [...(list.cooperating?.unmatched ?? [])];
  if (opts.cooperating) {
    for (const m of list.cooperating?.matched ?? []) {
      const cu = all.find((u) => u.id === m.unitId);
      if (!cu || !cu.active || cu.id === unit.id) {
        continue;
      }
      cooperating.push({ unit: cu, list: await deps.graph.staff.get(cu, { knownUnits }) });
    }
  }
  const documents = opts.documents ? await deps.graph.staff.documents(unit).catch(() => []) : [];
  return { unit, list, cooperating, unmatched, documents };
}

export function unitStaff(u: Unit, list: StaffListResult): UnitStaff {
  return { unitId: u.id, unitName: u.name, staff: list.unusable ? [] : list.staff };
}
