/**
 * The HTTP surface (restify). Routes only hand requests on: `/api/messages` to the Bot Framework
 * adapter, `/api/graph/notifications` to the notification handler, and the two probes. In-flight
 * requests are tracked so that `stop()` drains them before the process exits.
 *
 * Bodies are read per route and parsed as JSON only: `/api/messages` accepts nothing but
 * `application/json` (anything else: 415 before the body is read); the notification route keeps
 * other bodies as text for its own parser (Graph's validation handshake is `text/plain`). No form or
 * multipart parsing anywhere, so no request can write upload files.
 */
import restify from 'restify';
import type { Logger } from 'pino';

export interface Routes {
  /** POST /api/messages: the adapter's process(). */
  messages(req: restify.Request, res: restify.Response): Promise<void>;
  /** POST /api/graph/notifications (optional until the sync is wired). */
  graphNotifications?(req: restify.Request, res: restify.Response): Promise<void>;
  /** GET /readyz: resolves with the state of each dependency. */
  ready(): Promise<Record<string, boolean>>;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, waits for in-flight requests (up to `timeoutMs`), closes. */
  close(timeoutMs?: number): Promise<void>;
}

/** 415 for any body that is not `application/json` (parameters such as charset are fine). */
function requireJson(req: restify.Request, res: restify.Response, next: restify.Next): void {
  if (req.getContentType() === 'application/json') {
    next();
    return;
  }
  res.send(415, { error: 'unsupported media type', message: 'POST /api/messages accepts only application/json (a Bot Framework activity).' });
  next(false);
}

export async function startServer(routes: Routes, opts: { host: string; port: number; logger: Logger; maxBodyBytes?: number }): Promise<RunningServer> {
  const server = restify.createServer({ name: 'trygghetsjouren-bot', handleUncaughtExceptions: false });
  const inflight = new Set<Promise<unknown>>();
  const log = opts.logger.child({ component: 'http' });

  server.use(restify.plugins.queryParser({ mapParams: false }));
  const jsonBody = (): restify.RequestHandler[] => [
    restify.plugins.bodyReader({ maxBodySize: opts.maxBodyBytes ?? 256 * 1024 }),
    ...restify.plugins.jsonBodyParser({ mapParams: false, bodyReader: true })
  ];

  const tracked =
    (handler: (req: restify.Request, res: restify.Response) => Promise<void>) =>
    (req: restify.Request, res: restify.Response, next: restify.Next): void => {
      const p = handler(req, res)
        .catch((err: Error) => {
          log.error({ err: { message: err.message, name: err.name }, path: req.path() }, 'request failed');
          if (!res.headersSent) {
            res.send(500, { error: 'internal error' });
          }
        })
        .finally(() => {
          inflight.delete(p);
          next();
        });
      inflight.add(p);
    };

  server.post('/api/messages', requireJson, ...jsonBody(), tracked(routes.messages));
  if (routes.graphNotifications) {
    server.post('/api/graph/notifications', ...jsonBody(), tracked(routes.graphNotifications));
  }
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  server.get(
    '/readyz',
    tracked(async (_req, res) => {
      const checks = await routes.ready();
      const ok = Object.values(checks).every(Boolean);
      res.send(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks });
    })
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  log.info({ url }, 'listening');

  return {
    url,
    port: addr.port,
    async close(timeoutMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.allSettled([...inflight]), deadline]);
      // Keep-alive connections would hold close() open: end the idle ones.
      server.server.closeIdleConnections?.();
      await Promise.race([closed, deadline]);
      server.server.closeAllConnections?.();
    }
  };
}
