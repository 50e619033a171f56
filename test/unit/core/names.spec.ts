import { strict as assert } from 'node:assert';
import { normalizeName, sameName, staffId } from '../../../core/names';

describe('core/names', () => {
  const table: Array<[string | null | undefined, string]> = [
    ['Åsa Öberg', 'asa oberg'],
    ['  ÅSA   ÖBERG  ', 'asa oberg'],
    ['Märta Ängström', 'marta angstrom'],
    ['José Müller', 'jose muller'],
    ['Søren Ærø', 'soren aero'],
    ['Łukasz Đorđević', 'lukasz dordevic'],
    ['Anna-Karin  Persson', 'anna-karin persson'],
    ['Anna - Karin', 'anna-karin'],
    ['Anna\u2013Karin', 'anna-karin'],
    ["O\u2019Brien", "o'brien"],
    ['Strauß', 'strauss'],
    ['Ann\u00a0Lind', 'ann lind'],
    ['Lind, Ann', 'lind ann'],
    ['A\u030Asa', 'asa'], // decomposed å
    [null, ''],
    [undefined, '']
  ];
  for (const [input, expected] of table) {
    it(`normalizeName(${JSON.stringify(input)}) = ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeName(input), expected);
    });
  }
  it('staffId is a stable slug', () => {
    assert.equal(staffId('Åsa Öberg'), 'asa-oberg');
    assert.equal(staffId(' åsa  öberg'), 'asa-oberg');
    assert.equal(staffId("Sinéad O'Connor"), 'sinead-oconnor');
    assert.equal(staffId('Anna-Karin Persson'), 'anna-karin-persson');
    assert.equal(staffId('!!!'), 'namnlos');
    assert.equal(staffId('李 小龍'), '李-小龍');
  });
  it('sameName', () => {
    assert.ok(sameName('Åsa Öberg', 'asa oberg'));
    assert.ok(!sameName('Åsa Öberg', 'Åsa Berg'));
  });
});
