/**
 * Is the card that was acted on the current one? Every action carries the flow's `{ flowId, step,
 * rev }`; anything else is a stale card, a double click (the first click already moved `rev` on) or
 * a replay. A replay of a confirmed flow is told so by name; nothing changes in either case.
 */
import { t } from '../texts';
import type { ActionData, FlowDeps, Reply, Step, Turn } from './types';

export function stale(turn: Turn, confirmedId?: string): Reply {
  return { kind: 'message', text: confirmedId ? t(turn.lang, 'alreadyConfirmed', { id: confirmedId }) : t(turn.lang, 'staleCard') };
}

/** Undefined when the action belongs to the current flow at one of `steps`; else the reply to give. */
export async function guard(deps: FlowDeps, turn: Turn, data: ActionData, steps: Step[]): Promise<Reply | undefined> {
  const f = turn.flow;
  if (!f || data.flowId !== f.flowId) {
    const confirmed = typeof data.flowId === 'string' && data.flowId !== '' ? await deps.callIns.byFlowId(data.flowId) : undefined;
    return stale(turn, confirmed?.id);
  }
  if (f.step === 'done') {
    return stale(turn, f.callInId);
  }
  if (data.step !== f.step || data.rev !== f.rev || !steps.includes(f.step)) {
    return stale(turn);
  }
  return undefined;
}
