/**
 * Phone numbers from staff lists, normalised to E.164 (+46…). Lists are typed by hand and pasted
 * from everywhere: "070-123 45 67", "0701234567", "+46 (0)70 123 45 67", "0046 70…", a number
 * cell that lost its leading 0 (701234567), landlines "031-365 85 85".
 */

export type PhoneResult = { ok: true; e164: string; note?: string } | { ok: false; reason: string };

/** Swedish national significant numbers are 7–9 digits (08-123 45 to 070-123 45 67). */
const SE_MIN = 7;
const SE_MAX = 9;

function swedish(nsn: string): PhoneResult {
  if (nsn.length < SE_MIN || nsn.length > SE_MAX || nsn.startsWith('0')) {
    return { ok: false, reason: 'har fel antal siffror för ett svenskt nummer' };
  }
  return { ok: true, e164: `+46${nsn}` };
}

/**
 * Normalises one phone value (string or number cell). Returns the E.164 form or a Swedish reason.
 * When a cell holds several numbers ("070-111 11 11 / 031-22 22 22") the first is used and `note`
 * says so.
 */
export function normalizePhone(value: string | number): PhoneResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value) || value <= 0) {
      return { ok: false, reason: 'är inte ett telefonnummer' };
    }
    value = String(value);
  }
  let s = value.trim();
  if (s === '') {
    return { ok: false, reason: 'är tomt' };
  }
  let note: string | undefined;
  const parts = s.split(/\s*(?:[/,;\n]|\beller\b|\bel\.)\s*/i).filter((p) => /\d/.test(p));
  if (parts.length > 1) {
    note = 'flera nummer angivna, det första används';
    s = parts[0] as string;
  }
  // "+46 (0)70…": the (0) is a national trunk prefix shown for readers.
  s = s.replace(/\(\s*0\s*\)/g, '');
  // A label before the number ("Mobil: 070…", "tel:+46…") and a remark after it ("(privat)").
  const m = /^[^\d+]*([+\d][\d\s\-().]*)(.*)$/s.exec(s);
  if (!m) {
    return { ok: false, reason: 'innehåller inga siffror' };
  }
  if (/\d/.test(m[2] as string)) {
    return { ok: false, reason: 'innehåller otillåtna tecken' };
  }
  s = (m[1] as string).replace(/[\s(]+$/, '');
  const plus = s.startsWith('+');
  const digits = s.replace(/\D/g, '');
  let r: PhoneResult;
  if (plus || digits.startsWith('00')) {
    const intl = plus ? digits : digits.slice(2);
    if (intl.startsWith('46')) {
      r = swedish(intl.slice(2).replace(/^0/, ''));
    } else if (intl.length >= 8 && intl.length <= 15 && !intl.startsWith('0')) {
      r = { ok: true, e164: `+${intl}` };
    } else {
      r = { ok: false, reason: 'är inte ett giltigt internationellt nummer' };
    }
  } else if (digits.startsWith('0')) {
    r = swedish(digits.slice(1));
  } else if (digits.startsWith('46') && digits.length >= 9 + 2 && digits.length <= SE_MAX + 2) {
    r = swedish(digits.slice(2));
  } else {
    // A number cell (or text) that lost its leading 0: 701234567, 31123456.
    r = swedish(digits);
  }
  if (r.ok && note) {
    return { ...r, note };
  }
  return r;
}
