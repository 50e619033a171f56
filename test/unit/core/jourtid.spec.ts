import { strict as assert } from 'node:assert';
import {
  easterSunday,
  holidaysOf,
  holidayOn,
  isJourtid,
  isWeekendOrHoliday,
  localDateTime,
  nextJourtidChange,
  nightOverlapMs,
  shiftInterval,
  shiftInJourtid,
  shiftJourtidCoverage,
  shiftKind,
  shiftPassesMidnight
} from '../../../core/jourtid';
import type { ShiftInput, ShiftKind } from '../../../core/model';

/** An instant from an ISO string with an explicit offset: never the process time zone. */
const at = (iso: string): Date => new Date(iso);
const DAYS = ['söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag'];
const weekdayOf = (date: string): number => new Date(`${date}T12:00:00Z`).getUTCDay();

describe('core/jourtid', () => {
  describe('easterSunday', () => {
    const table: Array<[number, string]> = [
      [2000, '04-23'],
      [2008, '03-23'],
      [2011, '04-24'],
      [2019, '04-21'],
      [2024, '03-31'],
      [2025, '04-20'],
      [2026, '04-05'],
      [2038, '04-25'],
      [2100, '03-28'],
      [2285, '03-22'], // earliest possible
      [1943, '04-25'] // latest possible
    ];
    for (const [year, md] of table) {
      it(`${year} → ${md}`, () => {
        const e = easterSunday(year);
        assert.equal(`${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`, md);
      });
    }
    it('is a Sunday between 22 March and 25 April for 2000–2100', () => {
      for (let y = 2000; y <= 2100; y++) {
        const e = easterSunday(y);
        const d = new Date(Date.UTC(y, e.month - 1, e.day));
        assert.equal(d.getUTCDay(), 0, String(y));
        assert.ok(d >= new Date(Date.UTC(y, 2, 22)) && d <= new Date(Date.UTC(y, 3, 25)), String(y));
      }
    });
  });

  describe('holidaysOf', () => {
    it('2026 in full', () => {
      assert.deepEqual(
        holidaysOf(2026).map((h) => `${h.date} ${h.name}${h.extra ? ' *' : ''}`),
        [
          '2026-01-01 nyårsdagen',
          '2026-01-06 trettondedag jul',
          '2026-04-03 långfredagen',
          '2026-04-05 påskdagen',
          '2026-04-06 annandag påsk',
          '2026-05-01 första maj',
          '2026-05-14 Kristi himmelsfärdsdag',
          '2026-05-24 pingstdagen',
          '2026-06-06 Sveriges nationaldag',
          '2026-06-19 midsommarafton *',
          '2026-06-20 midsommardagen',
          '2026-10-31 alla helgons dag',
          '2026-12-24 julafton *',
          '2026-12-25 juldagen',
          '2026-12-26 annandag jul',
          '2026-12-31 nyårsafton *'
        ]
      );
    });
    it('extra days are configuration', () => {
      const names = holidaysOf(2026, { midsommarafton: false, julafton: false, nyarsafton: false }).map((h) => h.name);
      assert.ok(!names.includes('midsommarafton') && !names.includes('julafton') && !names.includes('nyårsafton'));
      assert.equal(names.length, 13);
      const withExtra = holidaysOf(2026, { extraDates: ['2026-03-02', '2027-01-01', '2026-12-25'] });
      assert.equal(withExtra.length, 17);
      assert.deepEqual(holidayOn('2026-03-02', { extraDates: ['2026-03-02'] }), {
        date: '2026-03-02',
        name: 'extra helgdag',
        extra: true
      });
    });
    it('before 2005: annandag pingst, not nationaldagen', () => {
      const names2004 = holidaysOf(2004).map((h) => h.name);
      assert.ok(names2004.includes('annandag pingst'));
      assert.ok(!names2004.includes('Sveriges nationaldag'));
      assert.equal(holidayOn('2004-05-31')?.name, 'annandag pingst');
      const names2005 = holidaysOf(2005).map((h) => h.name);
      assert.ok(!names2005.includes('annandag pingst'));
      assert.equal(holidayOn('2005-06-06')?.name, 'Sveriges nationaldag');
    });
    it('floating days keep their weekday and window, 2000–2100', () => {
      for (let y = 2000; y <= 2100; y++) {
        const by = (n: string): string => holidaysOf(y).find((h) => h.name === n)!.date;
        assert.equal(weekdayOf(by('långfredagen')), 5);
        assert.equal(weekdayOf(by('annandag påsk')), 1);
        assert.equal(weekdayOf(by('Kristi himmelsfärdsdag')), 4);
        assert.equal(weekdayOf(by('pingstdagen')), 0);
        assert.equal(weekdayOf(by('midsommarafton')), 5);
        const ms = by('midsommardagen');
        assert.equal(weekdayOf(ms), 6);
        assert.ok(ms >= `${y}-06-20` && ms <= `${y}-06-26`, ms);
        const ah = by('alla helgons dag');
        assert.equal(weekdayOf(ah), 6);
        assert.ok(ah >= `${y}-10-31` && ah <= `${y}-11-06`, ah);
      }
    });
  });

  describe('isJourtid: holidays on every weekday (noon local is jourtid)', () => {
    const fixed: Array<[string, string]> = [
      ['01-01', 'nyårsdagen'],
      ['01-06', 'trettondedag jul'],
      ['05-01', 'första maj'],
      ['06-06', 'Sveriges nationaldag'],
      ['12-24', 'julafton'],
      ['12-25', 'juldagen'],
      ['12-26', 'annandag jul'],
      ['12-31', 'nyårsafton']
    ];
    for (const [md, name] of fixed) {
      for (let dow = 0; dow < 7; dow++) {
        let year = 2005;
        while (weekdayOf(`${year}-${md}`) !== dow) {
          year++;
        }
        const date = `${year}-${md}`;
        it(`${name} on a ${DAYS[dow]} (${date})`, () => {
          assert.equal(holidayOn(date)?.name, name);
          // 12:00 local; winter or summer offset does not matter at noon +01/+02 either side.
          assert.equal(isJourtid(localDateTime(date, '12:00')!.toJSDate()), true);
        });
      }
    }
    it('the extra days are working days when switched off', () => {
      const cal = { midsommarafton: false, julafton: false, nyarsafton: false };
      assert.equal(isJourtid(at('2026-06-19T12:00:00+02:00'), cal), false);
      assert.equal(isJourtid(at('2026-12-24T12:00:00+01:00'), cal), false);
      assert.equal(isJourtid(at('2026-12-31T12:00:00+01:00'), cal), false);
      assert.equal(isJourtid(at('2026-12-31T12:00:00+01:00')), true);
    });
    const observances: Array<[string, string]> = [
      ['2026-04-02', 'skärtorsdagen'],
      ['2026-01-05', 'trettondagsafton'],
      ['2026-04-30', 'valborgsmässoafton'],
      ['2026-10-30', 'allhelgonaafton'],
      ['2026-05-25', 'annandag pingst'],
      ['2026-05-13', 'dagen före Kristi himmelsfärd'],
      ['2026-12-23', 'dagen före julafton']
    ];
    for (const [date, name] of observances) {
      it(`${name} (${date}) is an ordinary working day`, () => {
        assert.equal(isWeekendOrHoliday(date), false);
        assert.equal(isJourtid(localDateTime(date, '12:00')!.toJSDate()), false);
        assert.equal(isJourtid(localDateTime(date, '17:00')!.toJSDate()), true);
      });
    }
  });

  describe('isJourtid: boundaries to the millisecond', () => {
    const table: Array<[string, boolean, string]> = [
      // Tuesday 24 November 2026, winter time (+01:00)
      ['2026-11-24T06:59:59.999+01:00', true, 'weekday before 07:00'],
      ['2026-11-24T07:00:00.000+01:00', false, 'weekday 07:00'],
      ['2026-11-24T16:29:59.999+01:00', false, 'weekday before 16:30'],
      ['2026-11-24T16:30:00.000+01:00', true, 'weekday 16:30'],
      ['2026-11-24T00:00:00.000+01:00', true, 'weekday midnight'],
      ['2026-11-24T23:59:59.999+01:00', true, 'weekday end of day'],
      // Tuesday 7 July 2026, summer time (+02:00)
      ['2026-07-07T06:59:59.999+02:00', true, 'summer before 07:00'],
      ['2026-07-07T07:00:00.000+02:00', false, 'summer 07:00'],
      ['2026-07-07T16:29:59.999+02:00', false, 'summer before 16:30'],
      ['2026-07-07T16:30:00.000+02:00', true, 'summer 16:30'],
      // weekends
      ['2026-11-27T16:29:59.999+01:00', false, 'Friday before 16:30'],
      ['2026-11-27T16:30:00.000+01:00', true, 'Friday 16:30'],
      ['2026-11-28T12:00:00.000+01:00', true, 'Saturday noon'],
      ['2026-11-29T12:00:00.000+01:00', true, 'Sunday noon'],
      ['2026-11-30T06:59:59.999+01:00', true, 'Monday before 07:00'],
      ['2026-11-30T07:00:00.000+01:00', false, 'Monday 07:00'],
      // summer-time changes: Sunday 29 March 2026 and Sunday 25 October 2026
      ['2026-03-27T05:59:59.999Z', true, 'Friday before the spring change, 06:59 CET'],
      ['2026-03-27T06:00:00.000Z', false, 'Friday before the spring change, 07:00 CET'],
      ['2026-03-29T01:30:00.000Z', true, 'the spring-forward night (03:30 CEST)'],
      ['2026-03-30T04:59:59.999Z', true, 'Monday after the spring change, 06:59 CEST'],
      ['2026-03-30T05:00:00.000Z', false, 'Monday after the spring change, 07:00 CEST'],
      ['2026-03-30T14:29:59.999Z', false, 'Monday after, 16:29 CEST'],
      ['2026-03-30T14:30:00.000Z', true, 'Monday after, 16:30 CEST'],
      ['2026-10-26T05:59:59.999Z', true, 'Monday after the autumn change, 06:59 CET'],
      ['2026-10-26T06:00:00.000Z', false, 'Monday after the autumn change, 07:00 CET'],
      ['2026-10-23T14:29:59.999Z', false, 'Friday before the autumn change, 16:29 CEST'],
      ['2026-10-23T14:30:00.000Z', true, 'Friday before the autumn change, 16:30 CEST'],
      // holiday boundaries: midnight into and out of a holiday
      ['2026-05-13T23:59:59.999+02:00', true, 'evening before Kristi himmelsfärd'],
      ['2026-05-14T12:00:00.000+02:00', true, 'Kristi himmelsfärdsdag noon'],
      ['2026-05-15T07:00:00.000+02:00', false, 'Friday after Kristi himmelsfärd 07:00 (klämdag)']
    ];
    for (const [iso, expected, label] of table) {
      it(`${label}: ${iso} → ${expected}`, () => {
        assert.equal(isJourtid(at(iso)), expected);
      });
    }
    it('rejects an invalid Date', () => {
      assert.throws(() => isJourtid(new Date('nope')), RangeError);
    });
  });

  describe('nextJourtidChange', () => {
    const table: Array<[string, string, string]> = [
      ['2026-11-24T10:00:00+01:00', '2026-11-24T15:30:00.000Z', 'weekday day → 16:30'],
      ['2026-11-24T07:00:00+01:00', '2026-11-24T15:30:00.000Z', 'exactly 07:00 → 16:30'],
      ['2026-11-24T16:30:00+01:00', '2026-11-25T06:00:00.000Z', 'exactly 16:30 → next 07:00'],
      ['2026-11-24T03:00:00+01:00', '2026-11-24T06:00:00.000Z', 'night → 07:00 same day'],
      ['2026-11-27T17:00:00+01:00', '2026-11-30T06:00:00.000Z', 'Friday evening → Monday 07:00'],
      ['2026-12-23T17:00:00+01:00', '2026-12-28T06:00:00.000Z', 'before Christmas → Monday 28th'],
      ['2026-12-30T17:00:00+01:00', '2027-01-04T06:00:00.000Z', 'New Year → Monday 4 January'],
      ['2026-04-02T17:00:00+02:00', '2026-04-07T05:00:00.000Z', 'skärtorsdag evening → Tuesday after Easter'],
      ['2026-03-27T17:00:00+01:00', '2026-03-30T05:00:00.000Z', 'over the spring change'],
      ['2026-10-23T17:00:00+02:00', '2026-10-26T06:00:00.000Z', 'over the autumn change']
    ];
    for (const [from, expected, label] of table) {
      it(`${label}`, () => {
        assert.equal(nextJourtidChange(at(from)).toISOString(), expected);
      });
    }
    it('honours the configuration', () => {
      const cal = { julafton: false };
      assert.equal(nextJourtidChange(at('2026-12-23T17:00:00+01:00'), cal).toISOString(), '2026-12-24T06:00:00.000Z');
    });
    it('state flips exactly at the change, never before, for a year of instants', () => {
      let t = at('2026-01-01T00:00:00Z');
      const end = at('2027-01-10T00:00:00Z');
      let n = 0;
      while (t < end) {
        const state = isJourtid(t);
        const next = nextJourtidChange(t);
        assert.equal(isJourtid(new Date(next.getTime() - 1)), state, t.toISOString());
        assert.equal(isJourtid(next), !state, next.toISOString());
        t = next;
        n++;
      }
      assert.ok(n > 490, String(n));
    });
  });

  describe('shiftInterval', () => {
    const table: Array<[ShiftInput, string, string, number, string]> = [
      [{ date: '2026-11-24', start: '21:00', end: '07:00' }, '2026-11-24T20:00:00.000Z', '2026-11-25T06:00:00.000Z', 10, 'night'],
      [{ date: '2026-11-24', start: '16:30', end: '21:30' }, '2026-11-24T15:30:00.000Z', '2026-11-24T20:30:00.000Z', 5, 'evening'],
      [{ date: '2026-07-07', start: '7:00', end: '15:30' }, '2026-07-07T05:00:00.000Z', '2026-07-07T13:30:00.000Z', 8.5, 'summer, H:mm'],
      [{ date: '2026-11-24', start: '07:00', end: '07:00' }, '2026-11-24T06:00:00.000Z', '2026-11-25T06:00:00.000Z', 24, 'end = start: 24 h'],
      [{ date: '2026-03-28', start: '21:00', end: '07:00' }, '2026-03-28T20:00:00.000Z', '2026-03-29T05:00:00.000Z', 9, 'spring-forward night is 9 h'],
      [{ date: '2026-10-24', start: '21:00', end: '07:00' }, '2026-10-24T19:00:00.000Z', '2026-10-25T06:00:00.000Z', 11, 'fall-back night is 11 h'],
      [{ date: '2026-03-29', start: '02:30', end: '07:00' }, '2026-03-29T01:30:00.000Z', '2026-03-29T05:00:00.000Z', 3.5, 'non-existent 02:30 → 03:30 CEST'],
      [{ date: '2026-03-28', start: '22:00', end: '02:30' }, '2026-03-28T21:00:00.000Z', '2026-03-29T01:30:00.000Z', 4.5, 'end at non-existent 02:30 → 03:30 CEST'],
      [{ date: '2026-10-25', start: '02:30', end: '07:00' }, '2026-10-25T00:30:00.000Z', '2026-10-25T06:00:00.000Z', 5.5, 'ambiguous 02:30 → the first, CEST'],
      [{ date: '2026-12-31', start: '22:00', end: '06:00' }, '2026-12-31T21:00:00.000Z', '2027-01-01T05:00:00.000Z', 8, 'over the new year']
    ];
    for (const [shift, start, end, hours, label] of table) {
      it(label, () => {
        const iv = shiftInterval(shift);
        assert.equal(iv.start.toISOString(), start);
        assert.equal(iv.end.toISOString(), end);
        assert.equal((iv.end.getTime() - iv.start.getTime()) / 3_600_000, hours);
      });
    }
    for (const bad of [
      { date: '2026-11-31', start: '21:00', end: '07:00' },
      { date: '2026-13-01', start: '21:00', end: '07:00' },
      { date: '24/11/2026', start: '21:00', end: '07:00' },
      { date: '2026-11-24', start: '24:00', end: '07:00' },
      { date: '2026-11-24', start: '21:60', end: '07:00' },
      { date: '2026-11-24', start: '21:00', end: 'sju' }
    ]) {
      it(`throws on ${JSON.stringify(bad)}`, () => {
        assert.throws(() => shiftInterval(bad), RangeError);
      });
    }
    it('passes midnight when end <= start', () => {
      assert.equal(shiftPassesMidnight({ date: '2026-11-24', start: '21:00', end: '07:00' }), true);
      assert.equal(shiftPassesMidnight({ date: '2026-11-24', start: '7:00', end: '16:00' }), false);
    });
  });

  describe('shiftInJourtid and coverage', () => {
    const table: Array<[ShiftInput, boolean, boolean, string]> = [
      [{ date: '2026-11-24', start: '21:00', end: '07:00' }, true, true, 'weekday night'],
      [{ date: '2026-11-24', start: '21:30', end: '07:30' }, true, false, 'night ending 07:30: starts in jourtid'],
      [{ date: '2026-11-24', start: '16:30', end: '22:00' }, true, true, 'weekday evening'],
      [{ date: '2026-11-24', start: '15:00', end: '22:00' }, false, false, 'evening starting 15:00'],
      [{ date: '2026-11-24', start: '07:00', end: '16:00' }, false, false, 'weekday day'],
      [{ date: '2026-11-28', start: '07:00', end: '16:00' }, true, true, 'Saturday day'],
      [{ date: '2026-11-30', start: '06:00', end: '14:00' }, true, false, 'Monday early'],
      [{ date: '2026-12-24', start: '07:00', end: '15:00' }, true, true, 'julafton day']
    ];
    for (const [shift, inJ, whole, label] of table) {
      it(label, () => {
        assert.equal(shiftInJourtid(shift), inJ);
        const cov = shiftJourtidCoverage(shift);
        assert.equal(cov.whole, whole);
        assert.equal(cov.startsInJourtid, inJ);
      });
    }
    it('counts the part in jourtid', () => {
      const cov = shiftJourtidCoverage({ date: '2026-11-24', start: '21:30', end: '07:30' });
      assert.equal(cov.totalMs, 10 * 3_600_000);
      assert.equal(cov.jourtidMs, 9.5 * 3_600_000);
    });
  });

  describe('shiftKind', () => {
    const table: Array<[ShiftInput, ShiftKind, string]> = [
      [{ date: '2026-11-24', start: '21:00', end: '07:00' }, 'natt', 'weekday night'],
      [{ date: '2026-11-24', start: '22:00', end: '06:00' }, 'natt', 'short night'],
      [{ date: '2026-11-24', start: '20:00', end: '07:00' }, 'natt', 'long night'],
      [{ date: '2026-11-24', start: '16:30', end: '21:30' }, 'kvall', 'weekday evening'],
      [{ date: '2026-11-24', start: '15:00', end: '00:30' }, 'kvall', 'evening passing midnight'],
      [{ date: '2026-11-24', start: '17:00', end: '01:00' }, 'natt', 'half in the night window'],
      [{ date: '2026-11-28', start: '07:00', end: '15:30' }, 'helgdag', 'Saturday day'],
      [{ date: '2026-11-29', start: '06:45', end: '15:00' }, 'helgdag', 'Sunday early day'],
      [{ date: '2026-11-28', start: '16:30', end: '21:30' }, 'kvall', 'Saturday evening'],
      [{ date: '2026-11-28', start: '21:00', end: '07:00' }, 'natt', 'Saturday night'],
      [{ date: '2026-12-25', start: '07:00', end: '21:30' }, 'helgdag', 'juldagen long day'],
      [{ date: '2026-05-14', start: '08:00', end: '16:00' }, 'helgdag', 'Kristi himmelsfärdsdag (Thursday)'],
      [{ date: '2026-11-27', start: '16:30', end: '22:00' }, 'kvall', 'Friday evening'],
      [{ date: '2026-03-28', start: '21:00', end: '07:00' }, 'natt', 'spring-forward night'],
      [{ date: '2026-10-24', start: '21:00', end: '07:00' }, 'natt', 'fall-back night']
    ];
    for (const [shift, kind, label] of table) {
      it(`${label} → ${kind}`, () => {
        assert.equal(shiftKind(shift), kind);
      });
    }
    it('night overlap across DST is measured in real time', () => {
      const iv = shiftInterval({ date: '2026-10-24', start: '21:00', end: '07:00' });
      assert.equal(nightOverlapMs(iv.start, iv.end), 11 * 3_600_000);
    });
  });

  it('localDateTime rejects malformed input', () => {
    assert.equal(localDateTime('2026-02-30', '10:00'), undefined);
    assert.equal(localDateTime('2026-02-10', '1000'), undefined);
  });
});
