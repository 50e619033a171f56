/**
 * Adaptive Card TextBlocks and FactSet facts render a markdown subset (bold, italic, lists, links).
 * A name typed by a jourledare, carried in a display name or read from a staff list must show as the
 * text it is, never as a link or formatting: `escapeMarkdown` makes it inert. Applied by
 * cards/render.ts to every data value shown in a markdown context, so templates cannot forget it.
 *
 * Inline syntax (`\ [ ] * _ ~` and backticks) is escaped wherever it occurs: with the brackets
 * escaped no link or image can form, so `( ) !` need not be (everyday characters in our own texts,
 * "Minimum staffing (night)"). Block markers (`# > + - =` and `1.` / `1)`) are escaped only at the
 * start of a line, where they mean something, so dates ("2026-01-15"), phone numbers and hyphenated
 * names stay as they are. HTML is not rendered by card clients: `<script>` is plain text. Bare URLs
 * (`scheme://`, `www.`) get a zero-width space so clients do not turn them into links.
 * Escapes are CommonMark backslash escapes: the client shows the character itself.
 */

const INLINE = /[\\`*_~[\]]/g;
const LINE_START = /^([ \t]*)([#>+\-=]|\d+[.)])/gm;
const URL_SCHEME = /([a-z][a-z0-9+.-]*):\/\//gi;
const WWW = /\b(www)\./gi;
const ZWSP = '\u200B';

/** True when `s` holds anything escapeMarkdown would change. */
export function needsMarkdownEscape(s: string): boolean {
  INLINE.lastIndex = 0;
  LINE_START.lastIndex = 0;
  return INLINE.test(s) || LINE_START.test(s) || s.includes('://') || /\bwww\./i.test(s);
}

/** `s` as literal text in a markdown TextBlock or fact. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(INLINE, '\\$&')
    .replace(LINE_START, (_m, indent: string, marker: string) => `${indent}${marker.replace(/([#>+\-=.)])$/, '\\$1')}`)
    .replace(URL_SCHEME, `$1:${ZWSP}//`)
    .replace(WWW, `$1${ZWSP}.`);
}
