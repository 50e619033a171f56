/**
 * The memoised pure functions of core/ give what they computed before memoisation, for every
 * argument that changes the answer, and hand out nothing a caller could change for the next one.
 */
import { strict as assert } from 'node:assert';
import { MAX_KEY_LENGTH, memoize } from '../../../core/memo';
import { localDateTime } from '../../../core/jourtid';
import { shiftInterval, shiftKind } from '../../../core/jourtid';
import { formatDate, formatShift, formatTime } from '../../../core/format';
import { normalizeName } from '../../../core/names';

describe('core memoisation', () => {
  describe('memoize', () => {
    it('computes once per key, and again for another key', () => {
      let calls = 0;
      const f = memoize((a: number, b: number) => (calls++, a + b), (a, b) => `${a}|${b}`);
      assert.equal(f(1, 2), 3);
      assert.equal(f(1, 2), 3);
      assert.equal(calls, 1);
      assert.equal(f(2, 1), 3);
      assert.equal(calls, 2);
    });
    it('remembers undefined results too', () => {
      let calls = 0;
      const f = memoize((_s: string) => (calls++, undefined), (s) => s);
      f('x');
      f('x');
      assert.equal(calls, 1);
    });
    it('holds at most max results (all dropped when full) and stays correct', () => {
      let calls = 0;
      const f = memoize((n: number) => (calls++, n * 2), String, 3);
      for (const n of [1, 2, 3, 4, 1, 2, 3, 4]) {
        assert.equal(f(n), n * 2);
      }
      assert.ok(calls >= 5 && calls <= 8, String(calls));
    });
    it('a key longer than MAX_KEY_LENGTH is computed every time and not kept', () => {
      let calls = 0;
      const f = memoize((s: string) => (calls++, s.length), (s) => s);
      const long = 'x'.repeat(MAX_KEY_LENGTH + 1);
      assert.equal(f(long), MAX_KEY_LENGTH + 1);
      assert.equal(f(long), MAX_KEY_LENGTH + 1);
      assert.equal(calls, 2);
      f('short');
      f('short');
      assert.equal(calls, 3);
    });
    it('a throw is not remembered', () => {
      let calls = 0;
      const f = memoize((s: string) => {
        calls++;
        if (calls === 1) {
          throw new Error('first');
        }
        return s;
      }, (s) => s);
      assert.throws(() => f('a'), /first/);
      assert.equal(f('a'), 'a');
    });
  });

  describe('shiftInterval', () => {
    it('fresh Dates on every call: changing one does not change the next answer', () => {
      const shift = { date: '2026-11-24', start: '21:00', end: '07:00' };
      const a = shiftInterval(shift);
      a.start.setTime(0);
      a.end.setTime(0);
      const b = shiftInterval(shift);
      assert.equal(b.start.toISOString(), '2026-11-24T20:00:00.000Z');
      assert.equal(b.end.toISOString(), '2026-11-25T06:00:00.000Z');
      assert.notEqual(a.start, b.start);
    });
    it('each shift its own interval (date, start and end all count)', () => {
      const iso = (s: { date: string; start: string; end: string }) => Object.values(shiftInterval(s)).map((d: Date) => d.toISOString());
      assert.deepEqual(iso({ date: '2026-11-24', start: '21:00', end: '07:00' }), ['2026-11-24T20:00:00.000Z', '2026-11-25T06:00:00.000Z']);
      assert.deepEqual(iso({ date: '2026-11-25', start: '21:00', end: '07:00' }), ['2026-11-25T20:00:00.000Z', '2026-11-26T06:00:00.000Z']);
      assert.deepEqual(iso({ date: '2026-11-24', start: '22:00', end: '07:00' }), ['2026-11-24T21:00:00.000Z', '2026-11-25T06:00:00.000Z']);
      assert.deepEqual(iso({ date: '2026-11-24', start: '21:00', end: '06:00' }), ['2026-11-24T20:00:00.000Z', '2026-11-25T05:00:00.000Z']);
      // Summer time: the same clock times, another offset.
      assert.deepEqual(iso({ date: '2026-06-24', start: '21:00', end: '07:00' }), ['2026-06-24T19:00:00.000Z', '2026-06-25T05:00:00.000Z']);
    });
    it('an invalid shift throws every time', () => {
      for (let i = 0; i < 2; i++) {
        assert.throws(() => shiftInterval({ date: '2026-11-24', start: '25:00', end: '07:00' }), RangeError);
      }
    });
  });

  describe('localDateTime', () => {
    it('the same instant each time; malformed input undefined each time', () => {
      assert.equal(localDateTime('2026-11-24', '21:00')?.toISO(), '2026-11-24T21:00:00.000+01:00');
      assert.equal(localDateTime('2026-11-24', '21:00')?.toISO(), '2026-11-24T21:00:00.000+01:00');
      assert.equal(localDateTime('2026-11-24', '21:30')?.toISO(), '2026-11-24T21:30:00.000+01:00');
      // Fall-back night: the earlier of the two 02:30s, each time.
      assert.equal(localDateTime('2026-10-25', '02:30')?.toISO(), '2026-10-25T02:30:00.000+02:00');
      assert.equal(localDateTime('2026-10-25', '02:30')?.toISO(), '2026-10-25T02:30:00.000+02:00');
      for (let i = 0; i < 2; i++) {
        assert.equal(localDateTime('2026-02-30', '21:00'), undefined);
        assert.equal(localDateTime('2026-11-24', '24:00'), undefined);
        assert.equal(localDateTime('2026-11-24'.repeat(50), '21:00'), undefined);
      }
    });
  });

  describe('shiftKind', () => {
    it('depends on the holiday calendar as well as the shift', () => {
      // Wednesday 2026-11-25, 07:00–15:30: a weekday day shift (kvall) unless the date is a holiday.
      const shift = { date: '2026-11-25', start: '07:00', end: '15:30' };
      assert.equal(shiftKind(shift), 'kvall');
      assert.equal(shiftKind(shift, { extraDates: ['2026-11-25'] }), 'helgdag');
      assert.equal(shiftKind(shift), 'kvall');
      assert.equal(shiftKind(shift, { extraDates: ['2026-11-26'] }), 'kvall');
      assert.equal(shiftKind({ date: '2026-11-25', start: '21:00', end: '07:00' }), 'natt');
    });
  });

  describe('formatting', () => {
    it('formatShift per language and per shift', () => {
      const shift = { date: '2026-11-24', start: '21:00', end: '07:00' };
      assert.equal(formatShift(shift, 'sv'), 'tisdag 24 november 2026 kl. 21:00–07:00');
      assert.equal(formatShift(shift, 'en'), 'Tuesday 24 November 2026, 21:00–07:00');
      assert.equal(formatShift(shift, 'sv'), 'tisdag 24 november 2026 kl. 21:00–07:00');
      assert.equal(formatShift({ ...shift, date: '2026-11-25' }, 'sv'), 'onsdag 25 november 2026 kl. 21:00–07:00');
    });
    it('formatTime and formatDate by instant and language; an invalid date as before', () => {
      const d = new Date('2026-11-24T19:14:00Z');
      assert.equal(formatTime(d), '20:14');
      assert.equal(formatTime(new Date('2026-11-24T19:15:00Z')), '20:15');
      assert.equal(formatDate(d, 'sv'), 'tisdag 24 november 2026');
      assert.equal(formatDate(d, 'en'), 'Tuesday 24 November 2026');
      assert.equal(formatTime(new Date(NaN)), 'Invalid DateTime');
    });
  });

  describe('normalizeName', () => {
    it('the same answers, short and long names', () => {
      assert.equal(normalizeName('  ÅSA   Öberg '), 'asa oberg');
      assert.equal(normalizeName('  ÅSA   Öberg '), 'asa oberg');
      assert.equal(normalizeName('Åsa Öberg'), 'asa oberg');
      const long = `${'Å'.repeat(300)} Ö`;
      assert.equal(normalizeName(long), `${'a'.repeat(300)} o`);
      assert.equal(normalizeName(long), `${'a'.repeat(300)} o`);
      assert.equal(normalizeName(null), '');
    });
  });
});
