/**
 * A local Microsoft 365 tenant: an HTTP server that speaks Microsoft Graph v1.0 for the resources
 * the bot uses, plus a few `/_dev` endpoints (mailbox, request log, faults, reset).
 * Written from Microsoft's Graph documentation, not from our client, so that it catches the
 * client's mistakes. See dev/tenant-data/README.md for the data and the well-known ids.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { runBatch, type InnerRequest } from './batch';
import type { Ctx, Route } from './context';
import { FAULT_CODES, Faults, type FaultRule } from './faults';
import { graphError, json, newRequestId, type GraphRequest, type GraphResponse } from './http';
import { mailPage } from './mailPage';
import { directoryRoutes } from './routes/directory';
import { driveJson, driveRoutes, serveDownload } from './routes/drives';
import { mailRoutes } from './routes/mail';
import { mailFolderRoutes } from './routes/mailFolders';
import { resolveList, resolveSite, siteRoutes } from './routes/sites';
import { liveSubscription, subscriptionRoutes } from './routes/subscriptions';
import { loadSeedFromDir, type TenantSeed } from './seed';
import { TenantState, type MailboxMessage, type SentMail } from './state';
import { generateSeed } from './generate';

export type { FaultRule } from './faults';
export type { MailboxMessage, SentMail } from './state';
export { TenantState } from './state';

export interface TenantOptions {
  /** Tenant folder; default dev/tenant-data. */
  dataDir?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The accepted bearer token; default 'local-dev-token'. */
  token?: string;
  faults?: FaultRule[];
  /** POST change notifications to subscribers; default true. */
  notifications?: boolean;
  /** Use the generator instead of dataDir. */
  generated?: { units: number; staff: number };
  /** An invite answers 200 but the grant shows in permission reads only after this many ms. */
  inviteDelayMs?: number;
  /**
   * sendMail answers 202 but its copy shows in Sent Items only after this many ms (Exchange saves
   * the copy asynchronously). Default 0.
   */
  sentItemsDelayMs?: number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  /** Path including /v1.0 (or /_download/…). */
  path: string;
  query: string;
  status: number;
  durationMs: number;
  requestId: string;
  clientRequestId?: string;
  /** Set when a fault rule answered or shaped this request: 'status 429', 'drop', 'latency 200ms'. */
  faulted?: string;
  /** Set for requests inside a $batch. */
  batch?: { batchRequestId: string; id: string };
}

export interface NotificationLogEntry {
  time: string;
  subscriptionId: string;
  notificationUrl: string;
  attempt: number;
  status: number | 'error';
}

export interface RunningTenant {
  url: string;
  graphBase: string;
  siteId: string;
  unitsListId: string;
  staffDriveId: string;
  mailboxUserId: string;
  token: string;
  stop(): Promise<void>;
  reset(): Promise<void>;
  setFaults(rules: FaultRule[]): void;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  mail(): SentMail[];
  /** A mailbox's saved messages (Sent Items copies), including those not yet visible to reads. */
  sentItems(mailbox?: string): MailboxMessage[];
  notifications(): NotificationLogEntry[];
  /** Live state; replaced by reset() (read it through this getter each time). */
  state: TenantState;
}

export const DEFAULT_TOKEN = 'local-dev-token';
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', 'tenant-data');
export const MAILBOX_UPN = 'trygghetsjouren@goteborg.example';

const NOTIFY_DEBOUNCE_MS = 50;
const NOTIFY_TIMEOUT_MS = 3000;
const NOTIFY_RETRIES_MS = [500, 2000];

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startTenant(opts: TenantOptions = {}): Promise<RunningTenant> {
  const token = opts.token ?? DEFAULT_TOKEN;
  const host = opts.host ?? '127.0.0.1';
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const faults = new Faults(opts.faults ?? []);
  const log: RequestLogEntry[] = [];
  const notifyLog: NotificationLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const aborts = new Set<AbortController>();
  let stopped = false;

  const loadSeed = async (): Promise<TenantSeed> => (opts.generated ? generateSeed(opts.generated) : loadSeedFromDir(dataDir));
  let state = new TenantState(await loadSeed());
  state.inviteDelayMs = opts.inviteDelayMs ?? 0;
  state.sentItemsDelayMs = opts.sentItemsDelayMs ?? 0;

  let url = '';
  const routes: Route[] = [
    ...siteRoutes,
    {
      method: 'GET',
      pattern: /^\/sites\/([^/]+)\/drives$/,
      handler: (req, ctx, p) =>
        resolveSite(ctx.state, p[0]!)
          ? json(200, { '@odata.context': `${req.base}/$metadata#drives`, value: [...ctx.state.drives.values()].map((d) => driveJson(ctx.state, d)) })
          : graphError(req, 404, 'itemNotFound', 'Requested site could not be found')
    },
    ...driveRoutes,
    ...directoryRoutes,
    ...mailRoutes,
    ...mailFolderRoutes,
    ...subscriptionRoutes
  ];

  /* ----- change notifications ----- */
  const pending = new Map<string, NodeJS.Timeout>();
  const deliver = async (subscriptionId: string, attempt: number): Promise<void> => {
    const s = liveSubscription(state, subscriptionId);
    if (!s || stopped) {
      return;
    }
    // Lists: no resource data, only "something changed" (Graph: list change notifications).
    const payload = {
      value: [
        {
          subscriptionId: s.id,
          clientState: s.clientState ?? null,
          changeType: 'updated',
          resource: s.resource,
          subscriptionExpirationDateTime: s.expirationDateTime,
          resourceData: null,
          tenantId: state.tenantId
        }
      ]
    };
    const ac = new AbortController();
    aborts.add(ac);
    const t = setTimeout(() => ac.abort(), NOTIFY_TIMEOUT_MS);
    let status: number | 'error' = 'error';
    try {
      const res = await fetch(s.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: ac.signal });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 'error';
    } finally {
      clearTimeout(t);
      aborts.delete(ac);
    }
    notifyLog.push({ time: new Date().toISOString(), subscriptionId, notificationUrl: s.notificationUrl, attempt, status });
    const ok = typeof status === 'number' && status >= 200 && status < 300;
    if (!ok && attempt <= NOTIFY_RETRIES_MS.length && !stopped) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void deliver(subscriptionId, attempt + 1);
      }, NOTIFY_RETRIES_MS[attempt - 1]);
      timers.add(timer);
    }
  };
  const listChanged = (listId: string): void => {
    if (opts.notifications === false || stopped) {
      return;
    }
    for (const s of state.subscriptions.values()) {
      if (s.listId !== listId || pending.has(s.id)) {
        continue;
      }
      // SharePoint coalesces bursts of changes into one notification.
      const timer = setTimeout(() => {
        pending.delete(s.id);
        timers.delete(timer);
        void deliver(s.id, 1);
      }, NOTIFY_DEBOUNCE_MS);
      pending.set(s.id, timer);
      timers.add(timer);
    }
  };

  /* ----- dispatch ----- */
  const normalise = (p: string): string => {
    // /sites/{hostname}:/sites/{name}[:][/rest] → /sites/{siteId}[/rest]
    const byPath = /^\/sites\/([^/:]+):(\/sites\/[^:/]+)\/?:?(\/.*)?$/i.exec(p);
    if (byPath) {
      const ok = byPath[1]!.toLowerCase() === state.hostname && byPath[2]!.toLowerCase() === `/sites/${state.site.name}`.toLowerCase();
      p = `/sites/${ok ? state.site.id : '__unknown_site__'}${byPath[3] ?? ''}`;
    }
    const siteDrive = /^\/sites\/([^/]+)\/(drives\/[^/]+|drive|lists\/[^/]+\/drive)(\/.*)?$/i.exec(p);
    if (siteDrive && resolveSite(state, siteDrive[1]!)) {
      let driveId: string | undefined;
      if (siteDrive[2] === 'drive') {
        driveId = state.defaultDriveId;
      } else if (siteDrive[2]!.startsWith('drives/')) {
        driveId = siteDrive[2]!.slice(7);
      } else {
        driveId = resolveList(state, siteDrive[2]!.split('/')[1]!)?.driveId ?? '__no_drive__';
      }
      p = `/drives/${driveId}${siteDrive[3] ?? ''}`;
    }
    return p;
  };

  const ctx: Ctx = {
    get state() {
      return state;
    },
    get url() {
      return url;
    },
    listChanged,
    dispatch: (req) => route(req)
  };

  async function route(req: GraphRequest): Promise<GraphResponse> {
    if (/^\/me(\/|$)/.test(req.path)) {
      return graphError(req, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    }
    const p = normalise(req.path);
    let methodMismatch = false;
    for (const r of routes) {
      const m = r.pattern.exec(p);
      if (!m) {
        continue;
      }
      if (r.method !== req.method) {
        methodMismatch = true;
        continue;
      }
      const res = await r.handler({ ...req, path: p }, ctx, m.slice(1));
      if (res.status === -1) {
        continue;
      }
      return res;
    }
    if (methodMismatch) {
      return graphError(req, 405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.');
    }
    const seg = p.split('/').filter(Boolean).pop() ?? '';
    return graphError(req, 400, 'BadRequest', `Resource not found for the segment '${seg}'.`);
  }

  const faultResponse = (req: Pick<GraphRequest, 'requestId' | 'clientRequestId'>, rule: FaultRule): GraphResponse => {
    const status = rule.status!;
    const f = FAULT_CODES[status]!;
    const headers: Record<string, string> = {};
    const retryAfter = rule.retryAfter ?? (status === 429 || status === 503 ? 1 : undefined);
    if (retryAfter !== undefined) {
      headers['retry-after'] = String(retryAfter);
    }
    return graphError(req, status, f.code, f.message, { headers, innerCode: status === 429 ? 'throttledRequest' : undefined });
  };

  /** Applies a matching fault: returns a response, 'drop', or undefined to go on. */
  const applyFault = async (method: string, fullPath: string, req: Pick<GraphRequest, 'requestId' | 'clientRequestId'>): Promise<{ res?: GraphResponse | 'drop'; note?: string }> => {
    const rule = faults.match(method, fullPath);
    if (!rule) {
      return {};
    }
    const notes: string[] = [];
    if (rule.latencyMs) {
      await sleep(rule.latencyMs);
      notes.push(`latency ${rule.latencyMs}ms`);
    }
    if (rule.drop) {
      return { res: 'drop', note: [...notes, 'drop'].join(', ') };
    }
    if (rule.status) {
      return { res: faultResponse(req, rule), note: [...notes, `status ${rule.status}`].join(', ') };
    }
    return { note: notes.join(', ') || 'matched' };
  };

  const runInner = async (inner: InnerRequest, outer: GraphRequest): Promise<GraphResponse | 'drop'> => {
    const started = Date.now();
    const u = new URL(inner.url.startsWith('/') ? inner.url : '/' + inner.url, 'http://batch.local');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(inner.headers ?? {})) {
      headers[k.toLowerCase()] = String(v);
    }
    let body = inner.body;
    let rawBody = Buffer.alloc(0);
    if (typeof body === 'string' && !(headers['content-type'] ?? '').includes('json')) {
      rawBody = Buffer.from(body, 'base64');
      body = undefined;
    } else if (body !== undefined) {
      rawBody = Buffer.from(JSON.stringify(body));
    }
    const innerPath = decodePath(u.pathname.replace(/^\/v1\.0(?=\/)/, ''));
    const req: GraphRequest = {
      method: inner.method.toUpperCase(),
      path: innerPath,
      query: u.searchParams,
      headers,
      body,
      rawBody,
      base: outer.base,
      requestId: newRequestId(),
      clientRequestId: headers['client-request-id'] ?? outer.clientRequestId,
      inBatch: true
    };
    const fault = await applyFault(req.method, '/v1.0' + innerPath, req);
    let res: GraphResponse | 'drop';
    if (fault.res) {
      res = fault.res;
    } else {
      res = await route(req);
    }
    if (res !== 'drop') {
      res.headers = { ...(res.headers ?? {}) };
    }
    log.push({
      time: new Date(started).toISOString(),
      method: req.method,
      path: '/v1.0' + innerPath,
      query: u.search.replace(/^\?/, ''),
      status: res === 'drop' ? 0 : res.status,
      durationMs: Date.now() - started,
      requestId: req.requestId,
      clientRequestId: req.clientRequestId,
      ...(fault.note ? { faulted: fault.note } : {}),
      batch: { batchRequestId: outer.requestId, id: inner.id }
    });
    return res;
  };

  /* ----- HTTP ----- */
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
      }
      res.end(JSON.stringify({ error: { code: 'generalException', message: String((e as Error)?.message ?? e) } }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function write(res: http.ServerResponse, r: GraphResponse, extra: Record<string, string>): void {
    const headers: Record<string, string> = { ...extra, ...(r.headers ?? {}) };
    let payload: Buffer | string | undefined;
    if (Buffer.isBuffer(r.body)) {
      payload = r.body;
    } else if (typeof r.body === 'string') {
      payload = r.body;
    } else if (r.body !== undefined) {
      payload = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(r.status, headers);
    res.end(payload);
  }

  async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) {
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const u = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (u.pathname === '/_dev' || u.pathname.startsWith('/_dev/')) {
      return devRoute(method, u, req, res, raw);
    }
    const requestId = newRequestId();
    const clientRequestId = (req.headers['client-request-id'] as string | undefined) ?? undefined;
    const ids = { requestId, clientRequestId };
    const baseHeaders: Record<string, string> = {
      'request-id': requestId,
      'client-request-id': clientRequestId ?? requestId,
      'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Local', Slice: 'E', Ring: '5', ScaleUnit: '000', RoleInstance: 'LOCAL' } }),
      'cache-control': 'no-cache'
    };
    const entry = (status: number, faulted?: string): void => {
      log.push({
        time: new Date(started).toISOString(),
        method,
        path: u.pathname,
        query: u.search.replace(/^\?/, ''),
        status,
        durationMs: Date.now() - started,
        requestId,
        clientRequestId,
        ...(faulted ? { faulted } : {})
      });
    };

    if (u.pathname.startsWith('/_download/') && method === 'GET') {
      const fault = await applyFault(method, u.pathname, ids);
      if (fault.res === 'drop') {
        entry(0, fault.note);
        req.socket.destroy();
        return;
      }
      if (fault.res) {
        entry(fault.res.status, fault.note);
        return write(res, fault.res, baseHeaders);
      }
      const d = await serveDownload(state, u.pathname.slice('/_download/'.length));
      entry(d.status);
      if (d.status !== 200) {
        res.writeHead(d.status, baseHeaders);
        res.end();
        return;
      }
      res.writeHead(200, { ...baseHeaders, 'content-type': d.type!, 'content-length': String(d.bytes!.length), 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(d.name!)}` });
      res.end(d.bytes);
      return;
    }

    if (!u.pathname.startsWith('/v1.0/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not found. Graph lives under /v1.0; the mailbox is at /_dev/mail.');
      return;
    }
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+\S/i.test(auth)) {
      const r = graphError(ids, 401, 'InvalidAuthenticationToken', 'Access token is empty.', { headers: { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"' } });
      entry(401);
      return write(res, r, baseHeaders);
    }
    if (auth.replace(/^Bearer\s+/i, '') !== token) {
      const r = graphError(ids, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      entry(401);
      return write(res, r, baseHeaders);
    }
    const fault = await applyFault(method, u.pathname, ids);
    if (fault.res === 'drop') {
      entry(0, fault.note);
      req.socket.destroy();
      return;
    }
    if (fault.res) {
      entry(fault.res.status, fault.note);
      return write(res, fault.res, baseHeaders);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
    }
    let body: unknown;
    if (raw.length && (headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        const r = graphError(ids, 400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
        entry(400, fault.note);
        return write(res, r, baseHeaders);
      }
    }
    const greq: GraphRequest = {
      method,
      path: decodePath(u.pathname.slice('/v1.0'.length)),
      query: u.searchParams,
      headers,
      body,
      rawBody: raw,
      base: `${url}/v1.0`,
      requestId,
      clientRequestId,
      inBatch: false
    };
    let r: GraphResponse | 'drop';
    if (greq.path === '/$batch') {
      r = method === 'POST' ? await runBatch(greq, runInner) : graphError(ids, 405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.');
    } else {
      r = await route(greq);
    }
    if (r === 'drop') {
      entry(0, 'drop (inside batch)');
      req.socket.destroy();
      return;
    }
    entry(r.status, fault.note);
    write(res, r, baseHeaders);
  }

  async function devRoute(method: string, u: URL, req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const send = (status: number, body?: unknown, type = 'application/json'): void => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': type });
      res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    };
    const parse = (): unknown => (raw.length ? JSON.parse(raw.toString('utf8')) : undefined);
    const p = u.pathname.replace(/\/$/, '');
    try {
      if (p === '/_dev' && method === 'GET') {
        return send(200, devIndex(), 'text/html; charset=utf-8');
      }
      if (p === '/_dev/mail') {
        if (method === 'DELETE') {
          // The captured mail and the mailboxes' Sent Items copies.
          state.clearMail();
          return send(204);
        }
        if (method === 'GET') {
          const accept = String(req.headers.accept ?? '');
          const wantsHtml = accept.includes('text/html') && !accept.startsWith('application/json');
          return wantsHtml ? send(200, mailPage(state.mail), 'text/html; charset=utf-8') : send(200, { count: state.mail.length, value: state.mail });
        }
      }
      if (p === '/_dev/requests') {
        if (method === 'DELETE') {
          log.length = 0;
          return send(204);
        }
        if (method === 'GET') {
          return send(200, { count: log.length, value: log });
        }
      }
      if (p === '/_dev/faults') {
        if (method === 'GET') {
          return send(200, { value: faults.list() });
        }
        if (method === 'POST' || method === 'PUT') {
          const rules = parse();
          faults.set(Array.isArray(rules) ? (rules as FaultRule[]) : [rules as FaultRule]);
          return send(200, { value: faults.list() });
        }
        if (method === 'DELETE') {
          faults.set([]);
          return send(204);
        }
      }
      if (p === '/_dev/reset' && method === 'POST') {
        await running.reset();
        return send(204);
      }
      if (p === '/_dev/config' && method === 'POST') {
        const c = parse() as { inviteDelayMs?: number; sentItemsDelayMs?: number } | undefined;
        if (c?.inviteDelayMs !== undefined) {
          state.inviteDelayMs = Number(c.inviteDelayMs);
        }
        if (c?.sentItemsDelayMs !== undefined) {
          state.sentItemsDelayMs = Number(c.sentItemsDelayMs);
        }
        return send(200, { inviteDelayMs: state.inviteDelayMs, sentItemsDelayMs: state.sentItemsDelayMs });
      }
      if (p === '/_dev/info' && method === 'GET') {
        return send(200, info());
      }
      if (p === '/_dev/notifications' && method === 'GET') {
        return send(200, { value: notifyLog });
      }
    } catch (e) {
      return send(400, { error: { code: 'invalidRequest', message: (e as Error).message } });
    }
    return send(404, { error: { code: 'itemNotFound', message: `No dev endpoint ${method} ${p}` } });
  }

  const info = (): Record<string, unknown> => ({
    url,
    graphBase: `${url}/v1.0`,
    siteId: state.site.id,
    sitePath: `/sites/${state.hostname}:/sites/${state.site.name}`,
    unitsListId: state.unitsListId,
    staffDriveId: state.staffDriveId,
    mailboxUserId: state.userByMail(MAILBOX_UPN)?.id,
    tenantId: state.tenantId
  });

  const devIndex = (): string =>
    `<!doctype html><html lang="sv"><meta charset="utf-8"><title>Lokal Microsoft 365</title><body style="font-family:system-ui;max-width:40rem;margin:2rem auto">
<h1>Lokal Microsoft 365</h1><ul>
<li><a href="/_dev/mail">Brevlåda</a> (skickad e-post)</li>
<li><a href="/_dev/requests">Anropslogg</a> (JSON)</li>
<li><a href="/_dev/faults">Felinjektion</a> (JSON)</li>
<li><a href="/_dev/info">Id:n</a> (JSON)</li></ul>
<p>Graph: <code>${url}/v1.0</code>, token <code>Bearer ${token === DEFAULT_TOKEN ? token : '…'}</code></p></body></html>`;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  const running: RunningTenant = {
    url,
    graphBase: `${url}/v1.0`,
    token,
    get siteId() {
      return state.site.id;
    },
    get unitsListId() {
      return state.unitsListId;
    },
    get staffDriveId() {
      return state.staffDriveId;
    },
    get mailboxUserId() {
      return state.userByMail(MAILBOX_UPN)?.id ?? '';
    },
    get state() {
      return state;
    },
    async stop() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
      }
      for (const a of aborts) {
        a.abort();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) {
          s.destroy();
        }
      });
    },
    async reset() {
      for (const t of timers) {
        clearTimeout(t);
      }
      timers.clear();
      pending.clear();
      const next = new TenantState(await loadSeed());
      next.inviteDelayMs = state.inviteDelayMs;
      next.sentItemsDelayMs = state.sentItemsDelayMs;
      state = next;
    },
    setFaults: (rules) => faults.set(rules),
    requests: () => [...log],
    clearRequests: () => {
      log.length = 0;
    },
    mail: () => [...state.mail],
    sentItems: (mailbox = MAILBOX_UPN) => {
      const user = state.userByIdOrUpn(mailbox);
      return user ? (state.mailboxes.get(user.id) ?? []).filter((m) => m.folder === 'sentitems') : [];
    },
    notifications: () => [...notifyLog]
  };
  return running;
}

function decodePath(p: string): string {
  return p
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/');
}
