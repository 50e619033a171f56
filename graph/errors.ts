/**
 * The one error type graph/ throws. Graph's error shapes (`{ error: { code, message, innerError } }`,
 * network failures, timeouts, `$batch` item failures) are normalised here and nowhere else.
 */

/** Status codes Graph documents as transient: throttling, unavailable, gateway timeout. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export interface GraphErrorInit {
  status?: number;
  code?: string;
  retryable?: boolean;
  requestId?: string;
  /** Seconds Graph asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
  /**
   * True when the request may have taken effect although we saw no success (timeout or connection
   * lost after the request was sent). For `sendMail` this means a retry could duplicate the notice.
   */
  ambiguous?: boolean;
  cause?: unknown;
}

/**
 * A failed Graph operation.
 * - `retryable`: 429, 5xx and network failures are; 400/401/403/404/409… are not.
 * - `code`: Graph's error code (`itemNotFound`, `accessDenied`, …) or one of ours:
 *   `network`, `timeout`, `notFound`, `ambiguousSend`, `grantNotEffective`, `groupNotWritable`,
 *   `configuration`.
 * Messages never contain personal data (no names, phone numbers, mail bodies).
 */
export class GraphError extends Error {
  status?: number;
  code?: string;
  retryable: boolean;
  requestId?: string;
  retryAfterSeconds?: number;
  ambiguous?: boolean;

  constructor(message: string, init: GraphErrorInit = {}) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'GraphError';
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? (init.status !== undefined ? isRetryableStatus(init.status) : false);
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.ambiguous = init.ambiguous;
  }
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/** Graph's error body: `{ error: { code, message, innerError: { 'request-id', date } } }`. */
interface ODataErrorBody {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string; 'client-request-id'?: string } };
}

/**
 * Builds a GraphError from an HTTP status and a (parsed or raw) body.
 * `what` names the operation (a path template, never a URL with personal data in it).
 */
export function errorFromResponse(
  what: string,
  status: number,
  body: unknown,
  headers: { get(name: string): string | null } | Record<string, string | undefined> | undefined,
  requestId?: string
): GraphError {
  const get = (name: string): string | undefined => {
    if (!headers) {
      return undefined;
    }
    if (typeof (headers as { get?: unknown }).get === 'function') {
      return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    }
    const rec = headers as Record<string, string | undefined>;
    const key = Object.keys(rec).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? rec[key] : undefined;
  };
  let parsed: ODataErrorBody | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as ODataErrorBody;
    } catch {
      parsed = undefined;
    }
  } else if (body && typeof body === 'object') {
    parsed = body as ODataErrorBody;
  }
  const code = parsed?.error?.code;
  const graphMessage = parsed?.error?.message;
  const rid = get('request-id') ?? parsed?.error?.innerError?.['request-id'] ?? requestId;
  const retryAfter = parseRetryAfter(get('retry-after'));
  return new GraphError(`${what}: HTTP ${status}${code ? ` ${code}` : ''}${graphMessage ? ` (${truncate(graphMessage, 200)})` : ''}`, {
    status,
    code,
    requestId: rid,
    retryAfterSeconds: retryAfter === undefined ? undefined : retryAfter / 1000
  });
}

/** Graph's messages sometimes quote an address or a name; keep addresses out of our errors and logs. */
function truncate(s: string, n: number): string {
  const clean = s.replace(/[^\s@'"<>()]+@[^\s@'"<>()]+/g, '<address>');
  return clean.length > n ? `${clean.slice(0, n)}…` : clean;
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds to wait (>= 0), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) {
    return undefined;
  }
  const v = value.trim();
  if (v === '') {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(v)) {
    return Math.max(0, Math.ceil(Number(v) * 1000));
  }
  const at = Date.parse(v);
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, at - now);
}
