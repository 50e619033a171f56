/**
 * The call-in flow's shared types: the state kept in conversation state (SQL-backed, so a restart
 * mid-flow resumes), the verbs of the cards' actions, what a use case gets (`Turn`, `FlowDeps`) and
 * what it returns (`Reply`). No botbuilder types here: the handler (TrygghetsjourenBot) translates.
 */
import type { Logger } from 'pino';
import type { Clock, Lang } from '../../core/model';
import type { HolidayCalendarOptions } from '../../core/jourtid';
import type { Graph } from '../../graph';
import type { Db } from '../../store/db';
import type { Outbox } from '../../store/outbox';
import type { CallIns, RecordedCall } from '../../store/callIns';
import type { AdaptiveCard } from '../../cards/render';

/** The action verbs; one handler each (bot/flow/index.ts). */
export const VERBS = [
  'start',
  'help',
  'tonight',
  'unitSearch',
  'unitPick',
  'absenceSubmit',
  'callRecord',
  'toConfirm',
  'confirm',
  'back',
  'cancelFlow',
  'correctStart',
  'correctSubmit',
  'cancelStart',
  'cancelSubmit'
] as const;
export type Verb = (typeof VERBS)[number];

export type Step = 'unit' | 'absence' | 'candidates' | 'confirm' | 'done';

export interface AbsenceDraft {
  absentStaffId?: string;
  absentName?: string;
  reason: string;
  date: string;
  start: string;
  end: string;
  /** Staff ids from the unit's list. */
  working: string[];
  onLeave: string[];
}

/** One call-in in progress, per conversation. `rev` changes on every accepted action. */
export interface FlowState {
  flowId: string;
  step: Step;
  rev: number;
  unitId?: string;
  draft?: AbsenceDraft;
  calls: RecordedCall[];
  /** Set once confirmed: a replayed card then gets "already confirmed". */
  callInId?: string;
  startedAt: string;
}

/** The narrow part of graph/ that the conversation uses (tests may fake exactly this). */
export interface BotGraph {
  units: Pick<Graph['units'], 'list' | 'get'>;
  staff: Pick<Graph['staff'], 'get' | 'documents'>;
  authz: Graph['authz'];
}

export interface FlowSettings {
  /** Refuse (true) or warn (false) outside jourtid. */
  enforceJourtid: boolean;
  cal: HolidayCalendarOptions;
  reminderMinutes: number;
}

export interface FlowDeps {
  graph: BotGraph;
  db: Db;
  callIns: CallIns;
  outbox: Outbox;
  clock: Clock;
  settings: FlowSettings;
  logger: Logger;
  /** Called after a notice was enqueued (kicks the outbox worker). */
  onEnqueued?: () => void;
}

export interface Turn {
  lang: Lang;
  /** Entra object id and display name of the jourledare. */
  user: { id: string; name?: string };
  /** The conversation reference (opaque), for the receipt update and reminders. */
  conversationRef: unknown;
  /** Id of the message that holds the card that was acted on, when known. */
  cardActivityId?: string;
  locale?: string;
  flow?: FlowState;
  setFlow(f: FlowState | undefined): void;
}

/**
 * A use case's answer.
 * - card: the next card; replaces the card that was acted on (or is sent, for typed commands);
 * - message: a short text; the card that was acted on stays as it is (refusals, stale cards).
 * `afterSend` receives the id of the activity that now shows the card (the receipt's id).
 */
export type Reply =
  | { kind: 'card'; card: AdaptiveCard; afterSend?: (activityId: string | undefined) => Promise<void> }
  | { kind: 'message'; text: string };

/** Action data as it arrives (Action.Execute `data` or Action.Submit `value`): validated by zod in parse.ts. */
export interface ActionData {
  verb: Verb;
  flowId?: string;
  step?: string;
  rev?: number;
  [field: string]: unknown;
}
