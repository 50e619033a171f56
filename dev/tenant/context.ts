import type { GraphRequest, GraphResponse } from './http';
import type { TenantState } from './state';

/** What routes get besides the request: the state and the server's side effects. */
export interface Ctx {
  state: TenantState;
  /** Server root, e.g. http://127.0.0.1:5055 (download URLs live here). */
  url: string;
  /** Called after a list item changed: queues change notifications. */
  listChanged(listId: string): void;
  /** Runs one inner request (used by $batch). */
  dispatch(req: GraphRequest): Promise<GraphResponse>;
}

export type Handler = (req: GraphRequest, ctx: Ctx, params: string[]) => Promise<GraphResponse> | GraphResponse;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}
