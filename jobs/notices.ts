/**
 * The outbox handler for kind 'notice': renders the notice with core's renderNotice (Swedish, no
 * phone numbers) and sends it through graph/ to the unit's DG group. Graph's verdict maps onto the
 * outbox's retry: `retryable` false → dead at once (bad address, mailbox not allowed), otherwise a
 * retry with backoff, at the time Graph asked for when it said (Retry-After).
 *
 * Hooks: when a notice has gone, the call-in is stamped and the chat is told (the receipt card
 * updates to "Mejlet har gått iväg 02:15"; a follow-up says its mail went); when it is dead after its
 * retries, the call-in is stamped failed, the jourledare is told in the chat and the administrators
 * are alerted (DESIGN §8 invariant 1: never silently dropped). The chat side is an interface
 * (`NoticeEvents`), implemented in bot/ — no botbuilder types here.
 */
import type { Logger } from 'pino';
import { renderNotice, type NoticeData, type NoticeKind } from '../core/notice';
import type { Clock } from '../core/model';
import type { Graph } from '../graph';
import { GraphError } from '../graph/errors';
import type { CallIns, CallInRecord } from '../store/callIns';
import type { HandlerError, OutboxHandlerResult, OutboxRow } from '../store/outbox';

export const NOTICE_KIND = 'notice';

/** What the outbox row carries: the notice as decided (a snapshot), not a pointer to changing data. */
export interface NoticePayload {
  callInId: string;
  kind: NoticeKind;
  to: string;
  data: Omit<NoticeData, 'decidedAt'> & { decidedAt: string };
}

export interface NoticeEvents {
  /** The notice went out at `at`. */
  sent(callIn: CallInRecord, kind: NoticeKind, at: Date): Promise<void>;
  /** The notice could not be sent after its retries. */
  dead(callIn: CallInRecord, kind: NoticeKind, error: string): Promise<void>;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function payloadOf(row: OutboxRow): NoticePayload {
  const p = row.payload as NoticePayload;
  if (!p || typeof p.callInId !== 'string' || !p.data) {
    throw Object.assign(new Error(`notice ${row.id}: malformed payload`), { retryable: false });
  }
  return p;
}

/** The handler for the outbox worker: `{ notice: noticeHandler(...) }`. */
export function noticeHandler(deps: {
  mail: Pick<Graph['mail'], 'sendNotice' | 'findSent'>;
  clock: Clock;
  logger: Logger;
  /**
   * After an ambiguous failure (timeout, dropped connection, 504: the mail may have gone) wait at
   * least this long before the re-attempt, so that Exchange has saved the copy that findSent looks
   * for. Default 60 s (the outbox lease).
   */
  ambiguousRetryMs?: number;
}) {
  const ambiguousRetryMs = deps.ambiguousRetryMs ?? 60_000;
  const log = deps.logger.child({ component: 'notices' });
  return async (row: OutboxRow): Promise<OutboxHandlerResult> => {
    const p = payloadOf(row);
    const rendered = renderNotice(p.kind, { ...p.data, decidedAt: new Date(p.data.decidedAt) });
    try {
      // A re-attempt (crash after Graph's 202, ambiguous failure): was it sent already? Looks in the
      // mailbox's Sent Items by the key (graph/mail.ts: findSent, and its residual risk).
      if (row.attempts > 1) {
        const sent = await deps.mail.findSent(row.idempotencyKey);
        if (sent) {
          log.info({ callInId: p.callInId, kind: p.kind, attempt: row.attempts }, 'notice already in Sent Items; not sent again');
          return { result: { sentAt: sent.sentDateTime ?? deps.clock.now().toISOString(), recovered: true } };
        }
      }
      await deps.mail.sendNotice({ to: p.to, subject: rendered.subject, html: rendered.html, callInId: p.callInId, idempotencyKey: row.idempotencyKey });
    } catch (err) {
      if (err instanceof GraphError) {
        log.warn({ callInId: p.callInId, kind: p.kind, attempt: row.attempts, status: err.status, code: err.code, retryable: err.retryable }, 'notice not sent');
        const e: HandlerError = new Error(err.message);
        e.retryable = err.retryable;
        if (err.retryAfterSeconds !== undefined) {
          e.retryAfterMs = err.retryAfterSeconds * 1000;
        }
        if (err.ambiguous) {
          e.retryAfterMs = Math.max(e.retryAfterMs ?? 0, ambiguousRetryMs);
        }
        throw e;
      }
      throw err;
    }
    const sentAt = deps.clock.now();
    log.info({ callInId: p.callInId, kind: p.kind, attempt: row.attempts }, 'notice sent');
    return { result: { sentAt: sentAt.toISOString() } };
  };
}

/** onDone / onDead for the outbox worker (only rows of kind 'notice' are acted on). */
export function noticeHooks(deps: {
  callIns: CallIns;
  events: NoticeEvents;
  clock: Clock;
  logger: Logger;
  /** Also alert by mail (e.g. to the mailbox's owners) when a notice is dead. No personal data in it. */
  alertMail?: (subject: string, html: string, key: string, callInId: string) => Promise<void>;
}) {
  const log = deps.logger.child({ component: 'notices' });
  return {
    async onDone(row: OutboxRow, result: unknown): Promise<void> {
      if (row.kind !== NOTICE_KIND) {
        return;
      }
      const p = payloadOf(row);
      const at = new Date((result as { sentAt?: string } | undefined)?.sentAt ?? deps.clock.now().toISOString());
      await deps.callIns.noticeSent(p.callInId, row.idempotencyKey, at, p.kind === 'new');
      const rec = await deps.callIns.get(p.callInId);
      if (rec) {
        await deps.events.sent(rec, p.kind, at).catch((err: Error) => log.warn({ callInId: p.callInId, err: err.message }, 'could not tell the chat that the notice went'));
      }
    },
    async onDead(row: OutboxRow): Promise<void> {
      if (row.kind !== NOTICE_KIND) {
        return;
      }
      const p = row.payload as NoticePayload;
      const error = row.lastError ?? 'unknown error';
      log.error({ callInId: p?.callInId, kind: p?.kind, attempts: row.attempts }, 'notice dead after its retries: telling the jourledare and the administrators');
      if (!p?.callInId) {
        return;
      }
      await deps.callIns.noticeFailed(p.callInId, row.idempotencyKey, deps.clock.now(), error, p.kind === 'new');
      const rec = await deps.callIns.get(p.callInId);
      if (rec) {
        await deps.events.dead(rec, p.kind, error).catch((err: Error) => log.error({ callInId: p.callInId, err: err.message }, 'could not alert in the chat'));
      }
      if (deps.alertMail) {
        const subject = `Larm: notis TJ-${p.callInId} kunde inte skickas`;
        const html = `<p>Notisen TJ-${escape(p.callInId)} (${escape(p.kind)}) till ${escape(rec?.unitName ?? '?')} kunde inte skickas efter ${row.attempts} försök.</p><p>Senaste fel: ${escape(error.slice(0, 500))}</p><p>Jourledaren har fått besked i chatten. Ring enheten om det inte redan är gjort.</p>`;
        await deps.alertMail(subject, html, `alert:${row.idempotencyKey}`, p.callInId).catch((err: Error) => log.error({ callInId: p.callInId, err: err.message }, 'alert mail not sent'));
      }
    }
  };
}
