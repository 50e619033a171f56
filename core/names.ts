/**
 * Name matching. Staff lists are typed by hand in many units: the same person may be
 * "Åsa  Öberg", "asa oberg" or "ÅSA ÖBERG" in different lists. Everything that compares
 * names goes through {@link normalizeName}.
 */
import { memoize } from './memo';

/**
 * Normalise a name (or any label) for comparison: trims, collapses whitespace, lower-cases,
 * and folds diacritics (å/ä → a, ö → o, é → e, ü → u, ø → o, æ → ae, ß → ss …).
 * Punctuation other than hyphen and apostrophe becomes a space.
 */
export function normalizeName(s: string | null | undefined): string {
  if (s == null) {
    return '';
  }
  return normalizeMemo(String(s));
}

// Cards compare the same names on every turn (candidates against known shifts, unit search).
const normalizeMemo = memoize((s: string): string => computeNormalizeName(s), (s) => s, 10_000);

function computeNormalizeName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    // Letters NFKD does not decompose.
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ß/g, 'ss')
    .replace(/đ/g, 'd')
    .replace(/ł/g, 'l')
    // Typographic apostrophes and dashes.
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[^\p{L}\p{N}'-]+/gu, ' ')
    .replace(/\s*-\s*/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Stable id for a staff member from their name: the normalised name as a slug
 * ("Åsa Öberg" → "asa-oberg"). Two spellings that {@link normalizeName} considers equal
 * get the same id; ids are unique within one list because duplicate names are a parse problem.
 * An empty name gives "namnlos".
 */
export function staffId(name: string): string {
  return staffIdMemo(String(name));
}

// Eligibility keys every member of every list by it, on every candidates card.
const staffIdMemo = memoize((name: string): string => computeStaffId(name), (name) => name, 10_000);

function computeStaffId(name: string): string {
  const slug = normalizeName(name)
    .replace(/'/g, '')
    .replace(/[^a-z0-9\p{L}]+/gu, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug === '' ? 'namnlos' : slug;
}

/** True when two names are the same person's name as far as a list can tell. */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}
