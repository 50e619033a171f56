/** The bot's clock: CLOCK_START starts it at a chosen instant and it runs on in real time. */
import { strict as assert } from 'node:assert';
import { calendarFromConfig, offsetClock } from '../../bot/clock';

describe('bot/clock', () => {
  it('without CLOCK_START it is the real clock', () => {
    let real = 1_000;
    const c = offsetClock(undefined, () => real);
    assert.equal(c.now().getTime(), 1_000);
    real = 5_000;
    assert.equal(c.now().getTime(), 5_000);
  });
  it('with CLOCK_START it starts there and advances with real time', () => {
    let real = Date.parse('2026-06-01T10:00:00Z');
    const c = offsetClock('2026-11-24T02:14:00+01:00', () => real);
    assert.equal(c.now().toISOString(), '2026-11-24T01:14:00.000Z');
    real += 60_000;
    assert.equal(c.now().toISOString(), '2026-11-24T01:15:00.000Z');
  });
  it('refuses an invalid instant', () => {
    assert.throws(() => offsetClock('not a date'), /CLOCK_START/);
  });
  const cases: Array<[string[], ReturnType<typeof calendarFromConfig>]> = [
    [['midsommarafton', 'julafton', 'nyarsafton'], { midsommarafton: true, julafton: true, nyarsafton: true, extraDates: [] }],
    [['julafton', '2026-12-28'], { midsommarafton: false, julafton: true, nyarsafton: false, extraDates: ['2026-12-28'] }],
    [[], { midsommarafton: false, julafton: false, nyarsafton: false, extraDates: [] }]
  ];
  for (const [input, expected] of cases) {
    it(`EXTRA_HOLIDAYS ${JSON.stringify(input)}`, () => assert.deepEqual(calendarFromConfig(input), expected));
  }
});
