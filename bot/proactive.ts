/**
 * Messages the bot sends on its own (not as an answer): the receipt card updated when the notice
 * has gone (or failed), follow-up confirmations, reminders, and alerts to the administrators. Uses
 * the stored conversation reference and the adapter's `continueConversationAsync`.
 */
import { CardFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { formatTime } from '../core/format';
import type { NoticeKind } from '../core/notice';
import type { CallInRecord, ConversationRefs } from '../store/callIns';
import type { NoticeEvents } from '../jobs/notices';
import { langOf, t } from './texts';
import { receiptCard } from './flow/views';

export interface ContinuingAdapter {
  continueConversationAsync(botAppId: string, reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

export class Proactive implements NoticeEvents {
  private readonly log: Logger;

  constructor(
    private readonly adapter: ContinuingAdapter,
    private readonly appId: string,
    private readonly refs: ConversationRefs,
    logger: Logger
  ) {
    this.log = logger.child({ component: 'proactive' });
  }

  /** Sends a text into a stored conversation. */
  async sendText(ref: unknown, text: string): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, ref as Partial<ConversationReference>, async (ctx) => {
      await ctx.sendActivity(text);
    });
  }

  /** Replaces the receipt card (or sends it anew when its message id is unknown or cannot be updated). */
  async updateReceipt(rec: CallInRecord): Promise<void> {
    if (!rec.conversationRef) {
      return;
    }
    const lang = langOf(rec.locale);
    const attachment = CardFactory.adaptiveCard(receiptCard(rec, lang));
    await this.adapter.continueConversationAsync(this.appId, rec.conversationRef as Partial<ConversationReference>, async (ctx) => {
      if (rec.receiptActivityId) {
        try {
          await ctx.updateActivity({ id: rec.receiptActivityId, type: 'message', attachments: [attachment] });
          return;
        } catch (err) {
          this.log.info({ callInId: rec.id, err: (err as Error).message }, 'receipt not updatable; sending it again');
        }
      }
      await ctx.sendActivity({ attachments: [attachment] });
    });
  }

  async sent(rec: CallInRecord, kind: NoticeKind, at: Date): Promise<void> {
    if (kind === 'new') {
      await this.updateReceipt(rec);
      return;
    }
    if (rec.conversationRef) {
      const lang = langOf(rec.locale);
      const what = t(lang, kind === 'correction' ? 'whatCorrection' : 'whatCancellation');
      await this.sendText(rec.conversationRef, t(lang, 'followUpSent', { what, id: rec.id, time: formatTime(at) }));
    }
  }

  async dead(rec: CallInRecord, kind: NoticeKind, error: string): Promise<void> {
    const lang = langOf(rec.locale);
    try {
      if (kind === 'new') {
        await this.updateReceipt(rec);
      }
      if (rec.conversationRef) {
        await this.sendText(rec.conversationRef, t(lang, 'deadNoticeUser', { id: rec.id, unit: rec.unitName }));
      }
    } catch (err) {
      this.log.error({ callInId: rec.id, err: (err as Error).message }, 'could not tell the jourledare that the notice failed');
    }
    const admins = await this.refs.admins();
    if (admins.length === 0) {
      this.log.error({ callInId: rec.id }, 'no administrator conversation known: the alert is in this log only');
    }
    for (const a of admins) {
      await this.sendText(a.ref, t(langOf(a.locale), 'deadNoticeAdmin', { id: rec.id, kind, error: error.slice(0, 300) })).catch((err: Error) =>
        this.log.error({ admin: a.userId, err: err.message }, 'could not alert an administrator')
      );
    }
  }

  /** The administrators' summaries (permission sync): to every admin conversation known. */
  async notifyAdmins(text: string): Promise<void> {
    const admins = await this.refs.admins();
    if (admins.length === 0) {
      this.log.warn('no administrator conversation known: the sync summary is in the log and mail only');
    }
    for (const a of admins) {
      await this.sendText(a.ref, text).catch((err: Error) => this.log.error({ admin: a.userId, err: err.message }, 'could not send the summary to an administrator'));
    }
  }

  /** For the reminder job. */
  async remind(ref: unknown, text: string): Promise<void> {
    await this.sendText(ref, text);
  }
}
