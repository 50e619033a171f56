import { strict as assert } from 'node:assert';
import { type Interval, workingTimeWarnings } from '../../../core/workingTime';

/** An interval from Stockholm-local ISO strings with explicit offsets (winter time, +01:00). */
const iv = (start: string, end: string): Interval => ({ start: new Date(`${start}+01:00`), end: new Date(`${end}+01:00`) });
const NIGHT = iv('2026-11-24T21:00', '2026-11-25T07:00'); // 10 h

describe('core/workingTime', () => {
  const table: Array<[string, Interval[], string[]]> = [
    ['nothing known', [], []],
    ['a day shift the day before, well rested', [iv('2026-11-23T07:00', '2026-11-23T16:00')], []],
    ['evening shift right before: 6 + 10 = 16 h, fine', [iv('2026-11-24T15:00', '2026-11-24T21:00')], []],
    ['day shift right before: 11 + 10 = 21 h', [iv('2026-11-24T07:00', '2026-11-24T18:00')], ['combined_too_long']],
    ['day shift before with a short gap: 9.5 + 10 = 19.5 h, fine', [iv('2026-11-24T07:00', '2026-11-24T16:30')], []],
    ['day shift after the night: 10 + 11 = 21 h', [iv('2026-11-25T07:00', '2026-11-25T18:00')], ['combined_too_long']],
    ['next shift 12 h after a 10 h night: fine', [iv('2026-11-25T19:00', '2026-11-26T07:00')], []],
    [
      'before (8 h) + night (10 h) = 18 h, next shift 14 h later: rest too short',
      [iv('2026-11-24T13:00', '2026-11-24T21:00'), iv('2026-11-25T21:00', '2026-11-26T07:00')],
      ['short_rest_after']
    ],
    ['overlap with a known shift', [iv('2026-11-24T20:00', '2026-11-24T23:00')], ['overlap']],
    [
      'five 10 h nights in the week before: 60 h',
      [
        iv('2026-11-19T21:00', '2026-11-20T07:00'),
        iv('2026-11-20T21:00', '2026-11-21T07:00'),
        iv('2026-11-21T21:00', '2026-11-22T07:00'),
        iv('2026-11-22T21:00', '2026-11-23T07:00')
      ],
      ['week_too_long']
    ],
    [
      '6 h (inside the window) + 3 × 11 h + this 10 h = 49 h; a shift ending at the window start counts 0',
      [
        iv('2026-11-17T21:00', '2026-11-18T07:00'), // ends exactly at the window start: 0 h inside
        iv('2026-11-18T03:00', '2026-11-18T13:00'), // 6 h inside
        iv('2026-11-19T07:00', '2026-11-19T18:00'),
        iv('2026-11-20T07:00', '2026-11-20T18:00'),
        iv('2026-11-21T07:00', '2026-11-21T18:00')
      ],
      ['week_too_long']
    ]
  ];
  for (const [label, known, codes] of table) {
    it(label, () => {
      assert.deepEqual(workingTimeWarnings(NIGHT, known).map((w) => w.code), codes);
    });
  }

  it('figures and texts', () => {
    const [w] = workingTimeWarnings(NIGHT, [iv('2026-11-24T07:00', '2026-11-24T18:00')]);
    assert.equal(w?.hours, 21);
    assert.equal(w?.message.sv, 'Sammanlagd arbetstid blir 21 tim i följd, mer än 20 timmar.');
    assert.equal(w?.message.en, 'Combined working time would be 21 h in a row, more than 20 hours.');
    const [o] = workingTimeWarnings(NIGHT, [iv('2026-11-24T20:00', '2026-11-24T23:00')]);
    assert.equal(o?.message.sv, 'Personen arbetar redan tisdag 24 november 2026 kl. 20:00–23:00, samtidigt som passet.');
    assert.equal(o?.message.en, 'The person is already working Tuesday 24 November 2026 at 20:00–23:00, at the same time as the shift.');
    assert.equal(o?.hours, 2);
    const r = workingTimeWarnings(NIGHT, [iv('2026-11-24T13:00', '2026-11-24T21:00'), iv('2026-11-25T21:00', '2026-11-26T07:00')]);
    assert.equal(r[0]?.message.sv, 'Vilan efter blir 14 tim, kortare än den sammanlagda arbetstiden (18 tim).');
  });

  it('the 24 h exception and other limits are options', () => {
    const known = [iv('2026-11-24T07:00', '2026-11-24T18:00')];
    assert.deepEqual(workingTimeWarnings(NIGHT, known, { maxCombinedHours: 24 }), []);
    assert.deepEqual(workingTimeWarnings(NIGHT, [], { maxWeekHours: 8 }).map((w) => w.code), ['week_too_long']);
    // With a 12 h "daily rest", a shift ending 11.5 h before still links into the block.
    assert.deepEqual(
      workingTimeWarnings(NIGHT, [iv('2026-11-24T00:00', '2026-11-24T09:30')], { dailyRestHours: 12 }).map((w) => w.code),
      []
    );
  });

  it('ignores a proposed shift without length and malformed known shifts', () => {
    assert.deepEqual(workingTimeWarnings({ start: NIGHT.end, end: NIGHT.start }, [NIGHT]), []);
    assert.deepEqual(workingTimeWarnings(NIGHT, [{ start: new Date('x'), end: new Date('y') }]), []);
  });
});
