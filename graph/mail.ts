/**
 * Call-in notices: `POST /users/{mailbox}/sendMail`, HTML, to the unit's DG address.
 *
 * Traceability. Each notice carries its call-in id twice: in the subject (`[TJ-<callInId>]`, visible
 * to people and searchable in Outlook) and in the header `x-trygghetsjouren-callin` (Graph's
 * `internetMessageHeaders`; names must start with "x-"), together with `x-trygghetsjouren-key`
 * (the outbox's idempotency key). Support can find the sent message in the mailbox's Sent Items
 * (saveToSentItems is on) and in message trace by either.
 *
 * What 202 means. sendMail answers 202 Accepted: Exchange has taken the message for delivery; it is
 * not yet delivered, and a later non-delivery report goes to the mailbox, not to us.
 *
 * Duplicates. Graph has no idempotency key for sendMail. If the connection fails or times out after
 * the request went out, the mail may or may not have been sent; retrying could send it twice, not
 * retrying could lose it. We reduce the window:
 *  - in-process retries only for 429 and 503 (Graph refused the work) and for connection failures
 *    before anything was sent (refused, DNS, connect timeout): policy 'send' in client.ts;
 *  - never retried here: timeouts, resets after sending, 504, 500 — they are thrown with
 *    `ambiguous: true` (`code: 'ambiguousSend'`, still `retryable: true`) so the outbox can decide,
 *    e.g. wait and retry once, or ask a human; invariant 1 prefers a rare duplicate to a lost notice;
 *  - a key that was accepted once in this process is not sent again (double calls after success).
 * Residual risk: an ambiguous failure followed by an outbox retry can duplicate a notice. The
 * subject reference makes a duplicate recognisable to the unit as the same call-in.
 */
import type { Logger } from 'pino';
import type { GraphHttp } from './client';
import { GraphError } from './errors';

export interface Notice {
  /** The unit's DG address. */
  to: string;
  subject: string;
  /** Complete HTML body (built by core/). */
  html: string;
  callInId: string;
  /** Stable across retries of the same notice (the outbox row's key). */
  idempotencyKey: string;
}

export const CALLIN_HEADER = 'x-trygghetsjouren-callin';
export const KEY_HEADER = 'x-trygghetsjouren-key';

/** The subject with the call-in reference, added once. */
export function subjectWithReference(subject: string, callInId: string): string {
  const ref = `[TJ-${callInId}]`;
  return subject.includes(ref) ? subject : `${subject} ${ref}`;
}

export class Mailer {
  private readonly accepted = new Map<string, number>();

  constructor(
    private readonly http: GraphHttp,
    private readonly mailbox: string,
    private readonly log: Logger
  ) {}

  /**
   * Sends the notice; resolves when Graph answered 202 (accepted for delivery).
   * @throws GraphError — `retryable` for 429/5xx/network (after in-process retries), not for
   *   400/403/404 (bad address, mailbox not allowed by the Exchange app access policy, no mailbox);
   *   `ambiguous: true` when it may have been sent (see module comment).
   */
  async sendNotice(n: Notice): Promise<void> {
    if (!n.to || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(n.to)) {
      throw new GraphError('sendNotice: the DG address is missing or not an e-mail address', { code: 'invalidRecipient', retryable: false, status: 400 });
    }
    if (this.accepted.has(n.idempotencyKey)) {
      this.log.info({ op: 'mail.sendNotice', callInId: n.callInId }, 'notice already accepted in this process; not sent again');
      return;
    }
    const message = {
      message: {
        subject: subjectWithReference(n.subject, n.callInId),
        body: { contentType: 'HTML', content: n.html },
        toRecipients: [{ emailAddress: { address: n.to } }],
        internetMessageHeaders: [
          { name: CALLIN_HEADER, value: n.callInId },
          { name: KEY_HEADER, value: n.idempotencyKey }
        ]
      },
      saveToSentItems: true
    };
    const res = await this.http.request({
      method: 'POST',
      path: `/users/${encodeURIComponent(this.mailbox)}/sendMail`,
      template: 'POST /users/{mailbox}/sendMail',
      body: message,
      policy: 'send'
    });
    this.remember(n.idempotencyKey);
    this.log.info({ op: 'mail.sendNotice', callInId: n.callInId, status: res.status, requestId: res.requestId, attempts: res.attempts }, 'notice accepted by Graph');
  }

  private remember(key: string): void {
    this.accepted.set(key, Date.now());
    if (this.accepted.size > 5000) {
      // Oldest first (Map keeps insertion order).
      const first = this.accepted.keys().next().value;
      if (first !== undefined) {
        this.accepted.delete(first);
      }
    }
  }
}
