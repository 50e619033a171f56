/**
 * The seam every route works through: a Graph request as data in, a Graph response as data out.
 * The HTTP server and `$batch` both call routes this way, so a request inside a batch behaves
 * exactly like the same request on its own (Graph: "JSON batching", per-request status).
 */
import { createHash, randomUUID } from 'node:crypto';

export interface GraphRequest {
  method: string;
  /** Path below /v1.0, starting with '/', percent-decoded per segment by the router. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw bytes for content uploads. */
  body: unknown;
  rawBody: Buffer;
  /** Absolute base for links we hand out (http://127.0.0.1:PORT/v1.0). */
  base: string;
  requestId: string;
  clientRequestId?: string;
  /** True when this request came from inside a $batch. */
  inBatch: boolean;
}

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON value, Buffer (binary), string (text), or undefined (no body). */
  body?: unknown;
}

/** Graph's innerError date: ISO without milliseconds or zone, as in Microsoft's examples. */
export function errorDate(d = new Date()): string {
  return d.toISOString().slice(0, 19);
}

/**
 * Graph's error body (Microsoft Graph error responses and resource types):
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */
export function graphError(
  req: Pick<GraphRequest, 'requestId' | 'clientRequestId'>,
  status: number,
  code: string,
  message: string,
  extra?: { headers?: Record<string, string>; innerCode?: string }
): GraphResponse {
  const innerError: Record<string, string> = {
    date: errorDate(),
    'request-id': req.requestId,
    'client-request-id': req.clientRequestId ?? req.requestId
  };
  if (extra?.innerCode) {
    innerError.code = extra.innerCode;
  }
  return {
    status,
    headers: { 'content-type': 'application/json', ...(extra?.headers ?? {}) },
    body: { error: { code, message, innerError } }
  };
}

export function json(status: number, body: unknown, headers?: Record<string, string>): GraphResponse {
  return { status, headers: { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', ...(headers ?? {}) }, body };
}

export function noContent(status = 204): GraphResponse {
  return { status };
}

/** Deterministic GUID from a seed, so ids are stable across restarts and resets. */
export function guidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** A driveItem id shaped like SharePoint's ("01" + 32 base32 characters). */
export function driveItemIdFrom(seed: string): string {
  const bytes = createHash('sha1').update(seed).digest();
  let out = '01';
  for (let i = 0; i < 32; i++) {
    out += B32[bytes[i % bytes.length]! % 32];
  }
  return out;
}

export function newRequestId(): string {
  return randomUUID();
}

export function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

export function unb64url(s: string): string | undefined {
  try {
    return Buffer.from(s, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}
