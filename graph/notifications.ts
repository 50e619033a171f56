/**
 * Parsing of Graph change notifications for the server route (pure: no I/O). The route answers with
 * what this returns at once (Graph wants 2xx within 3 s, the validation echo within 10 s) and queues
 * a units-list delta for the accepted notifications: list notifications carry no item data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface NotificationAnswer {
  status: number;
  contentType?: string;
  body?: string;
  accepted: Array<{ subscriptionId: string; resource: string; changeType: string }>;
}

/** Constant-time equality of two secrets of any length (hashing first makes the lengths equal). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * - `?validationToken=…` (subscription creation/renewal handshake): 200, `text/plain`, the token
 *   as given (already URL-decoded by the server) and nothing else.
 * - A notification batch `{ value: [...] }`: 202; each item whose `clientState` matches (compared in
 *   constant time) is accepted, the others are dropped silently (a forged or stale sender learns
 *   nothing). An item without subscriptionId or resource is dropped.
 * - Anything else: 400.
 */
export function handleNotificationRequest(
  req: { query: Record<string, string | undefined>; body: unknown },
  expectedClientState: string
): NotificationAnswer {
  const token = req.query.validationToken;
  if (typeof token === 'string') {
    return { status: 200, contentType: 'text/plain', body: token, accepted: [] };
  }
  const value = (req.body as { value?: unknown } | null | undefined)?.value;
  if (!Array.isArray(value)) {
    return { status: 400, accepted: [] };
  }
  const accepted: NotificationAnswer['accepted'] = [];
  for (const n of value) {
    if (!n || typeof n !== 'object') {
      continue;
    }
    const item = n as { subscriptionId?: unknown; clientState?: unknown; resource?: unknown; changeType?: unknown };
    if (typeof item.clientState !== 'string' || !sameSecret(item.clientState, expectedClientState)) {
      continue;
    }
    if (typeof item.subscriptionId !== 'string' || typeof item.resource !== 'string') {
      continue;
    }
    accepted.push({ subscriptionId: item.subscriptionId, resource: item.resource, changeType: typeof item.changeType === 'string' ? item.changeType : 'updated' });
  }
  return { status: 202, accepted };
}
