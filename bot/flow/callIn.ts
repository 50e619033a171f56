/**
 * The call-in use cases (DESIGN §4 steps 1–5): start → unit → absence → candidates → confirm.
 * Each takes the turn and the parsed action, checks it against the current flow state and the
 * rules of core/, and returns the next card. Nothing changes when a check fails.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { validateCallIn, type CallInDraft, type AbsenceReason } from '../../core/callIn';
import { eligibleCandidates, type Candidate } from '../../core/eligibility';
import { isJourtid, shiftInJourtid, shiftInterval, shiftKind, ZONE } from '../../core/jourtid';
import { checkMinimumStaffing, staffingText } from '../../core/minimumStaffing';
import { normalizeName } from '../../core/names';
import type { Lang, ShiftInput, StaffMember } from '../../core/model';
import type { NoticeData, NoticeKind } from '../../core/notice';
import { formatTime } from '../../core/format';
import { workingTimeWarnings } from '../../core/workingTime';
import type { Note } from '../../cards/render';
import type { CallInRecord, NewCallIn, PersonOnCallIn, RecordedCall } from '../../store/callIns';
import { t } from '../texts';
import { guard, stale } from './guard';
import { splitList } from './parse';
import { loadUnit, unitStaff, type UnitContext } from './unitData';
import { card, messageCard, receiptCard, reasonText, shiftText, summaryOf, unitInfoData, outcomeText } from './views';
import type { AbsenceDraft, ActionData, FlowDeps, FlowState, Reply, Turn } from './types';

const MAX_UNIT_HITS = 8;
/** The card stays small for phones and Teams' message size: declined people leave the list, the next ones move up. */
const MAX_CANDIDATES_SHOWN = 12;

export function ctxOf(f: FlowState): { flowId: string; step: string; rev: number } {
  return { flowId: f.flowId, step: f.step, rev: f.rev };
}

function next(turn: Turn, f: FlowState, patch: Partial<FlowState>): FlowState {
  const n = { ...f, ...patch, rev: f.rev + 1 };
  turn.setFlow(n);
  return n;
}

function todayLocal(deps: FlowDeps): string {
  return DateTime.fromJSDate(deps.clock.now(), { zone: ZONE }).toISODate() as string;
}

function jourtidNote(deps: FlowDeps, lang: Lang): Note[] {
  return isJourtid(deps.clock.now(), deps.settings.cal) ? [] : [{ text: t(lang, 'outsideJourtidWarning'), color: 'Warning' }];
}

/* ---------------------------------------------------------------- 1. start */

/** "Ny frånvaro": a new flow at the unit step, or the jourtid refusal. */
export async function start(deps: FlowDeps, turn: Turn): Promise<Reply> {
  const lang = turn.lang;
  if (deps.settings.enforceJourtid && !isJourtid(deps.clock.now(), deps.settings.cal)) {
    return {
      kind: 'card',
      card: messageCard(lang, t(lang, 'outsideJourtid'), { color: 'Attention', buttons: [{ verb: 'tonight', title: t(lang, 'btnTonight') }] })
    };
  }
  if (turn.flow && turn.flow.step !== 'done') {
    await deps.callIns.resolveReminder(turn.flow.flowId);
  }
  const f: FlowState = { flowId: randomBytes(12).toString('base64url'), step: 'unit', rev: 1, calls: [], startedAt: deps.clock.now().toISOString() };
  turn.setFlow(f);
  return { kind: 'card', card: unitSearchCard(turn, f, '', [], '', jourtidNote(deps, lang)) };
}

function unitSearchCard(turn: Turn, f: FlowState, query: string, results: Array<{ id: string; name: string }>, summary: string, notes: Note[]) {
  return card('unitSearch', { query, results, summary, notes }, turn.lang, ctxOf(f));
}

/* ---------------------------------------------------------------- 2. unit */

export async function unitSearch(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const g = await guard(deps, turn, data, ['unit']);
  if (g) {
    return g;
  }
  const lang = turn.lang;
  const query = typeof data.query === 'string' ? data.query.trim() : '';
  const q = normalizeName(query);
  const f = next(turn, turn.flow as FlowState, {});
  if (q.length < 2) {
    return { kind: 'card', card: unitSearchCard(turn, f, query, [], t(lang, 'unitSearchTooShort'), []) };
  }
  const tokens = q.split(' ');
  const hits = (await deps.graph.units.list())
    .filter((u) => u.active)
    .map((u) => ({ u, n: normalizeName(u.name) }))
    .filter(({ n }) => tokens.every((tok) => n.includes(tok)))
    .sort((a, b) => Number(b.n.startsWith(q)) - Number(a.n.startsWith(q)) || a.n.localeCompare(b.n, 'sv'));
  const results = hits.slice(0, MAX_UNIT_HITS).map(({ u }) => ({ id: u.id, name: u.name }));
  const summary =
    hits.length === 0
      ? t(lang, 'unitSearchNone', { query })
      : hits.length > MAX_UNIT_HITS
        ? t(lang, 'unitSearchMore', { shown: MAX_UNIT_HITS, count: hits.length })
        : t(lang, 'unitSearchHits', { count: hits.length });
  return { kind: 'card', card: unitSearchCard(turn, f, query, results, summary, []) };
}

export async function unitPick(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const g = await guard(deps, turn, data, ['unit']);
  if (g) {
    return g;
  }
  const u = await loadUnit(deps, data.unitId, { documents: true });
  if (!u) {
    return { kind: 'message', text: t(turn.lang, 'forgedUnit') };
  }
  const f = next(turn, turn.flow as FlowState, {
    step: 'absence',
    unitId: u.unit.id,
    draft: { reason: '', date: todayLocal(deps), start: '', end: '', working: [], onLeave: [] },
    calls: []
  });
  return { kind: 'card', card: absenceCard(deps, turn, f, u, [], jourtidNote(deps, turn.lang)) };
}

function absenceCard(deps: FlowDeps, turn: Turn, f: FlowState, u: UnitContext, problems: string[], notes: Note[]) {
  const d = f.draft as AbsenceDraft;
  const staff = u.list.unusable ? [] : u.list.staff.map((m) => ({ id: m.id, name: m.name }));
  return card(
    'absence',
    {
      unit: unitInfoData(u, turn.lang),
      staff,
      problems,
      notes,
      draft: {
        absent: d.absentStaffId ?? '',
        absentFree: d.absentName ?? '',
        reason: d.reason,
        date: d.date,
        start: d.start,
        end: d.end,
        working: d.working.join(','),
        onLeave: d.onLeave.join(',')
      }
    },
    turn.lang,
    ctxOf(f)
  );
}

/* ---------------------------------------------------------------- 3. absence */

export async function absenceSubmit(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const g = await guard(deps, turn, data, ['absence']);
  if (g) {
    return g;
  }
  const lang = turn.lang;
  const flow = turn.flow as FlowState;
  const u = await loadUnit(deps, flow.unitId, { documents: true });
  if (!u) {
    return { kind: 'message', text: t(lang, 'forgedUnit') };
  }
  const staff = u.list.unusable ? [] : u.list.staff;
  const ids = new Set(staff.map((m) => m.id));
  const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const absentId = str(data.absent);
  const working = splitList(data.working);
  const onLeave = splitList(data.onLeave);
  // The card only offers ids from the list: anything else was not sent by our card.
  if ((absentId && !ids.has(absentId)) || working.some((w) => !ids.has(w)) || onLeave.some((w) => !ids.has(w))) {
    return { kind: 'message', text: t(lang, 'forgedStaff') };
  }
  const draft: AbsenceDraft = {
    absentStaffId: absentId || undefined,
    absentName: absentId ? undefined : str(data.absentFree) || undefined,
    reason: str(data.reason),
    date: str(data.date),
    start: normTime(str(data.start)),
    end: normTime(str(data.end)),
    working,
    onLeave
  };
  const core: CallInDraft = {
    unitId: u.unit.id,
    absentStaffId: draft.absentStaffId,
    absentName: draft.absentName,
    reason: draft.reason as AbsenceReason,
    shift: { date: draft.date, start: draft.start, end: draft.end },
    working,
    onLeave
  };
  const problems = validateCallIn(core, {
    now: deps.clock.now(),
    unit: u.unit,
    staff,
    cal: deps.settings.cal,
    requireJourtid: deps.settings.enforceJourtid
  });
  if (problems.length > 0) {
    const f = next(turn, flow, { draft });
    return { kind: 'card', card: absenceCard(deps, turn, f, u, problems.map((p) => p.message[lang]), []) };
  }
  const f = next(turn, flow, { step: 'candidates', draft, calls: [] });
  await deps.callIns.scheduleReminder({
    flowId: f.flowId,
    userId: turn.user.id,
    conversationRef: turn.conversationRef,
    locale: turn.locale,
    text: t(lang, 'reminderText', { unit: u.unit.name, shift: shiftText(shiftOf(draft), lang) }),
    dueAt: new Date(deps.clock.now().getTime() + deps.settings.reminderMinutes * 60_000)
  });
  return { kind: 'card', card: await candidatesCard(deps, turn, f) };
}

/** "2130" / "21.30" / "9:00" → "21:30" / "09:00"; anything else unchanged (core reports it). */
function normTime(s: string): string {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(s);
  return m ? `${m[1].padStart(2, '0')}:${m[2]}` : s;
}

function shiftOf(d: AbsenceDraft): ShiftInput {
  return { date: d.date, start: d.start, end: d.end };
}

/* ---------------------------------------------------------------- 4. candidates */

interface CandidateView {
  u: UnitContext;
  candidates: Candidate[];
  unknownNames: string[];
  absentName: string;
}

async function candidateView(deps: FlowDeps, f: FlowState): Promise<CandidateView | undefined> {
  const u = await loadUnit(deps, f.unitId, { cooperating: true });
  if (!u || !f.draft) {
    return undefined;
  }
  const d = f.draft;
  const own = u.list.unusable ? [] : u.list.staff;
  const absentName = d.absentStaffId ? (own.find((m) => m.id === d.absentStaffId)?.name ?? d.absentStaffId) : (d.absentName ?? '');
  const names = (ids: string[]) => ids.map((id) => own.find((m) => m.id === id)?.name ?? id);
  const e = eligibleCandidates({
    unit: unitStaff(u.unit, u.list),
    cooperating: u.cooperating.map((c) => unitStaff(c.unit, c.list)),
    absent: absentName,
    working: names(d.working),
    onLeave: names(d.onLeave)
  });
  return { u, candidates: e.candidates, unknownNames: e.unknownNames, absentName };
}

function lastOutcome(calls: RecordedCall[], id: string): RecordedCall['outcome'] | undefined {
  for (let i = calls.length - 1; i >= 0; i--) {
    if (calls[i].staffId === id) {
      return calls[i].outcome;
    }
  }
  return undefined;
}

function phoneDisplay(e164: string): string {
  return e164.startsWith('+46') ? `0${e164.slice(3)}` : e164;
}

/** `view`: the candidate view of this flow already computed in this turn (it does not depend on the calls). */
async function candidatesCard(deps: FlowDeps, turn: Turn, f: FlowState, notes: Note[] = [], view?: CandidateView) {
  const lang = turn.lang;
  const v = view ?? (await candidateView(deps, f));
  if (!v) {
    return messageCard(lang, t(lang, 'forgedUnit'));
  }
  const d = f.draft as AbsenceDraft;
  const shift = shiftOf(d);
  const interval = shiftInterval(shift);
  const accepted = v.candidates.filter((c) => lastOutcome(f.calls, c.member.id) === 'accepted').length;
  const check = checkMinimumStaffing(v.u.list.instructions, shiftKind(shift, deps.settings.cal), d.working.length + accepted);
  const known = await deps.callIns.orderedInShifts(new Date(interval.start.getTime() - 8 * 86_400_000), new Date(interval.end.getTime() + 2 * 86_400_000));
  const allNotes: Note[] = [...notes];
  if (!deps.settings.enforceJourtid && !shiftInJourtid(shift, deps.settings.cal)) {
    allNotes.push({ text: t(lang, 'shiftOutsideJourtidWarning'), color: 'Warning' });
  }
  if (v.u.list.unusable) {
    allNotes.push({ text: t(lang, 'staffListUnusable'), color: 'Attention' });
  }
  if (v.unknownNames.length > 0) {
    allNotes.push({ text: t(lang, 'unknownNames', { names: v.unknownNames.join(', ') }), color: 'Default' });
  }
  const open = v.candidates.filter((c) => lastOutcome(f.calls, c.member.id) !== 'declined');
  if (open.length > MAX_CANDIDATES_SHOWN) {
    allNotes.push({ text: t(lang, 'moreCandidates', { count: open.length - MAX_CANDIDATES_SHOWN }), color: 'Default' });
  }
  const candidates = open.slice(0, MAX_CANDIDATES_SHOWN).map((c) => {
    const outcome = lastOutcome(f.calls, c.member.id);
    const mine = known.filter((k) => k.person.staffId === c.member.id || normalizeName(k.person.name) === normalizeName(c.member.name));
    const warnings = workingTimeWarnings(interval, mine.map((k) => ({ start: k.start, end: k.end }))).map((w) => w.message[lang]);
    return {
      id: c.member.id,
      rank: c.rank,
      name: c.member.name,
      unitLabel: c.reason === 'own_unit' ? t(lang, 'ownUnit') : t(lang, 'cooperatingUnit', { unit: c.unitName }),
      status: outcome ? outcomeText(outcome, lang) : '',
      statusColor: outcome === 'accepted' ? 'Good' : outcome === 'declined' ? 'Attention' : 'Default',
      warnings,
      tel: c.member.phone ? `tel:${c.member.phone}` : '',
      phoneDisplay: c.member.phone ? phoneDisplay(c.member.phone) : ''
    };
  });
  const calls = f.calls.map((c) => ({ time: formatTime(new Date(c.at)), name: c.name, outcome: outcomeText(c.outcome, lang) }));
  return card(
    'candidates',
    {
      header: {
        unit: v.u.unit.name,
        shift: shiftText(shift, lang),
        absent: `${t(lang, 'summaryAbsent')}: ${v.absentName} – ${reasonText(d.reason, lang)}`,
        staffing: staffingText(check, lang),
        staffingMet: check.missing === 0
      },
      candidates,
      calls,
      anyAccepted: accepted > 0,
      notes: allNotes
    },
    lang,
    ctxOf(f)
  );
}

export async function callRecord(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const g = await guard(deps, turn, data, ['candidates']);
  if (g) {
    return g;
  }
  const flow = turn.flow as FlowState;
  const v = await candidateView(deps, flow);
  const c = v?.candidates.find((x) => x.member.id === data.staffId);
  if (!c) {
    return { kind: 'message', text: t(turn.lang, 'forgedStaff') };
  }
  const call: RecordedCall = {
    staffId: c.member.id,
    name: c.member.name,
    unitName: c.unitName,
    outcome: data.outcome as RecordedCall['outcome'],
    at: deps.clock.now().toISOString()
  };
  const f = next(turn, flow, { calls: [...flow.calls, call] });
  return { kind: 'card', card: await candidatesCard(deps, turn, f, [], v) };
}

/* ---------------------------------------------------------------- 5. confirm */

interface Decision {
  record: Omit<NewCallIn, 'decidedAt' | 'conversationRef' | 'receiptActivityId' | 'locale' | 'decidedById' | 'decidedByName' | 'flowId'>;
  accepted: Candidate[];
}

async function decision(deps: FlowDeps, f: FlowState): Promise<Decision | undefined> {
  const v = await candidateView(deps, f);
  if (!v || !f.draft) {
    return undefined;
  }
  const d = f.draft;
  const own = v.u.list.unusable ? [] : v.u.list.staff;
  const nameOf = (id: string) => own.find((m: StaffMember) => m.id === id)?.name ?? id;
  const accepted = v.candidates.filter((c) => lastOutcome(f.calls, c.member.id) === 'accepted');
  const person = (c: Candidate): PersonOnCallIn => ({ staffId: c.member.id, name: c.member.name, unitId: c.unitId, unitName: c.unitName });
  const shift = shiftOf(d);
  const { start, end } = shiftInterval(shift);
  return {
    accepted,
    record: {
      unitId: v.u.unit.id,
      unitName: v.u.unit.name,
      dgAddress: v.u.unit.dgAddress,
      shiftDate: d.date,
      startTime: d.start,
      endTime: d.end,
      shiftStart: start,
      shiftEnd: end,
      absent: { staffId: d.absentStaffId, name: v.absentName, reason: d.reason },
      orderedIn: accepted.map(person),
      working: d.working.map(nameOf),
      onLeave: d.onLeave.map(nameOf),
      calls: f.calls,
      choices: v.candidates.map(person)
    }
  };
}

/**
 * The checks both "to confirmation" and "confirm" make: the card is current for `step`, the unit is
 * real, and someone accepted. Returns the refusal to send, or the flow and its decision.
 */
async function acceptedDecision(
  deps: FlowDeps,
  turn: Turn,
  data: ActionData,
  step: FlowState['step']
): Promise<{ reply: Reply } | { flow: FlowState; dec: Decision }> {
  const g = await guard(deps, turn, data, [step]);
  if (g) {
    return { reply: g };
  }
  const flow = turn.flow as FlowState;
  const dec = await decision(deps, flow);
  if (!dec) {
    return { reply: { kind: 'message', text: t(turn.lang, 'forgedUnit') } };
  }
  if (dec.accepted.length === 0) {
    return { reply: { kind: 'message', text: t(turn.lang, 'needAccepted') } };
  }
  return { flow, dec };
}

export async function toConfirm(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const checked = await acceptedDecision(deps, turn, data, 'candidates');
  if ('reply' in checked) {
    return checked.reply;
  }
  const { flow, dec } = checked;
  const f = next(turn, flow, { step: 'confirm' });
  return { kind: 'card', card: confirmCard(turn, f, dec) };
}

function confirmCard(turn: Turn, f: FlowState, dec: Decision) {
  const lang = turn.lang;
  const notes: Note[] = dec.record.dgAddress ? [] : [{ text: t(lang, 'noDgAddress'), color: 'Attention' }];
  const summary = summaryOf({ ...dec.record, decidedById: turn.user.id, decidedByName: turn.user.name }, lang);
  return card('confirm', { summary, notes, canConfirm: true }, lang, ctxOf(f));
}

/** The notice as the unit will read it (phone numbers never included). */
export function noticePayload(r: CallInRecord, kind: NoticeKind, by: { name?: string; id: string }, at: Date, changeReason?: string) {
  const data: NoticeData = {
    callInId: r.id,
    unitName: r.unitName,
    shift: { date: r.shiftDate, start: r.startTime, end: r.endTime },
    absentName: r.absent.name,
    orderedIn: r.orderedIn.map((p) => ({ name: p.name, unitName: p.unitName })),
    decidedBy: by.name ?? by.id,
    decidedAt: at,
    changeReason
  };
  return { callInId: r.id, kind, to: r.dgAddress ?? '', data: { ...data, decidedAt: at.toISOString() } };
}

export async function confirm(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const checked = await acceptedDecision(deps, turn, data, 'confirm');
  if ('reply' in checked) {
    return checked.reply;
  }
  const { flow, dec } = checked;
  const lang = turn.lang;
  const now = deps.clock.now();
  const rec: NewCallIn = {
    ...dec.record,
    flowId: flow.flowId,
    decidedById: turn.user.id,
    decidedByName: turn.user.name,
    decidedAt: now,
    conversationRef: turn.conversationRef,
    receiptActivityId: turn.cardActivityId,
    locale: turn.locale
  };
  // One transaction: the call-in (its reminder settled with it) and its notice in the outbox.
  const stored = await deps.db.transaction(async (tx) => {
    const created = await deps.callIns.create(tx, rec);
    if (!created) {
      return undefined;
    }
    await deps.outbox.enqueue(tx, {
      idempotencyKey: `notice:${created.id}:new`,
      kind: 'notice',
      payload: noticePayload(created, 'new', turn.user, now)
    });
    return created;
  });
  if (!stored) {
    const existing = await deps.callIns.byFlowId(flow.flowId);
    return stale(turn, existing?.id);
  }
  const id = stored.id;
  deps.logger.info({ callInId: id, unitId: rec.unitId, orderedIn: rec.orderedIn.length, calls: rec.calls.length }, 'call-in confirmed; notice queued');
  next(turn, flow, { step: 'done', callInId: id });
  deps.onEnqueued?.();
  // The receipt shows the record as committed (the outbox worker updates it once the mail has gone).
  return {
    kind: 'card',
    card: receiptCard(stored, lang),
    afterSend: async (activityId) => {
      if (activityId && activityId !== stored.receiptActivityId) {
        await deps.callIns.setReceiptActivity(id, activityId);
      }
    }
  };
}

/* ---------------------------------------------------------------- back / cancel */

export async function back(deps: FlowDeps, turn: Turn, data: ActionData): Promise<Reply> {
  const g = await guard(deps, turn, data, ['absence', 'candidates', 'confirm']);
  if (g) {
    return g;
  }
  const flow = turn.flow as FlowState;
  if (flow.step === 'absence') {
    const f = next(turn, flow, { step: 'unit' });
    return { kind: 'card', card: unitSearchCard(turn, f, '', [], '', []) };
  }
  if (flow.step === 'candidates') {
    const u = await loadUnit(deps, flow.unitId, { documents: true });
    if (!u) {
      return { kind: 'message', text: t(turn.lang, 'forgedUnit') };
    }
    const f = next(turn, flow, { step: 'absence' });
    return { kind: 'card', card: absenceCard(deps, turn, f, u, [], []) };
  }
  const f = next(turn, flow, { step: 'candidates' });
  return { kind: 'card', card: await candidatesCard(deps, turn, f) };
}

export async function cancelFlow(deps: FlowDeps, turn: Turn, data: ActionData | undefined): Promise<Reply> {
  const lang = turn.lang;
  if (data) {
    const g = await guard(deps, turn, data, ['unit', 'absence', 'candidates', 'confirm']);
    if (g) {
      return g;
    }
  } else if (!turn.flow || turn.flow.step === 'done') {
    return { kind: 'card', card: messageCard(lang, t(lang, 'noFlow'), { buttons: [{ verb: 'start', title: t(lang, 'btnNew') }] }) };
  }
  await deps.callIns.resolveReminder((turn.flow as FlowState).flowId);
  turn.setFlow(undefined);
  return { kind: 'card', card: messageCard(lang, t(lang, 'flowCancelled'), { buttons: [{ verb: 'start', title: t(lang, 'btnNew') }] }) };
}
