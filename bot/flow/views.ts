/**
 * View models for the cards: turn domain data into the strings the templates bind to. Dates and
 * times are formatted by core/format (sv-SE or English, 24-hour, Europe/Stockholm).
 */
import { ABSENCE_REASON_TEXT, type AbsenceReason } from '../../core/callIn';
import { formatShift, formatTime, formatIsoLocal } from '../../core/format';
import type { Lang, ShiftInput } from '../../core/model';
import { renderCard, type ActionContext, type AdaptiveCard, type CardName, type Note } from '../../cards/render';
import type { CallInRecord } from '../../store/callIns';
import { TEXTS, t } from '../texts';
import type { UnitContext } from './unitData';

export function card(name: CardName, data: object, lang: Lang, ctx?: ActionContext): AdaptiveCard {
  return renderCard(name, data, TEXTS[lang], ctx);
}

/** A simple card with a text, optional notes and buttons. */
export function messageCard(lang: Lang, text: string, opts: { title?: string; color?: Note['color']; notes?: Note[]; buttons?: Array<{ verb: string; title: string; data?: object }> } = {}): AdaptiveCard {
  return card('message', { title: opts.title ?? '', text, color: opts.color ?? 'Default', notes: opts.notes ?? [], buttons: (opts.buttons ?? []).map((b) => ({ data: {}, ...b })) }, lang);
}

export function unitInfoData(u: UnitContext, lang: Lang): object {
  const ms = u.list.instructions.minimumStaffing;
  const dash = t(lang, 'notGiven');
  const coop = u.list.instructions.cooperatingUnits;
  const problems = [...u.list.problems.map((p) => p.message), ...u.unit.problems, ...u.unmatched.map((n) => `${n}: ${lang === 'sv' ? 'finns inte i enhetslistan' : 'not in the units list'}`)];
  return {
    name: u.unit.name,
    unusable: u.list.unusable,
    minimumStaffing: t(lang, 'minimumStaffingLine', { kvall: ms.kvall ?? dash, natt: ms.natt ?? dash, helgdag: ms.helgdag ?? dash }),
    cooperating: coop.length > 0 ? coop.join(', ') : t(lang, 'noCooperatingUnits'),
    freeText: u.list.instructions.freeText ?? '',
    problems: problems.slice(0, 8),
    documents: u.documents.slice(0, 10)
  };
}

export function reasonText(reason: string, lang: Lang): string {
  return ABSENCE_REASON_TEXT[reason as AbsenceReason]?.[lang] ?? reason;
}

export function shiftText(shift: ShiftInput, lang: Lang): string {
  try {
    return formatShift(shift, lang);
  } catch {
    return `${shift.date} ${shift.start}–${shift.end}`;
  }
}

export function outcomeText(outcome: string, lang: Lang): string {
  return outcome === 'accepted' ? t(lang, 'outcomeAccepted') : outcome === 'declined' ? t(lang, 'outcomeDeclined') : t(lang, 'outcomeNoAnswer');
}

export function summaryOf(r: Pick<CallInRecord, 'unitName' | 'shiftDate' | 'startTime' | 'endTime' | 'absent' | 'orderedIn' | 'working' | 'onLeave' | 'dgAddress' | 'decidedByName' | 'decidedById'>, lang: Lang): object {
  const names = (xs: Array<{ name: string; unitName?: string }>): string =>
    xs.length === 0 ? '–' : xs.map((p) => (p.unitName && p.unitName !== r.unitName ? `${p.name} (${p.unitName})` : p.name)).join(', ');
  return {
    unit: r.unitName,
    shift: shiftText({ date: r.shiftDate, start: r.startTime, end: r.endTime }, lang),
    absent: `${r.absent.name} – ${reasonText(r.absent.reason, lang)}`,
    orderedIn: names(r.orderedIn),
    working: r.working.length ? r.working.join(', ') : '–',
    onLeave: r.onLeave.length ? r.onLeave.join(', ') : '–',
    to: r.dgAddress ?? '–',
    decidedBy: r.decidedByName ?? r.decidedById
  };
}

/** The receipt: "Skickat 02:14 till …", later "Mejlet har gått iväg 02:15" or the failure text. */
export function receiptCard(r: CallInRecord, lang: Lang): AdaptiveCard {
  let status: string;
  let statusColor: Note['color'];
  if (r.noticeFailedAt) {
    status = t(lang, 'receiptFailed', { time: formatTime(r.noticeFailedAt) });
    statusColor = 'Attention';
  } else if (r.noticeSentAt) {
    status = t(lang, 'receiptSent', { time: formatTime(r.noticeSentAt) });
    statusColor = 'Good';
  } else {
    status = t(lang, 'receiptQueued', { time: formatTime(r.decidedAt), to: r.dgAddress ?? '–' });
    statusColor = 'Default';
  }
  const notes: Note[] = r.dgAddress ? [] : [{ text: t(lang, 'noDgAddress'), color: 'Attention' }];
  return card('receipt', { status, statusColor, summary: summaryOf(r, lang), ref: t(lang, 'receiptRef', { id: r.id }), notes }, lang);
}

export function callInItem(r: CallInRecord, lang: Lang): object {
  const statusKey = r.status === 'cancelled' ? 'statusCancelled' : r.status === 'corrected' ? 'statusCorrected' : 'statusConfirmed';
  const notice = r.noticeFailedAt ? t(lang, 'noticeFailed') : r.noticeSentAt ? t(lang, 'noticeSentAt', { time: formatTime(r.noticeSentAt) }) : t(lang, 'noticePending');
  const ordered = r.orderedIn.map((p) => p.name).join(', ') || '–';
  return {
    id: r.id,
    title: `${r.unitName} · ${shiftText({ date: r.shiftDate, start: r.startTime, end: r.endTime }, lang)}`,
    line: `${t(lang, 'summaryAbsent')}: ${r.absent.name} → ${t(lang, 'summaryOrderedIn')}: ${ordered}`,
    status: `TJ-${r.id} · ${t(lang, statusKey)} · ${formatIsoLocal(r.decidedAt)} ${r.decidedByName ?? ''} · ${notice}`,
    canChange: r.status !== 'cancelled'
  };
}
