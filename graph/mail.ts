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
 *
 * Recovery across crashes (DESIGN §8.1). Every notice also carries a custom single-value extended
 * property ({@link NOTICE_PROPERTY_ID}, a MAPI named property in a namespace GUID of ours) whose value
 * is the idempotency key, and is sent with `saveToSentItems: true`, so Exchange keeps a copy in the
 * mailbox's Sent Items that can be found by that key ({@link Mailer.findSent}; Graph: "Outlook
 * extended properties overview", "Get singleValueLegacyExtendedProperty", "user: sendMail",
 * "mailFolder resource type" for the well-known name `sentitems`). The outbox handler, before it
 * re-sends a notice whose earlier attempt's outcome is unknown (the row's attempts > 1: a crash after
 * the 202 but before the row was marked done, an ambiguous failure, …), asks `findSent(key)`; found
 * means "sent already": complete the row without sending.
 *
 * Residual risk. Exchange saves the Sent Items copy asynchronously, after the 202: a look that comes
 * earlier than the copy appears finds nothing, and the re-send duplicates the notice. Re-attempts
 * after a crash come late — the outbox lease (OUTBOX_LEASE_SECONDS, default 60 s) must expire before
 * another worker claims the row — which is far longer than the copy normally takes; a re-attempt
 * after an ambiguous failure should likewise wait (retry no sooner than the lease). Also unprotected:
 * a mailbox whose Sent Items copy was deleted or moved in between, or saving turned off by an
 * Exchange setting. The subject reference keeps any duplicate recognisable as the same call-in.
 * Reading Sent Items needs the application permission Mail.Read, restricted to the mailbox like
 * Mail.Send.
 */
import type { Logger } from 'pino';
import { odataString, type GraphHttp } from './client';
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

/** Namespace GUID of our MAPI named properties (fixed: changing it loses sight of earlier notices). */
export const PROPERTY_NAMESPACE = 'a7e95570-e48b-43ff-848a-2818f618264a';
/**
 * The extended property every notice carries, value = the idempotency key. Format
 * `{type} {guid} Name {name}` ("Outlook extended properties overview"); the Name is matched
 * case-sensitively by Graph, so always use this exact string.
 */
export const NOTICE_PROPERTY_ID = `String {${PROPERTY_NAMESPACE}} Name TrygghetsjourenCallIn`;

/** A notice found in the mailbox's Sent Items. */
export interface SentNotice {
  /** The Sent Items message id. */
  id: string;
  sentDateTime?: string;
}

/** The Sent Items query for one key (path below /v1.0, percent-encoded). */
export function sentItemsQuery(mailbox: string, idempotencyKey: string): string {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(NOTICE_PROPERTY_ID)} and ep/value eq ${odataString(idempotencyKey)})`;
  return `/users/${encodeURIComponent(mailbox)}/mailFolders/sentitems/messages?$filter=${encodeURIComponent(filter)}&$select=id,sentDateTime&$top=1`;
}

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
        ],
        singleValueExtendedProperties: [{ id: NOTICE_PROPERTY_ID, value: n.idempotencyKey }]
      },
      // Also the default; said explicitly because findSent depends on the copy.
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

  /**
   * Looks in the mailbox's Sent Items for the notice with this idempotency key (by its extended
   * property). One GET, retried like any read (429/503/504, network).
   *
   * Use before re-sending a notice whose earlier attempt's outcome is unknown: found → it was sent,
   * do not send again. Not found proves nothing for a very recent attempt (see the module comment:
   * Exchange saves the copy asynchronously); it is meant for re-attempts that come after the outbox
   * lease. A key found here is remembered, so a later sendNotice for it in this process sends nothing.
   * @returns the Sent Items message, or undefined when there is none (yet).
   * @throws GraphError when Graph cannot answer — do not send blindly then; let the outbox retry.
   */
  async findSent(idempotencyKey: string): Promise<SentNotice | undefined> {
    const res = await this.http.request<{ value?: Array<{ id?: string; sentDateTime?: string }> }>({
      method: 'GET',
      path: sentItemsQuery(this.mailbox, idempotencyKey),
      template: 'GET /users/{mailbox}/mailFolders/sentitems/messages?$filter={notice property}',
      policy: 'idempotent'
    });
    const hit = res.body?.value?.find((m) => typeof m?.id === 'string');
    if (hit) {
      this.remember(idempotencyKey);
      this.log.info({ op: 'mail.findSent', found: true, requestId: res.requestId }, 'notice found in Sent Items');
      return { id: hit.id!, ...(hit.sentDateTime ? { sentDateTime: hit.sentDateTime } : {}) };
    }
    this.log.info({ op: 'mail.findSent', found: false, requestId: res.requestId }, 'notice not in Sent Items');
    return undefined;
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
