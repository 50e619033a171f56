import { strict as assert } from 'node:assert';
import { normalizePhone } from '../../../core/phone';

describe('core/phone normalizePhone', () => {
  const ok: Array<[string | number, string]> = [
    ['070-123 45 67', '+46701234567'],
    ['0701234567', '+46701234567'],
    ['070 123 45 67', '+46701234567'],
    ['070-1234567', '+46701234567'],
    ['+46 70 123 45 67', '+46701234567'],
    ['+46701234567', '+46701234567'],
    ['+46 (0)70-123 45 67', '+46701234567'],
    ['+460701234567', '+46701234567'],
    ['0046 70 123 45 67', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['46701234567', '+46701234567'],
    [701234567, '+46701234567'],
    ['701234567', '+46701234567'],
    [46701234567, '+46701234567'],
    ['031-365 85 85', '+46313658585'],
    ['031 12 34 56', '+4631123456'],
    [31123456, '+4631123456'],
    ['08-123 456 78', '+46812345678'],
    ['(070) 123 45 67', '+46701234567'],
    ['070.123.45.67', '+46701234567'],
    ['Mobil: 070-123 45 67', '+46701234567'],
    ['tel:+46701234567', '+46701234567'],
    ['070-123 45 67 (privat)', '+46701234567'],
    ['+47 412 34 567', '+4741234567'],
    ['\u00a0070-123 45 67 ', '+46701234567']
  ];
  for (const [input, e164] of ok) {
    it(`${JSON.stringify(input)} → ${e164}`, () => {
      const r = normalizePhone(input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.e164, e164);
    });
  }
  it('several numbers: the first, with a note', () => {
    const r = normalizePhone('070-111 11 11 / 031-22 22 22');
    assert.ok(r.ok);
    assert.equal(r.e164, '+46701111111');
    assert.match(r.note ?? '', /flera nummer/);
    const r2 = normalizePhone('0701111111 eller 0702222222');
    assert.ok(r2.ok && r2.e164 === '+46701111111');
  });
  const bad: Array<string | number> = [
    '',
    '   ',
    'saknas',
    'ring växeln',
    '070',
    '12345',
    '070-123 45 67 89 01',
    '+46',
    '+1 23',
    '070+1234567',
    '070-123 45 67 ank 12',
    0,
    -701234567,
    7012345.67,
    Number.NaN,
    Number.POSITIVE_INFINITY
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const r = normalizePhone(input);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.length > 0);
    });
  }
});
