import { strict as assert } from 'node:assert';
import { checkMinimumStaffing, staffingText } from '../../../core/minimumStaffing';
import type { ShiftKind, UnitInstructions } from '../../../core/model';

describe('core/minimumStaffing', () => {
  const INS: UnitInstructions = { minimumStaffing: { kvall: 3, natt: 2 }, cooperatingUnits: [] };
  const table: Array<[UnitInstructions | undefined, ShiftKind, number, number | undefined, number]> = [
    [INS, 'kvall', 1, 3, 2],
    [INS, 'kvall', 3, 3, 0],
    [INS, 'kvall', 5, 3, 0],
    [INS, 'natt', 0, 2, 2],
    [INS, 'natt', -1, 2, 2],
    [INS, 'helgdag', 0, undefined, 0],
    [undefined, 'natt', 1, undefined, 0],
    [{ minimumStaffing: { helgdag: 0 }, cooperatingUnits: [] }, 'helgdag', 0, 0, 0]
  ];
  for (const [ins, kind, working, required, missing] of table) {
    it(`${kind}, ${working} working, minimum ${required} → ${missing} missing`, () => {
      const r = checkMinimumStaffing(ins, kind, working);
      assert.equal(r.required, required);
      assert.equal(r.missing, missing);
      assert.equal(r.working, Math.max(0, working));
    });
  }
  it('texts', () => {
    assert.equal(staffingText(checkMinimumStaffing(INS, 'natt', 1), 'sv'), 'Minimibemanning natt: 2, arbetar: 1 – 1 saknas.');
    assert.equal(staffingText(checkMinimumStaffing(INS, 'natt', 2), 'sv'), 'Minimibemanning natt: 2, arbetar: 2 – minimibemanningen är uppfylld.');
    assert.equal(staffingText(checkMinimumStaffing(INS, 'kvall', 1), 'en'), 'Minimum staffing (evening): 3, working: 1 – 2 short.');
    assert.equal(staffingText(checkMinimumStaffing(INS, 'kvall', 4), 'en'), 'Minimum staffing (evening): 3, working: 4 – minimum met.');
    assert.match(staffingText(checkMinimumStaffing(INS, 'helgdag', 1), 'sv'), /Ingen minimibemanning angiven för helgdag/);
    assert.match(staffingText(checkMinimumStaffing(INS, 'helgdag', 1), 'en'), /No minimum staffing given for weekend day/);
  });
});
