/**
 * The request seam against a scripted HTTP server on 127.0.0.1: exact control over drops,
 * timeouts and Retry-After forms that the local tenant does not script.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { GraphHttp } from '../../../graph/client';
import { memoryDeltaStore } from '../../../graph/config';
import { GraphError } from '../../../graph/errors';

type Step = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('graph/client request seam (scripted server)', () => {
  let server: http.Server;
  let base: string;
  let steps: Step[];
  let seen: Array<{ at: number; method?: string; url?: string; headers: http.IncomingHttpHeaders }>;
  const logger = pino({ level: 'silent' });
  const make = (over: Partial<{ maxRetries: number; timeoutMs: number; maxRetryDelayMs: number }> = {}): GraphHttp =>
    new GraphHttp({
      baseUrl: base,
      tokens: { getToken: async () => 't0k' },
      limits: { maxConcurrency: 2, maxRetries: over.maxRetries ?? 3, timeoutMs: over.timeoutMs ?? 2000, maxRetryDelayMs: over.maxRetryDelayMs ?? 5000 },
      logger,
      deltaStore: memoryDeltaStore()
    });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const drop: Step = (req) => req.socket.destroy();

  beforeEach(async () => {
    steps = [];
    seen = [];
    server = http.createServer((req, res) => {
      seen.push({ at: Date.now(), method: req.method, url: req.url, headers: req.headers });
      req.resume();
      req.on('end', () => (steps.shift() ?? json(500, { error: { code: 'noScript' } }))(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends auth, a client-request-id (same on every attempt) and retries a dropped GET', async () => {
    steps = [drop, json(200, { ok: 1 })];
    const res = await make().request({ method: 'GET', path: '/things?$top=1', template: 'GET /things' });
    assert.deepEqual(res.body, { ok: 1 });
    assert.equal(seen.length, 2);
    assert.equal(seen[0].headers.authorization, 'Bearer t0k');
    assert.equal(seen[0].url, '/v1.0/things?$top=1');
    assert.ok(seen[0].headers['client-request-id']);
    assert.equal(seen[0].headers['client-request-id'], seen[1].headers['client-request-id']);
    assert.equal(res.clientRequestId, seen[1].headers['client-request-id']);
    assert.equal(res.attempts, 2);
  });

  it('honours an HTTP-date Retry-After', async () => {
    const when = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    steps = [json(503, { error: { code: 'serviceNotAvailable' } }, { 'Retry-After': when.toUTCString() }), json(200, {})];
    await make().request({ method: 'GET', path: '/x', template: 'GET /x' });
    assert.ok(seen[1].at >= when.getTime(), `retried ${when.getTime() - seen[1].at} ms early`);
  });

  it('does not retry a 403, and maps it to a non-retryable GraphError', async () => {
    steps = [json(403, { error: { code: 'accessDenied', message: 'no' } }, { 'request-id': 'rq-1' })];
    await assert.rejects(make().request({ method: 'GET', path: '/x', template: 'GET /x' }), (e: GraphError) => {
      assert.equal(e.status, 403);
      assert.equal(e.code, 'accessDenied');
      assert.equal(e.retryable, false);
      assert.equal(e.requestId, 'rq-1');
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it('times out an attempt and retries it (GET)', async () => {
    steps = [() => undefined /* never answers */, json(200, { late: false })];
    const res = await make({ timeoutMs: 300 }).request({ method: 'GET', path: '/slow', template: 'GET /slow' });
    assert.deepEqual(res.body, { late: false });
    assert.equal(seen.length, 2);
  });

  it('sendMail-style POST: a drop after sending is not retried, and is flagged ambiguous', async () => {
    steps = [drop, json(202, {})];
    await assert.rejects(make().request({ method: 'POST', path: '/users/m/sendMail', template: 'POST /users/{id}/sendMail', body: {}, policy: 'send' }), (e: GraphError) => {
      assert.equal(e.ambiguous, true);
      assert.equal(e.retryable, true);
      assert.equal(e.code, 'ambiguousSend');
      return true;
    });
    assert.equal(seen.length, 1);
  });

  it('sendMail-style POST: 429 is retried, 504 is not', async () => {
    steps = [json(429, {}, { 'Retry-After': '0' }), json(504, { error: { code: 'gatewayTimeout' } })];
    await assert.rejects(make().request({ method: 'POST', path: '/m', template: 'POST /m', body: {}, policy: 'send' }), (e: GraphError) => e.status === 504 && e.retryable);
    assert.equal(seen.length, 2);
  });

  it('gives up after maxRetries and a Retry-After beyond the cap is not slept on', async () => {
    steps = [json(503, {}), json(503, {}), json(503, {})];
    await assert.rejects(make({ maxRetries: 2 }).request({ method: 'GET', path: '/x', template: 'GET /x' }), (e: GraphError) => e.status === 503 && e.retryable);
    assert.equal(seen.length, 3);
    seen = [];
    steps = [json(429, {}, { 'Retry-After': '3600' })];
    const t0 = Date.now();
    await assert.rejects(make().request({ method: 'GET', path: '/x', template: 'GET /x' }), (e: GraphError) => e.status === 429 && e.retryAfterSeconds === 3600);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('keeps at most maxConcurrency requests on the wire', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: Step = (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(200, {})(_req, res);
      }, 50);
    };
    steps = Array.from({ length: 6 }, () => slow);
    const g = make();
    await Promise.all(Array.from({ length: 6 }, () => g.request({ method: 'GET', path: '/x', template: 'GET /x' })));
    assert.equal(peak, 2);
  });

  it('follows absolute http nextLinks under the base URL', async () => {
    steps = [json(200, { value: [1], '@odata.nextLink': `${base}/items?$skiptoken=abc%3D%3D` }), json(200, { value: [2] })];
    assert.deepEqual(await make().all('/items', 'GET /items'), [1, 2]);
    assert.equal(seen[1].url, '/v1.0/items?$skiptoken=abc%3D%3D');
  });
});
