import { strict as assert } from 'node:assert';
import { EXCLUSION_TEXT, eligibleCandidates, type UnitStaff } from '../../../core/eligibility';
import type { EmploymentForm, StaffMember } from '../../../core/model';
import { staffId } from '../../../core/names';

const m = (name: string, employmentForm: EmploymentForm = 'Tillsvidare', phone?: string): StaffMember => ({
  id: staffId(name),
  name,
  employmentForm,
  ...(phone ? { phone } : {})
});

describe('core/eligibility', () => {
  const OWN: UnitStaff = {
    unitId: 'u1',
    unitName: 'Hemtjänst Majorna',
    staff: [
      m('Åsa Öberg'),
      m('Erik Lind', 'Månadsanställd'),
      m('Sara Ek', 'Timanställd'),
      m('Bo Ek'),
      m('Lena Holm'),
      m('Per Berg')
    ]
  };
  const COOP_A: UnitStaff = {
    unitId: 'u2',
    unitName: 'Hemtjänst Linné',
    staff: [m('ÅSA  ÖBERG'), m('Karin Sjö', 'Månadsanställd'), m('Sara Ek', 'Tillsvidare'), m('Nils Ros', 'Timanställd')]
  };
  const COOP_B: UnitStaff = { unitId: 'u3', unitName: 'Hemtjänst Masthugget', staff: [m('Olle Strand'), m('Karin Sjö')] };

  it('own unit first, then cooperating in listed order; absent, working, on leave and hourly excluded', () => {
    const r = eligibleCandidates({
      unit: OWN,
      cooperating: [COOP_A, COOP_B],
      absent: 'erik lind',
      working: ['BO EK', 'Okänd Person'],
      onLeave: ['lena-holm']
    });
    assert.deepEqual(
      r.candidates.map((c) => [c.rank, c.member.name, c.unitName, c.reason, c.alsoListedIn]),
      [
        [1, 'Åsa Öberg', 'Hemtjänst Majorna', 'own_unit', ['Hemtjänst Linné']],
        [2, 'Per Berg', 'Hemtjänst Majorna', 'own_unit', []],
        [3, 'Karin Sjö', 'Hemtjänst Linné', 'cooperating_unit', ['Hemtjänst Masthugget']],
        [4, 'Sara Ek', 'Hemtjänst Linné', 'cooperating_unit', []],
        [5, 'Olle Strand', 'Hemtjänst Masthugget', 'cooperating_unit', []]
      ]
    );
    assert.deepEqual(
      r.excluded.map((e) => [e.member.name, e.unitId, e.reason]),
      [
        ['Erik Lind', 'u1', 'absent'],
        ['Bo Ek', 'u1', 'working'],
        ['Lena Holm', 'u1', 'on_leave'],
        ['Nils Ros', 'u2', 'timanstalld']
      ]
    );
    assert.deepEqual(r.unknownNames, ['Okänd Person']);
  });

  const table: Array<[string, Partial<Parameters<typeof eligibleCandidates>[0]>, string[]]> = [
    ['nobody absent or working', {}, ['Åsa Öberg', 'Erik Lind', 'Bo Ek', 'Lena Holm', 'Per Berg']],
    ['absent by id', { absent: 'asa-oberg' }, ['Erik Lind', 'Bo Ek', 'Lena Holm', 'Per Berg']],
    ['absent with diacritics dropped', { absent: 'Asa Oberg' }, ['Erik Lind', 'Bo Ek', 'Lena Holm', 'Per Berg']],
    ['blank absent is ignored', { absent: '  ' }, ['Åsa Öberg', 'Erik Lind', 'Bo Ek', 'Lena Holm', 'Per Berg']],
    ['everyone working', { working: ['Åsa Öberg', 'Erik Lind', 'Bo Ek', 'Lena Holm', 'Per Berg'] }, []],
    ['an absent person also listed as on leave', { absent: 'Bo Ek', onLeave: ['Bo Ek'] }, ['Åsa Öberg', 'Erik Lind', 'Lena Holm', 'Per Berg']]
  ];
  for (const [label, extra, names] of table) {
    it(label, () => {
      const r = eligibleCandidates({ unit: OWN, ...extra });
      assert.deepEqual(r.candidates.map((c) => c.member.name), names);
      assert.ok(r.candidates.every((c) => c.member.employmentForm !== 'Timanställd'));
    });
  }

  it('a cooperating unit equal to the own unit or listed twice is used once', () => {
    const r = eligibleCandidates({ unit: OWN, cooperating: [{ ...OWN }, COOP_B, COOP_B] });
    assert.deepEqual(r.candidates.map((c) => c.member.name).slice(-2), ['Olle Strand', 'Karin Sjö']);
    assert.equal(r.candidates.length, 7);
  });

  it('hourly in the own list, permanent in a cooperating list: a candidate from there, not excluded', () => {
    const r = eligibleCandidates({ unit: OWN, cooperating: [COOP_A] });
    assert.ok(r.candidates.some((c) => c.member.name === 'Sara Ek' && c.unitId === 'u2'));
    assert.ok(!r.excluded.some((e) => e.member.name === 'Sara Ek'));
  });

  it('texts exist in both languages', () => {
    for (const t of Object.values(EXCLUSION_TEXT)) {
      assert.ok(t.sv && t.en);
    }
  });
});
