/**
 * The notice to the unit's DG group (DESIGN.md §2 "What the unit is told"): subject, HTML and plain
 * text, in Swedish. It names the unit, the shift, who is absent, who was ordered in, which
 * jourledare decided and when, and that compensation questions go to the unit manager.
 *
 * Privacy: no phone numbers (staff numbers are never passed in, and anything that looks like one
 * in free text is removed) and no reason for the absence (whether someone is sick is not the
 * unit group's business). Every name and text is HTML-escaped.
 */
import { formatDateTime, formatShift } from './format';
import type { ShiftInput } from './model';

export type NoticeKind = 'new' | 'correction' | 'cancellation';

export interface NoticeData {
  /** The call-in's id: the reference that ties the mail to the log. */
  callInId: string;
  unitName: string;
  shift: ShiftInput;
  absentName: string;
  /** Who was ordered in; the unit they come from when it is not the notice's unit. */
  orderedIn: Array<{ name: string; unitName?: string }>;
  /** The jourledare who decided. */
  decidedBy: string;
  decidedAt: Date;
  /** Why a correction or cancellation was made. */
  changeReason?: string;
  /** A short message from the jourledare to the unit. */
  message?: string;
}

export interface RenderedNotice {
  subject: string;
  html: string;
  text: string;
}

export const COMPENSATION_SENTENCE =
  'Frågor om ersättning hanteras inte av Trygghetsjouren. De besvaras av enhetens enhetschef enligt gällande avtal.';

const MAX_FREE_TEXT = 1000;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Removes anything that looks like a phone number (7+ digits, with or without separators).
 * Dates (2026-11-24, possibly followed by a time) are kept.
 */
export function stripPhoneNumbers(s: string): string {
  return s.replace(/(?:\+|\b00)?\d(?:[\s\-–().]*\d){6,}/g, (m) =>
    /^\d{4}-\d{2}-\d{2}(?:\s+\d{1,2})?$/.test(m) ? m : '[nummer borttaget]'
  );
}

/** One line, no control characters: for the subject (a header) and names. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function freeText(s: string | undefined): string | undefined {
  if (s === undefined) {
    return undefined;
  }
  const t = stripPhoneNumbers(s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')).trim().slice(0, MAX_FREE_TEXT);
  return t === '' ? undefined : t;
}

function person(p: { name: string; unitName?: string }, unitName: string): string {
  const name = stripPhoneNumbers(oneLine(p.name));
  return p.unitName && oneLine(p.unitName) !== oneLine(unitName) ? `${name} (${oneLine(p.unitName)})` : name;
}

export function renderNotice(kind: NoticeKind, data: NoticeData): RenderedNotice {
  const unit = oneLine(data.unitName);
  const shift = formatShift(data.shift, 'sv');
  const absent = stripPhoneNumbers(oneLine(data.absentName));
  const ordered = data.orderedIn.map((p) => person(p, unit));
  const orderedText = ordered.length > 0 ? ordered.join(', ') : 'ingen';
  const decided = `${stripPhoneNumbers(oneLine(data.decidedBy))}, ${formatDateTime(data.decidedAt, 'sv')}`;
  const reference = oneLine(data.callInId);
  const change = freeText(data.changeReason);
  const message = freeText(data.message);

  let subject: string;
  let intro: string;
  const rows: Array<[string, string]> = [];
  switch (kind) {
    case 'new':
      subject = `Beordrad personal: ${unit}, ${shift}`;
      intro =
        ordered.length > 0
          ? `Trygghetsjouren har beordrat in personal till ${unit}.`
          : `Trygghetsjouren har inte kunnat beordra in någon till ${unit}.`;
      break;
    case 'correction':
      subject = `Rättelse – beordrad personal: ${unit}, ${shift}`;
      intro = `Trygghetsjouren har rättat en tidigare beordring till ${unit}. Uppgifterna nedan gäller och ersätter det tidigare meddelandet.`;
      break;
    case 'cancellation':
      subject = `Återkallad beordring: ${unit}, ${shift}`;
      intro = `Trygghetsjouren har återkallat beordringen till ${unit}. ${
        ordered.length > 0 ? `${orderedText} ska inte arbeta passet på grund av beordringen.` : ''
      }`.trim();
      break;
  }
  rows.push(['Enhet', unit], ['Arbetspass', shift], ['Frånvarande', absent]);
  rows.push([kind === 'cancellation' ? 'Beordringen gällde' : 'Beordrad', orderedText]);
  rows.push([kind === 'new' ? 'Beslut av jourledare' : 'Ändrat av jourledare', decided]);
  if (change && kind !== 'new') {
    rows.push([kind === 'correction' ? 'Orsak till rättelsen' : 'Orsak', change]);
  }
  if (message) {
    rows.push(['Meddelande', message]);
  }
  rows.push(['Referens', reference]);
  const footer = 'Meddelandet skickades av Trygghetsjourens bot. Svara inte på det här mejlet.';

  const text = [
    intro,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    COMPENSATION_SENTENCE,
    '',
    footer,
    ''
  ].join('\n');

  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const html = [
    '<!DOCTYPE html>',
    '<html lang="sv"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#222">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table role="presentation" style="border-collapse:collapse">',
    ...rows.map(
      ([k, v]) =>
        `<tr><th scope="row" style="${cell};text-align:left;font-weight:600">${escapeHtml(k)}</th><td style="${cell}">${escapeHtml(v).replace(/\n/g, '<br>')}</td></tr>`
    ),
    '</table>',
    `<p>${escapeHtml(COMPENSATION_SENTENCE)}</p>`,
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>'
  ].join('\n');

  return { subject: subject.slice(0, 250), html, text };
}
