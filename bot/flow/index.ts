/**
 * The verb table: one use case per card action verb (STYLE habit 11). The handler looks the verb up
 * here and calls it; adding a verb means adding a template action and one line here.
 */
import { back, callRecord, cancelFlow, confirm, absenceSubmit, start, toConfirm, unitPick, unitSearch } from './callIn';
import { cancelStart, cancelSubmit, correctStart, correctSubmit, tonight } from './after';
import type { ActionData, FlowDeps, Reply, Turn, Verb } from './types';
import { welcome } from './welcome';

export type UseCase = (deps: FlowDeps, turn: Turn, data: ActionData) => Promise<Reply>;

export const HANDLERS: Record<Verb, UseCase> = {
  start: (deps, turn) => start(deps, turn),
  help: (deps, turn) => welcome(deps, turn, true),
  tonight: (deps, turn) => tonight(deps, turn),
  unitSearch,
  unitPick,
  absenceSubmit,
  callRecord,
  toConfirm,
  confirm,
  back,
  cancelFlow,
  correctStart,
  correctSubmit,
  cancelStart,
  cancelSubmit
};

export { start, tonight, welcome, cancelFlow };
export { logSearch, unitInfo } from './after';
export type { FlowDeps, FlowState, Turn, Reply, BotGraph, FlowSettings } from './types';
