import { strict as assert } from 'node:assert';
import { ABSENCE_REASON_TEXT, type CallInDraft, type CallInValidationContext, validateCallIn } from '../../../core/callIn';
import type { StaffMember, Unit } from '../../../core/model';

describe('core/callIn validateCallIn', () => {
  const NOW = new Date('2026-11-24T20:15:00+01:00'); // Tuesday evening, jourtid
  const UNIT: Unit = { id: 'u1', name: 'Hemtjänst Majorna', managers: [], acting: [], active: true, problems: [] };
  const STAFF: StaffMember[] = [
    { id: 'asa-oberg', name: 'Åsa Öberg', employmentForm: 'Tillsvidare' },
    { id: 'erik-lind', name: 'Erik Lind', employmentForm: 'Månadsanställd' },
    { id: 'bo-ek', name: 'Bo Ek', employmentForm: 'Tillsvidare' }
  ];
  const CTX: CallInValidationContext = { now: NOW, unit: UNIT, staff: STAFF };
  const DRAFT: CallInDraft = {
    unitId: 'u1',
    absentStaffId: 'asa-oberg',
    reason: 'sjuk',
    shift: { date: '2026-11-24', start: '21:00', end: '07:00' },
    working: ['erik-lind', 'Extern Vikarie'],
    onLeave: ['Bo Ek'],
    note: 'Ringde 20:05.'
  };
  const fields = (d: unknown, ctx: CallInValidationContext = CTX): string[] =>
    validateCallIn(d as CallInDraft, ctx).map((p) => p.field);

  it('a complete draft has no problems', () => {
    assert.deepEqual(validateCallIn(DRAFT, CTX), []);
    assert.deepEqual(validateCallIn(DRAFT, { now: NOW }), []);
    assert.deepEqual(validateCallIn({ ...DRAFT, staff: undefined } as unknown as CallInDraft, { now: NOW, staff: { staff: STAFF, instructions: { minimumStaffing: {}, cooperatingUnits: [] }, problems: [], unusable: false } }), []);
  });

  const table: Array<[string, Record<string, unknown>, string[], CallInValidationContext?]> = [
    ['no unit', { unitId: '' }, ['unitId']],
    ['unit not a string', { unitId: 7 }, ['unitId']],
    ['unknown unit', { unitId: 'u2' }, ['unitId']],
    ['inactive unit', {}, ['unitId'], { ...CTX, unit: { ...UNIT, active: false } }],
    ['nobody absent', { absentStaffId: undefined }, ['absent']],
    ['absent free name', { absentStaffId: undefined, absentName: 'Maja Extern' }, []],
    ['absent free name that is only punctuation', { absentStaffId: undefined, absentName: '---' }, ['absent']],
    ['absent name on the list, written differently', { absentStaffId: undefined, absentName: 'ASA OBERG', working: ['erik-lind'] }, []],
    ['unknown absent id', { absentStaffId: 'nils-ros' }, ['absent']],
    ['absent name too long', { absentStaffId: undefined, absentName: 'x'.repeat(101) }, ['absent']],
    ['absent name with control characters', { absentStaffId: undefined, absentName: 'Maja\u0000' }, ['absent']],
    ['bad reason', { reason: 'semester' }, ['reason']],
    ['vab', { reason: 'vab' }, []],
    ['no shift', { shift: undefined }, ['shift']],
    ['bad date', { shift: { date: '2026-11-31', start: '21:00', end: '07:00' } }, ['shift.date']],
    ['bad times', { shift: { date: '2026-11-24', start: '9pm', end: '25:00' } }, ['shift.start', 'shift.end']],
    ['evening, same day', { shift: { date: '2026-11-24', start: '16:30', end: '22:00' } }, []],
    ['end before start, said not to pass midnight', { passesMidnight: false }, ['shift.end']],
    ['said to pass midnight but does not', { passesMidnight: true, shift: { date: '2026-11-24', start: '16:30', end: '22:00' } }, ['shift.end']],
    ['passes midnight, said so', { passesMidnight: true }, []],
    ['too long: 24 h', { shift: { date: '2026-11-24', start: '21:00', end: '21:00' } }, ['shift.end']],
    ['16 h is the limit', { shift: { date: '2026-11-24', start: '16:30', end: '08:30' } }, []],
    ['16.5 h is too long', { shift: { date: '2026-11-24', start: '16:30', end: '09:00' } }, ['shift.end']],
    ['longer limit by configuration', { shift: { date: '2026-11-24', start: '16:30', end: '09:00' } }, [], { ...CTX, maxShiftHours: 20 }],
    ['yesterday is allowed', { shift: { date: '2026-11-23', start: '21:00', end: '07:00' } }, []],
    ['two days ago is not', { shift: { date: '2026-11-22', start: '21:00', end: '07:00' } }, ['shift.date']],
    ['14 days ahead is allowed', { shift: { date: '2026-12-08', start: '21:00', end: '07:00' } }, []],
    ['15 days ahead is not', { shift: { date: '2026-12-09', start: '21:00', end: '07:00' } }, ['shift.date']],
    ['a daytime shift is not jourtid', { shift: { date: '2026-11-25', start: '07:00', end: '16:00' } }, ['shift.start']],
    ['a daytime shift when jourtid is not required', { shift: { date: '2026-11-25', start: '07:00', end: '16:00' } }, [], { ...CTX, requireJourtid: false }],
    ['a Saturday day shift', { shift: { date: '2026-11-28', start: '07:00', end: '15:30' } }, []],
    ['working missing', { working: undefined }, ['working']],
    ['working not an array', { working: 'erik-lind' }, ['working']],
    ['unknown staff id', { working: ['nils-ros'] }, ['working']],
    ['empty name', { onLeave: [' '] }, ['onLeave']],
    ['non-string entry', { onLeave: [42] }, ['onLeave']],
    ['too many names', { onLeave: Array.from({ length: 101 }, (_, i) => `Person ${i}`) }, ['onLeave']],
    ['the absent person listed as working', { working: ['Åsa Öberg'] }, ['working']],
    ['the same person working and on leave', { onLeave: ['ERIK LIND'] }, ['onLeave']],
    ['note too long', { note: 'n'.repeat(1001) }, ['note']],
    ['note not text', { note: { html: '<b>' } }, ['note']]
  ];
  for (const [label, patch, expected, ctx] of table) {
    it(label, () => {
      assert.deepEqual(fields({ ...DRAFT, ...patch }, ctx), expected);
    });
  }

  it('a null draft names every missing point', () => {
    assert.deepEqual(fields(null), ['unitId', 'absent', 'reason', 'shift', 'working', 'onLeave']);
  });

  it('messages are in Swedish and English', () => {
    const p = validateCallIn({ ...DRAFT, shift: { date: '2026-11-24', start: '16:30', end: '09:00' } }, CTX)[0]!;
    assert.equal(p.message.sv, 'Passet är 16,5 timmar; högst 16 timmar går att ange.');
    assert.equal(p.message.en, 'The shift is 16.5 hours; at most 16 hours can be entered.');
    for (const t of Object.values(ABSENCE_REASON_TEXT)) {
      assert.ok(t.sv && t.en);
    }
  });

  it('the date window follows Swedish dates, not UTC', () => {
    // 00:30 local on 25 November is still 24 November in UTC.
    const ctx = { ...CTX, now: new Date('2026-11-25T00:30:00+01:00') };
    assert.deepEqual(fields({ ...DRAFT, shift: { date: '2026-11-24', start: '21:00', end: '07:00' } }, ctx), []);
    assert.deepEqual(fields({ ...DRAFT, shift: { date: '2026-12-09', start: '21:00', end: '07:00' } }, ctx), []);
  });
});
