/**
 * A recording pass-through in front of the local tenant's Graph (127.0.0.1): the bot's
 * GRAPH_BASE_URL points here, every request is forwarded unchanged, and for `sendMail` the proxy
 * records when each attempt arrived, the notice's idempotency key (from the message's headers), the
 * status the tenant answered and its Retry-After. That gives each notice's attempt timeline, which
 * the tenant's own log cannot (it does not see bodies, and attempts made by different outbox claims
 * carry different client-request-ids).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SendAttempt {
  key?: string;
  clientRequestId?: string;
  /** When the request arrived (ms, performance.now()). */
  at: number;
  /** When the answer was passed back. */
  answeredAt: number;
  status: number;
  retryAfterSeconds?: number;
}

export interface GraphProxy {
  graphBase: string;
  /**
   * Called when the tenant has answered a sendMail, before the answer is passed back to the bot
   * (awaited): the crash suite kills the bot here, so that Graph has the mail but the bot never
   * learns it.
   */
  onSendAnswered?: (attempt: SendAttempt) => Promise<void> | void;
  sends(): SendAttempt[];
  stop(): Promise<void>;
}

export async function startGraphProxy(tenantUrl: string): Promise<GraphProxy> {
  const target = new URL(tenantUrl);
  const sends: SendAttempt[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: target.host };
      const fwd = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
        const out: Buffer[] = [];
        up.on('data', (c: Buffer) => out.push(c));
        up.on('end', () => {
          void (async () => {
            if (req.method === 'POST' && /\/sendMail$/i.test(new URL(req.url ?? '/', 'http://x').pathname)) {
              let key: string | undefined;
              try {
                const msg = JSON.parse(body.toString('utf8')) as { message?: { internetMessageHeaders?: Array<{ name: string; value: string }> } };
                key = msg.message?.internetMessageHeaders?.find((h) => h.name.toLowerCase() === 'x-trygghetsjouren-key')?.value;
              } catch {
                key = undefined;
              }
              const ra = up.headers['retry-after'];
              sends.push({
                key,
                clientRequestId: req.headers['client-request-id'] as string | undefined,
                at,
                answeredAt: performance.now(),
                status: up.statusCode ?? 0,
                retryAfterSeconds: ra === undefined ? undefined : Number(ra)
              });
              await proxy.onSendAnswered?.(sends[sends.length - 1]);
            }
            if (!res.destroyed) {
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(out));
            }
          })();
        });
      });
      fwd.on('error', () => {
        req.socket.destroy();
      });
      fwd.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const proxy: GraphProxy = {
    graphBase: `http://127.0.0.1:${port}/v1.0`,
    sends: () => [...sends],
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) {
          s.destroy();
        }
      });
    }
  };
  return proxy;
}

/** Per notice: the gaps between an answer that asked to wait and the next attempt. */
export function retryGaps(sends: SendAttempt[]): Array<{ key: string; askedMs: number; waitedMs: number }> {
  const byKey = new Map<string, SendAttempt[]>();
  for (const s of sends) {
    if (!s.key) {
      continue;
    }
    const list = byKey.get(s.key) ?? [];
    list.push(s);
    byKey.set(s.key, list);
  }
  const out: Array<{ key: string; askedMs: number; waitedMs: number }> = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.at - b.at);
    for (let i = 0; i + 1 < list.length; i++) {
      const ra = list[i].retryAfterSeconds;
      if (ra !== undefined) {
        out.push({ key, askedMs: ra * 1000, waitedMs: list[i + 1].at - list[i].answeredAt });
      }
    }
  }
  return out;
}
