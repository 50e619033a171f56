/**
 * `POST /$batch`, following Microsoft Graph "Combine multiple HTTP requests using JSON batching":
 * at most 20 requests; unique ids; a body needs a Content-Type header; `dependsOn` orders
 * requests and a failed dependency gives 424; each response carries its own status, headers and
 * body (binary bodies base64-encoded); throttling applies per request (429 inside a 200 batch).
 */
import { graphError, json, type GraphRequest, type GraphResponse } from './http';

export const MAX_BATCH = 20;

export interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

/** Runs one inner request; 'drop' means a fault asked to drop the connection. */
export type InnerRunner = (inner: InnerRequest, batchReq: GraphRequest) => Promise<GraphResponse | 'drop'>;

export async function runBatch(req: GraphRequest, run: InnerRunner): Promise<GraphResponse | 'drop'> {
  const body = req.body as { requests?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.requests)) {
    return graphError(req, 400, 'BadRequest', 'Invalid batch payload format.');
  }
  const requests = body.requests as InnerRequest[];
  if (requests.length === 0) {
    return graphError(req, 400, 'BadRequest', 'Invalid batch payload format: no requests.');
  }
  if (requests.length > MAX_BATCH) {
    return graphError(req, 400, 'BadRequest', `Limit of ${MAX_BATCH} requests per batch exceeded.`);
  }
  const seen = new Set<string>();
  for (const r of requests) {
    if (!r || typeof r.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') {
      return graphError(req, 400, 'BadRequest', 'Invalid batch payload format: each request needs id, method and url.');
    }
    const key = r.id.toLowerCase();
    if (seen.has(key)) {
      return graphError(req, 400, 'BadRequest', `Batch request ids must be unique; '${r.id}' is repeated.`);
    }
    seen.add(key);
    if (/^https?:/i.test(r.url)) {
      return graphError(req, 400, 'BadRequest', `Invalid request URL '${r.url}': a batch request URL must be relative.`);
    }
  }
  for (const r of requests) {
    for (const d of r.dependsOn ?? []) {
      if (!seen.has(String(d).toLowerCase())) {
        return graphError(req, 400, 'BadRequest', `Request '${r.id}' depends on unknown request '${d}'.`);
      }
    }
  }
  const results = new Map<string, GraphResponse>();
  const respond = (id: string, r: GraphResponse): Record<string, unknown> => {
    let b = r.body;
    if (Buffer.isBuffer(b)) {
      b = b.toString('base64');
    }
    return { id, status: r.status, headers: r.headers ?? {}, ...(b !== undefined ? { body: b } : {}) };
  };
  const one = async (r: InnerRequest): Promise<GraphResponse | 'drop'> => {
    const failedDep = (r.dependsOn ?? []).find((d) => {
      const dep = results.get(String(d).toLowerCase());
      return !dep || dep.status >= 400;
    });
    if (failedDep !== undefined) {
      return graphError(req, 424, 'FailedDependency', `The request depends on '${failedDep}', which failed.`);
    }
    if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
      return graphError(req, 400, 'BadRequest', 'A Content-Type header is required when a request in a batch has a body.');
    }
    if (/^\/?\$batch/i.test(r.url)) {
      return graphError(req, 400, 'BadRequest', 'Nested batch requests are not supported.');
    }
    return run(r, req);
  };
  const sequential = requests.some((r) => (r.dependsOn ?? []).length > 0);
  const out: Record<string, unknown>[] = [];
  if (sequential) {
    const pending = [...requests];
    while (pending.length) {
      const idx = pending.findIndex((r) => (r.dependsOn ?? []).every((d) => results.has(String(d).toLowerCase())));
      if (idx < 0) {
        return graphError(req, 400, 'BadRequest', 'The dependsOn graph of the batch has a cycle.');
      }
      const r = pending.splice(idx, 1)[0]!;
      const res = await one(r);
      if (res === 'drop') {
        return 'drop';
      }
      results.set(r.id.toLowerCase(), res);
      out.push(respond(r.id, res));
    }
  } else {
    const all = await Promise.all(requests.map((r) => one(r)));
    if (all.includes('drop')) {
      return 'drop';
    }
    all.forEach((res, i) => out.push(respond(requests[i]!.id, res as GraphResponse)));
  }
  return json(200, { responses: out });
}
