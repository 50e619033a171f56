/**
 * After the call-in (DESIGN §4 step 6): tonight's call-ins, the log by unit and date, and
 * correcting (reason required, kept in the log) or cancelling a call-in — each in one transaction
 * with its own follow-up notice in the outbox (own idempotency key).
 * A correction or cancellation card carries the call-in's version as `rev`: if the call-in changed
 * since the card was shown, the submit is stale and changes nothing.
 */
import { DateTime } from 'luxon';
import { validateCallIn, type AbsenceReason } from '../../core/callIn';
import { isWeekendOrHoliday, shiftInterval, ZONE } from '../../core/jourtid';
import { formatIsoLocal } from '../../core/format';
import { normalizeName } from '../../core/names';
import type { CallInRecord } from '../../store/callIns';
import { t } from '../texts';
import { noticePayload } from './callIn';
import { splitList } from './parse';
import { callInItem, card, messageCard, unitInfoData } from './views';
import { loadUnit } from './unitData';
import type { ActionData, FlowDeps, Reply, Turn } from './types';

/**
 * Start of "tonight": 16:30 on the latest working day whose 16:30 has passed. In jourtid that is the
 * start of the current jourtid period (weekends and holidays run on from the Friday's 16:30); in
 * daytime it shows the night that just ended.
 */
export function tonightSince(now: Date, cal: FlowDeps['settings']['cal']): Date {
  let day = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  for (let i = 0; i < 30; i++, day = day.minus({ days: 1 })) {
    const at = day.set({ hour: 16, minute: 30 });
    if (at.toMillis() <= now.getTime() && !isWeekendOrHoliday(day.toISODate() as string, cal)) {
      return at.toJSDate();
    }
  }
  /* c8 ignore next */
  return day.toJSDate();
}

export async function tonight(deps: FlowDeps, turn: Turn): Promise<Reply> {
  const lang = turn.lang;
  const since = tonightSince(deps.clock.now(), deps.settings.cal);
  const items = (await deps.callIns.decidedSince(since)).map((r) => callInItem(r, lang));
  const sinceText = formatIsoLocal(since);
  return {
    kind: 'card',
    card: card('callInList', { title: t(lang, 'tonightTitle'), subtitle: t(lang, 'tonightSince', { since: sinceText }), empty: t(lang, 'tonightNone', { since: sinceText }), items }, lang)
  };
}

/** Finds one unit by (part of) its name: the exact name wins; several hits is a list of names. */
async function findUnit(deps: FlowDeps, turn: Turn, query: string): Promise<{ id: string; name: string } | Reply> {
  const lang = turn.lang;
  const q = normalizeName(query);
  const units = (await deps.graph.units.list()).filter((u) => u.active);
  const exact = units.find((u) => normalizeName(u.name) === q);
  const hits = exact ? [exact] : units.filter((u) => normalizeName(u.name).includes(q));
  if (hits.length === 0) {
    return { kind: 'message', text: t(lang, 'unitSearchNone', { query }) };
  }
  if (hits.length > 1) {
    return { kind: 'message', text: `${t(lang, 'unitSearchHits', { count: hits.length })}: ${hits.slice(0, 10).map((u) => u.name).join(', ')}` };
  }
  return hits[0];
}

/** "enhet <namn>": the unit's instructions and routine documents, outside a call-in. */
export async function unitInfo(deps: FlowDeps, turn: Turn, args: string): Promise<Reply> {
  const lang = turn.lang;
  if (normalizeName(args).length < 2) {
    return { kind: 'message', text: t(lang, 'unitSearchTooShort') };
  }
  const hit = await findUnit(deps, turn, args.trim());
  if ('kind' in hit) {
    return hit;
  }
  const u = await loadUnit(deps, hit.id, { documents: true });
  if (!u) {
    return { kind: 'message', text: t(lang, 'forgedUnit') };
  }
  return { kind: 'card', card: card('unitInfo', { unit: unitInfoData(u, lang) }, lang) };
}

/** "logg <enhet> [ÅÅÅÅ-MM-DD]". */
export async function logSearch(deps: FlowDeps, turn: Turn, args: string): Promise<Reply> {
  const lang = turn.lang;
  const m = /^(.*?)(?:\s+(\d{4}-\d{2}-\d{2}))?\s*$/.exec(args.trim());
  const query = normalizeName(m?.[1] ?? '');
  const date = m?.[2];
  if (query.length < 2) {
    return { kind: 'message', text: t(lang, 'logUsage') };
  }
  const unit = await findUnit(deps, turn, (m?.[1] ?? '').trim());
  if ('kind' in unit) {
    return unit;
  }
  const items = (await deps.callIns.search(unit.id, date)).map((r) => callInItem(r, lang));
  return {
    kind: 'card',
    card: card('callInList', { title: t(lang, 'logTitle', { unit: unit.name }), subtitle: date ?? '', empty: t(lang, 'logNone'), items }, lang)
  };
}

function editCtx(r: CallInRecord, step: string) {
  return { flowId: `callin:${r.id}`, step, rev: r.version };
}

async function current(deps: FlowDeps, turn: Turn, data: ActionData, step: string): Promise<CallInRecord | Reply> {
  const r = typeof data.callInId === 'string' ? await deps.callIns.get(data.callInId) : undefined;
  if (!r) {
    return { kind: 'message', text: t(turn.lang, 'callInNotFound') };
  }
  if (r.status === 'cancelled') {
    return { kind: 'message', text: t(turn.lang, 'alreadyCancelled') };
  }
  if (step !== 'start' && (data.flowId !== `callin:${r.id}` || data.step !== step || data.rev !== r.version)) {
    return { kind: 'message', text: t(turn.lang, 'staleCard') };
  }
  return r;
}

const isReply = (x: CallInRecord | Reply): x is Reply => 'kind' in x;

function correctCard(turn: Turn, r: CallInRecord, draft: { date: string; start: string; end: string; orderedIn: string; reason: string }, problems: string[]) {
  return card(
    'correct',
    {
      title: t(turn.lang, 'correctTitle', { id: r.id }),
      unitName: r.unitName,
      callInId: r.id,
      draft,
      problems,
      choices: r.choices.map((c) => ({ id: c.staffId, name: c.unitName && c.unitName !== r.unitName ? `${c.name} (${c.unitName})` : c.name }))
    },
    turn.lang,
    editCtx(r, 'correct')
  );
}

export async function correctStart(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const r = await current(deps, turn, data, 'start');
  if (isReply(r)) {
    return r;
  }
  const draft = { date: r.shiftDate, start: r.startTime, end: r.endTime, orderedIn: r.orderedIn.map((p) => p.staffId).join(','), reason: '' };
  return { kind: 'card', card: correctCard(turn, r, draft, []) };
}

export async function correctSubmit(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const lang = turn.lang;
  const r = await current(deps, turn, data, 'correct');
  if (isReply(r)) {
    return r;
  }
  const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const ids = splitList(data.orderedIn);
  const chosen = ids.map((id) => r.choices.find((c) => c.staffId === id));
  if (chosen.some((c) => c === undefined)) {
    return { kind: 'message', text: t(lang, 'forgedStaff') };
  }
  const draft = { date: str(data.date), start: str(data.start), end: str(data.end), orderedIn: ids.join(','), reason: str(data.reason) };
  const problems: string[] = [];
  if (draft.reason === '') {
    problems.push(t(lang, 'reasonRequired'));
  }
  if (ids.length === 0) {
    problems.push(t(lang, 'needAccepted'));
  }
  const shift = { date: draft.date, start: draft.start, end: draft.end };
  const core = validateCallIn(
    { unitId: r.unitId, absentName: r.absent.name, reason: r.absent.reason as AbsenceReason, shift, working: [], onLeave: [] },
    { now: deps.clock.now(), cal: deps.settings.cal, requireJourtid: deps.settings.enforceJourtid }
  );
  problems.push(...core.filter((p) => p.field.startsWith('shift')).map((p) => p.message[lang]));
  const orderedIn = chosen as CallInRecord['orderedIn'];
  const unchanged =
    shift.date === r.shiftDate &&
    shift.start === r.startTime &&
    shift.end === r.endTime &&
    orderedIn.map((p) => p.staffId).sort().join(',') === r.orderedIn.map((p) => p.staffId).sort().join(',');
  if (problems.length === 0 && unchanged) {
    problems.push(t(lang, 'correctionNoChange'));
  }
  if (problems.length > 0) {
    return { kind: 'card', card: correctCard(turn, r, draft, problems) };
  }
  const { start, end } = shiftInterval(shift);
  const now = deps.clock.now();
  const ok = await deps.db.transaction(async (tx) => {
    const v = await deps.callIns.correct(
      tx,
      r.id,
      r.version,
      { shiftDate: shift.date, startTime: shift.start, endTime: shift.end, shiftStart: start, shiftEnd: end, orderedIn },
      { reason: draft.reason, actorId: turn.user.id, actorName: turn.user.name, at: now, data: { before: { shift: [r.shiftDate, r.startTime, r.endTime], orderedIn: r.orderedIn.map((p) => p.name) } } }
    );
    if (v === undefined) {
      return false;
    }
    const updated = (await deps.callIns.get(r.id, tx)) as CallInRecord;
    await deps.outbox.enqueue(tx, {
      idempotencyKey: `notice:${r.id}:v${v}:correction`,
      kind: 'notice',
      payload: noticePayload(updated, 'correction', turn.user, now, draft.reason)
    });
    return true;
  });
  if (!ok) {
    return { kind: 'message', text: t(lang, 'staleCard') };
  }
  deps.logger.info({ callInId: r.id }, 'call-in corrected; follow-up notice queued');
  deps.onEnqueued?.();
  return { kind: 'card', card: messageCard(lang, t(lang, 'correctionSaved', { id: r.id }), { color: 'Good', buttons: [{ verb: 'tonight', title: t(lang, 'btnTonight') }] }) };
}

export async function cancelStart(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const r = await current(deps, turn, data, 'start');
  if (isReply(r)) {
    return r;
  }
  return { kind: 'card', card: cancelCard(turn, r, []) };
}

function cancelCard(turn: Turn, r: CallInRecord, problems: string[]) {
  return card(
    'cancelCallIn',
    { title: t(turn.lang, 'cancelTitle', { id: r.id }), line: (callInItem(r, turn.lang) as { title: string }).title, callInId: r.id, problems },
    turn.lang,
    editCtx(r, 'cancel')
  );
}

export async function cancelSubmit(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const lang = turn.lang;
  const r = await current(deps, turn, data, 'cancel');
  if (isReply(r)) {
    return r;
  }
  const reason = typeof data.reason === 'string' ? data.reason.trim() : '';
  if (reason === '') {
    return { kind: 'card', card: cancelCard(turn, r, [t(lang, 'reasonRequired')]) };
  }
  const now = deps.clock.now();
  const ok = await deps.db.transaction(async (tx) => {
    const v = await deps.callIns.cancel(tx, r.id, r.version, { reason, actorId: turn.user.id, actorName: turn.user.name, at: now });
    if (v === undefined) {
      return false;
    }
    await deps.outbox.enqueue(tx, {
      idempotencyKey: `notice:${r.id}:cancellation`,
      kind: 'notice',
      payload: noticePayload(r, 'cancellation', turn.user, now, reason)
    });
    return true;
  });
  if (!ok) {
    return { kind: 'message', text: t(lang, 'staleCard') };
  }
  deps.logger.info({ callInId: r.id }, 'call-in cancelled; follow-up notice queued');
  deps.onEnqueued?.();
  return { kind: 'card', card: messageCard(lang, t(lang, 'cancelSaved', { id: r.id }), { color: 'Good', buttons: [{ verb: 'tonight', title: t(lang, 'btnTonight') }] }) };
}
