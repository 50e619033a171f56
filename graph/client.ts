/**
 * The one request seam of graph/ (cli-microsoft365 `src/request.ts`): every Graph call of this
 * product goes through {@link GraphHttp}. It is built on `@microsoft/microsoft-graph-client`'s
 * middleware chain:
 *
 *   ResilienceHandler → AuthHandler → HTTPMessageHandler (the SDK's fetch)
 *
 * Why a custom ResilienceHandler rather than the SDK's RetryHandler: the RetryHandler only looks at
 * response status codes, so a dropped connection (`ECONNRESET`, "socket hang up") or a timeout is
 * never retried; it rounds an HTTP-date Retry-After to whole seconds (it can wait up to half a
 * second less than asked); it applies one policy to every method, while `sendMail` must not be
 * retried after a gateway timeout (the mail may already have gone); and it neither bounds
 * concurrency nor times out. One middleware does those four things and the logging.
 *
 * Why requests are issued through `Client.api()` with `ResponseType.RAW`: the SDK's error mapping
 * throws away the Retry-After and status of `$batch` items and its JSON helpers hide 202/204; we read
 * raw responses and normalise errors once in `errors.ts`.
 */
import { randomUUID } from 'node:crypto';
import { Client, HTTPMessageHandler, ResponseType, type Context, type Middleware, type MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { TokenProvider } from './auth';
import type { DeltaStore, ResolvedLimits } from './config';
import { GraphError, errorFromResponse, parseRetryAfter } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * What may be retried for one request.
 * - `idempotent`: 429, 503, 504 and any network failure or timeout (GET, DELETE, PATCH of a value,
 *   invite — repeating it gives the same state).
 * - `send`: for non-idempotent POSTs (sendMail). 429 and 503 (Graph refused the work) and connection
 *   failures before anything was sent (refused, DNS, connect timeout). A timeout, a reset after the
 *   request went out, or a 504 is *not* retried: it is thrown with `ambiguous: true`.
 * - `none`: never retried (health checks).
 */
export type RetryPolicy = 'idempotent' | 'send' | 'none';

export interface RequestSpec {
  method: HttpMethod;
  /** Relative to the base URL ('/sites/…'), or an absolute URL Graph gave us (nextLink, deltaLink). */
  path: string;
  /** Path template for logs, e.g. 'GET /users/{id}/sendMail'. Never put personal data here. */
  template: string;
  body?: unknown;
  headers?: Record<string, string>;
  policy?: RetryPolicy;
  /** 'json' (default; empty body → undefined), 'buffer' for file content. */
  responseType?: 'json' | 'buffer';
  timeoutMs?: number;
  maxRetries?: number;
}

export interface GraphResult<T> {
  status: number;
  body: T;
  headers: Headers;
  /** Graph's `request-id` (quote it to Microsoft support). */
  requestId?: string;
  /** The `client-request-id` we sent. */
  clientRequestId: string;
  attempts: number;
}

export interface BatchRequestItem {
  method: HttpMethod;
  /** Relative to the version root, e.g. '/drives/{id}/items/{id}/permissions'. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type BatchItemResult = { ok: true; status: number; body: any; headers: Record<string, string> } | { ok: false; error: GraphError };

/** Graph's limit of requests in one `$batch`. */
export const BATCH_LIMIT = 20;

/* ------------------------------------------------------------------ middleware */

/** Per-request options handed to the middleware through the SDK's MiddlewareControl. */
class RequestOptions implements MiddlewareOptions {
  constructor(
    readonly template: string,
    readonly policy: RetryPolicy,
    readonly clientRequestId: string,
    readonly timeoutMs: number,
    readonly maxRetries: number,
    readonly onAttempts: (n: number) => void
  ) {}
  /** Set when the middleware gives up: the SDK re-wraps thrown errors, this keeps ours intact. */
  failure?: GraphError;
}

/** A counting semaphore: at most `n` attempts on the wire at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly n: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.n) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes on: `active` stays the same
      } else {
        this.active--;
      }
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Network error codes meaning the request never left this machine: always safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

function networkCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string; cause?: { code?: string } }; message?: string };
  return e?.cause?.code ?? e?.cause?.cause?.code ?? e?.code ?? (/socket hang up/i.test(e?.message ?? '') ? 'ECONNRESET' : 'ENETWORK');
}

class TimeoutSignal extends Error {
  constructor() {
    super('timeout');
  }
}

function headerObject(ctx: Context): Record<string, string> {
  ctx.options ??= {};
  const h = ctx.options.headers;
  if (h === undefined) {
    const fresh: Record<string, string> = {};
    ctx.options.headers = fresh;
    return fresh;
  }
  if (h instanceof Headers) {
    const obj: Record<string, string> = {};
    h.forEach((v, k) => {
      obj[k] = v;
    });
    ctx.options.headers = obj;
    return obj;
  }
  return h as Record<string, string>;
}

/** Adds the bearer token, only toward the Graph origin (never to pre-authenticated download URLs). */
class AuthHandler implements Middleware {
  private next?: Middleware;
  constructor(private readonly tokens: TokenProvider, private readonly graphOrigin: string) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (new URL(url).origin === this.graphOrigin) {
      headerObject(context).Authorization = `Bearer ${await this.tokens.getToken()}`;
    }
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Retries, Retry-After, jittered backoff, timeouts, bounded concurrency, client-request-id, logging.
 * Resolves with `context.response` set to the final response (body buffered); rejects with a
 * GraphError for network failures and timeouts that were not (or no longer) retried.
 */
class ResilienceHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly limits: ResolvedLimits,
    private readonly semaphore: Semaphore,
    private readonly log: Logger,
    private readonly random: () => number = Math.random
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const opts = context.middlewareControl?.getMiddlewareOptions(RequestOptions) as RequestOptions | undefined;
    const template = opts?.template ?? 'graph';
    const policy = opts?.policy ?? 'idempotent';
    const clientRequestId = opts?.clientRequestId ?? randomUUID();
    const timeoutMs = opts?.timeoutMs ?? this.limits.timeoutMs;
    const maxRetries = opts?.maxRetries ?? this.limits.maxRetries;
    headerObject(context)['client-request-id'] = clientRequestId;
    headerObject(context)['return-client-request-id'] = 'true';
    const started = Date.now();

    for (let attempt = 1; ; attempt++) {
      opts?.onAttempts(attempt);
      const release = await this.semaphore.acquire();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new TimeoutSignal()), timeoutMs);
      context.options!.signal = controller.signal;
      const t0 = Date.now();
      let response: Response | undefined;
      let failure: unknown;
      try {
        await this.next!.execute(context);
        const raw = context.response!;
        // Buffer the body inside the timeout and the concurrency slot: a connection dropped mid-body
        // is then retried like any other network failure, and callers never hold a live socket.
        const buf = [101, 204, 205, 304].includes(raw.status) ? null : await raw.arrayBuffer();
        response = new Response(buf, { status: raw.status, statusText: raw.statusText, headers: raw.headers });
      } catch (err) {
        failure = err;
      } finally {
        clearTimeout(timer);
        release();
      }
      const ms = Date.now() - t0;

      if (response) {
        const requestId = response.headers.get('request-id') ?? undefined;
        const status = response.status;
        const retryable = policy === 'idempotent' ? [429, 503, 504].includes(status) : policy === 'send' ? [429, 503].includes(status) : false;
        if (!retryable || attempt > maxRetries) {
          context.response = response;
          const level = status >= 500 || status === 429 ? 'warn' : 'debug';
          this.log[level]({ op: template, status, ms, totalMs: Date.now() - started, attempts: attempt, requestId, clientRequestId }, 'graph request');
          return;
        }
        const asked = parseRetryAfter(response.headers.get('retry-after'));
        const wait = this.delay(attempt, asked);
        if (wait === undefined) {
          // Graph asked for a longer pause than we are willing to hold a caller for: hand it back.
          context.response = response;
          this.log.warn({ op: template, status, retryAfterMs: asked, attempts: attempt, requestId, clientRequestId }, 'graph retry-after beyond cap; giving up');
          return;
        }
        this.log.info({ op: template, status, ms, attempt, waitMs: wait, retryAfterMs: asked, requestId, clientRequestId }, 'graph retry');
        await sleep(wait);
        continue;
      }

      if (failure instanceof GraphError) {
        // From the auth handler (token endpoint trouble): nothing reached Graph, so any policy may retry.
        if (failure.retryable && attempt <= maxRetries) {
          await sleep(this.delay(attempt, undefined)!);
          continue;
        }
        if (opts) {
          opts.failure = failure;
        }
        throw failure;
      }
      const timedOut = controller.signal.aborted && controller.signal.reason instanceof TimeoutSignal;
      const code = timedOut ? 'timeout' : networkCode(failure);
      const notSent = NOT_SENT_CODES.has(code);
      const retryable = policy === 'idempotent' || (policy === 'send' && notSent);
      if (!retryable || attempt > maxRetries) {
        const ambiguous = policy !== 'idempotent' && !notSent;
        this.log.warn({ op: template, error: code, ms, attempts: attempt, clientRequestId, ambiguous }, 'graph request failed');
        const error = new GraphError(`${template}: ${timedOut ? `no answer within ${timeoutMs} ms` : `network error ${code}`}`, {
          code: ambiguous ? 'ambiguousSend' : timedOut ? 'timeout' : 'network',
          retryable: true,
          ambiguous,
          cause: failure
        });
        if (opts) {
          opts.failure = error;
        }
        throw error;
      }
      const wait = this.delay(attempt, undefined)!;
      this.log.info({ op: template, error: code, ms, attempt, waitMs: wait, clientRequestId }, 'graph retry');
      await sleep(wait);
    }
  }

  /**
   * Milliseconds to wait before attempt `attempt + 1`. With Retry-After: exactly what was asked plus
   * 0–10 % (never less: "no retry sooner than asked"), or undefined when that exceeds the cap.
   * Without: full-jitter exponential backoff between half and all of min(cap, 500 ms · 2^(n-1)).
   */
  private delay(attempt: number, retryAfterMs: number | undefined): number | undefined {
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > this.limits.maxRetryDelayMs) {
        return undefined;
      }
      return Math.ceil(retryAfterMs * (1 + 0.1 * this.random())) + 5;
    }
    const ceiling = Math.min(this.limits.maxRetryDelayMs, 500 * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }
}

/* ------------------------------------------------------------------ the seam */

export interface GraphHttpOptions {
  baseUrl: string;
  tokens: TokenProvider;
  limits: ResolvedLimits;
  logger: Logger;
  deltaStore: DeltaStore;
}

/**
 * HTTP to Graph: requests, paging, delta, `$batch`. Everything graph/ does goes through here.
 */
export class GraphHttp {
  readonly baseUrl: string;
  private readonly client: Client;
  private readonly log: Logger;
  private readonly limits: ResolvedLimits;
  private readonly deltaStore: DeltaStore;

  constructor(opts: GraphHttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.log = opts.logger;
    this.limits = opts.limits;
    this.deltaStore = opts.deltaStore;
    const u = new URL(this.baseUrl);
    const version = u.pathname.replace(/^\/+|\/+$/g, '');
    const semaphore = new Semaphore(opts.limits.maxConcurrency);
    const resilience = new ResilienceHandler(opts.limits, semaphore, opts.logger);
    const auth = new AuthHandler(opts.tokens, u.origin);
    resilience.setNext(auth);
    auth.setNext(new HTTPMessageHandler());
    this.client = Client.initWithMiddleware({ baseUrl: u.origin, defaultVersion: version, middleware: resilience });
  }

  /**
   * Sends one request (with retries per its policy) and parses the answer.
   * @throws GraphError for any non-2xx answer (status, Graph's code, requestId, retryable) and for
   *   network failures/timeouts that outlived their retries (`retryable: true`).
   */
  async request<T = any>(spec: RequestSpec): Promise<GraphResult<T>> {
    const clientRequestId = randomUUID();
    let attempts = 0;
    const options = new RequestOptions(
      spec.template,
      spec.policy ?? (spec.method === 'POST' ? 'send' : 'idempotent'),
      clientRequestId,
      spec.timeoutMs ?? this.limits.timeoutMs,
      spec.maxRetries ?? this.limits.maxRetries,
      (n) => {
        attempts = n;
      }
    );
    let req = this.client.api(this.relative(spec.path)).responseType(ResponseType.RAW).middlewareOptions([options]);
    if (spec.headers) {
      req = req.headers(spec.headers);
    }
    let raw: Response;
    try {
      switch (spec.method) {
        case 'GET':
          raw = (await req.get()) as Response;
          break;
        case 'POST':
          raw = (await req.post(spec.body ?? {})) as Response;
          break;
        case 'PATCH':
          raw = (await req.patch(spec.body ?? {})) as Response;
          break;
        case 'PUT':
          raw = (await req.put(spec.body ?? {})) as Response;
          break;
        case 'DELETE':
          raw = (await req.delete()) as Response;
          break;
      }
    } catch (err) {
      if (options.failure) {
        throw options.failure;
      }
      if (err instanceof GraphError) {
        throw err;
      }
      throw new GraphError(`${spec.template}: ${(err as Error)?.message ?? 'request failed'}`, { code: 'network', retryable: true, cause: err });
    }
    const requestId = raw.headers.get('request-id') ?? undefined;
    if (!raw.ok) {
      const text = await raw.text();
      const error = errorFromResponse(spec.template, raw.status, text, raw.headers, requestId);
      throw error;
    }
    let body: unknown;
    if (spec.responseType === 'buffer') {
      body = Buffer.from(await raw.arrayBuffer());
    } else {
      const text = await raw.text();
      body = text === '' ? undefined : safeJson(text);
    }
    return { status: raw.status, body: body as T, headers: raw.headers, requestId, clientRequestId, attempts };
  }

  /** GET returning the parsed body. @throws GraphError */
  async get<T = any>(path: string, template: string, extra: Partial<RequestSpec> = {}): Promise<T> {
    return (await this.request<T>({ method: 'GET', path, template, ...extra })).body;
  }

  /**
   * Pages of a collection, following `@odata.nextLink` (cli-microsoft365 `odata.getAllItems`, pnpjs
   * paged behavior). The last page carries `deltaLink` when Graph gave one.
   * @throws GraphError from any page.
   */
  async *pages<T = any>(path: string, template: string): AsyncGenerator<{ value: T[]; deltaLink?: string }> {
    let next: string | undefined = path;
    while (next) {
      const page: { value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } = await this.get(next, template);
      next = page?.['@odata.nextLink'];
      yield { value: page?.value ?? [], deltaLink: page?.['@odata.deltaLink'] };
    }
  }

  /** Every item of a collection. @throws GraphError */
  async all<T = any>(path: string, template: string): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, template)) {
      out.push(...page.value);
    }
    return out;
  }

  /**
   * A delta round: resumes from the deltaLink kept under `key` (or starts at `initialPath`), reads
   * every page, then stores the new deltaLink. `full` is true when this was a full enumeration (first
   * run, or Graph answered 410 Gone / resyncRequired and we started over): the caller must then
   * treat `items` as the complete state. The link is stored only after the last page, so a crash
   * mid-way repeats the round rather than skipping changes. A stored link outside the base URL (a
   * local tenant that restarted on another port, a changed setting) is discarded: full enumeration.
   * `from` is the stored link this round started from (absent when full), `to` the new deltaLink;
   * `store` defaults to the shared DeltaStore (per-instance caches pass their own, in memory).
   * @throws GraphError
   */
  async delta<T = any>(
    key: string,
    initialPath: string,
    template: string,
    store: DeltaStore = this.deltaStore
  ): Promise<{ items: T[]; full: boolean; from?: string; to?: string }> {
    let stored = await store.get(key);
    if (stored !== undefined && this.outsideBase(stored)) {
      // E.g. the local tenant restarted on another port: the old link can never be followed.
      this.log.warn({ op: template, key }, 'stored deltaLink is outside the Graph base URL; enumerating again');
      stored = undefined;
    }
    let full = stored === undefined;
    let start = stored ?? initialPath;
    let from = stored;
    for (let round = 0; ; round++) {
      const items: T[] = [];
      let deltaLink: string | undefined;
      try {
        for await (const page of this.pages<T>(start, template)) {
          items.push(...page.value);
          deltaLink = page.deltaLink ?? deltaLink;
        }
      } catch (err) {
        if (err instanceof GraphError && err.status === 410 && round === 0) {
          this.log.info({ op: template, key }, 'delta token expired (410); enumerating again');
          full = true;
          start = initialPath;
          from = undefined;
          continue;
        }
        throw err;
      }
      if (deltaLink) {
        await store.set(key, deltaLink);
      }
      return { items, full, ...(from !== undefined ? { from } : {}), ...(deltaLink !== undefined ? { to: deltaLink } : {}) };
    }
  }

  /** An absolute link that is not under our base URL (and so would be refused by `relative`). */
  private outsideBase(link: string): boolean {
    if (!/^https?:\/\//i.test(link)) {
      return false;
    }
    return !(link.startsWith(this.baseUrl + '/') || link.startsWith(this.baseUrl + '?'));
  }

  /**
   * Runs requests through `$batch`, at most 20 per request, chunks sent concurrently (bounded by the
   * semaphore). Each item is answered on its own: an item throttled inside the batch (429, also 503
   * and 504 for GETs) is sent again in a later batch after its Retry-After, up to maxRetries times.
   * Results come back in input order.
   * @throws GraphError only when a whole `$batch` request fails after its retries.
   */
  async batch(items: BatchRequestItem[], template: string): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = new Array(items.length);
    const chunks: number[][] = [];
    for (let i = 0; i < items.length; i += BATCH_LIMIT) {
      chunks.push(Array.from({ length: Math.min(BATCH_LIMIT, items.length - i) }, (_, k) => i + k));
    }
    await Promise.all(chunks.map((idx) => this.batchChunk(items, idx, template, results)));
    return results;
  }

  private async batchChunk(items: BatchRequestItem[], indices: number[], template: string, results: BatchItemResult[]): Promise<void> {
    let pending = indices;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const allGet = pending.every((i) => items[i].method === 'GET');
      const body = {
        requests: pending.map((i) => ({
          id: String(i),
          method: items[i].method,
          url: items[i].url,
          ...(items[i].body !== undefined ? { body: items[i].body, headers: { 'Content-Type': 'application/json', ...items[i].headers } } : items[i].headers ? { headers: items[i].headers } : {})
        }))
      };
      const res = await this.request<{ responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: any }> }>({
        method: 'POST',
        path: '/$batch',
        template: `POST /$batch (${template})`,
        body,
        policy: allGet ? 'idempotent' : 'send'
      });
      const again: number[] = [];
      let waitMs = 0;
      const seen = new Set<number>();
      for (const r of res.body?.responses ?? []) {
        const i = Number(r.id);
        if (!Number.isInteger(i) || !pending.includes(i)) {
          continue;
        }
        seen.add(i);
        const headers = r.headers ?? {};
        const throttled = r.status === 429 || (items[i].method === 'GET' && (r.status === 503 || r.status === 504));
        if (throttled && attempt <= this.limits.maxRetries) {
          const ra = parseRetryAfter(lower(headers)['retry-after']);
          if (ra === undefined || ra <= this.limits.maxRetryDelayMs) {
            again.push(i);
            waitMs = Math.max(waitMs, ra ?? Math.min(this.limits.maxRetryDelayMs, 500 * 2 ** (attempt - 1)));
            continue;
          }
        }
        if (r.status >= 200 && r.status < 300) {
          results[i] = { ok: true, status: r.status, body: r.body, headers };
        } else {
          results[i] = { ok: false, error: errorFromResponse(`${items[i].method} ${template} (in $batch)`, r.status, r.body, headers, res.requestId) };
        }
      }
      for (const i of pending) {
        if (!seen.has(i)) {
          // Graph answers every id; a missing one is treated as a transient failure of that item.
          results[i] = { ok: false, error: new GraphError(`${template} (in $batch): no response for item`, { code: 'missingBatchResponse', retryable: true }) };
        }
      }
      if (again.length > 0) {
        this.log.info({ op: template, throttledItems: again.length, waitMs, attempt }, 'graph $batch items throttled; retrying them');
        await sleep(Math.ceil(waitMs * (1 + 0.1 * Math.random())) + 5);
      }
      pending = again;
    }
  }

  /** An absolute Graph URL for `@odata.id` references. */
  absolute(path: string): string {
    return `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /**
   * The SDK builds URLs as origin + version + path and only understands absolute https URLs; the
   * local tenant's nextLinks are http. Links under our base become relative; others stay absolute.
   */
  private relative(path: string): string {
    if (path.startsWith(this.baseUrl + '/') || path.startsWith(this.baseUrl + '?')) {
      return path.slice(this.baseUrl.length);
    }
    if (/^https?:\/\//i.test(path)) {
      if (!path.toLowerCase().startsWith('https://')) {
        throw new GraphError(`Refusing a link outside the Graph base URL: ${new URL(path).origin}`, { code: 'configuration', retryable: false });
      }
      return path;
    }
    return path.startsWith('/') ? path : `/${path}`;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    out[k.toLowerCase()] = v;
  }
  return out;
}

/** OData string literal: single quotes doubled. */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Encodes a library-relative folder path for `root:/{path}:` addressing, segment by segment. */
export function encodePath(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/');
}
