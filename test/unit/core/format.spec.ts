import { strict as assert } from 'node:assert';
import { formatDate, formatDateTime, formatDuration, formatIsoLocal, formatShift, formatShortDate, formatTime } from '../../../core/format';

describe('core/format', () => {
  const D = new Date('2026-11-24T20:14:00Z'); // 21:14 in Stockholm
  it('dates and times in Stockholm time', () => {
    assert.equal(formatDate(D), 'tisdag 24 november 2026');
    assert.equal(formatDate(D, 'en'), 'Tuesday 24 November 2026');
    assert.equal(formatTime(D), '21:14');
    assert.equal(formatDateTime(D), 'tisdag 24 november 2026 kl. 21:14');
    assert.equal(formatDateTime(D, 'en'), 'Tuesday 24 November 2026 at 21:14');
    assert.equal(formatIsoLocal(new Date('2026-07-01T22:30:00Z')), '2026-07-02 00:30');
    assert.match(formatShortDate(D), /^24 nov/);
    assert.match(formatShortDate(D, 'en'), /^24 Nov/);
  });
  const shifts: Array<[{ date: string; start: string; end: string }, string, string]> = [
    [{ date: '2026-11-24', start: '21:00', end: '07:00' }, 'tisdag 24 november 2026 kl. 21:00–07:00', 'Tuesday 24 November 2026, 21:00–07:00'],
    [{ date: '2026-06-19', start: '7:00', end: '15:30' }, 'fredag 19 juni 2026 kl. 07:00–15:30', 'Friday 19 June 2026, 07:00–15:30'],
    [{ date: '2026-03-29', start: '02:30', end: '07:00' }, 'söndag 29 mars 2026 kl. 03:30–07:00', 'Sunday 29 March 2026, 03:30–07:00']
  ];
  for (const [shift, sv, en] of shifts) {
    it(`shift ${shift.date} ${shift.start}–${shift.end}`, () => {
      assert.equal(formatShift(shift), sv);
      assert.equal(formatShift(shift, 'en'), en);
    });
  }
  it('durations', () => {
    assert.equal(formatDuration(10 * 3_600_000), '10 tim');
    assert.equal(formatDuration(8.5 * 3_600_000), '8 tim 30 min');
    assert.equal(formatDuration(45 * 60_000, 'en'), '45 min');
    assert.equal(formatDuration(8.5 * 3_600_000, 'en'), '8 h 30 min');
  });
});
