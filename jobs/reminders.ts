/**
 * Reminders of absences reported but not yet filled: an absence whose flow reached the candidates
 * step schedules a reminder REMINDER_MINUTES later (bot/flow); confirming or abandoning the flow
 * resolves it. This job claims due reminders (marking them sent first, so each goes out once even
 * with several instances and across restarts) and delivers them into the jourledare's chat; a failed
 * delivery is released and tried again a minute later, up to three times.
 * It also enforces the call-in log's retention (CALLIN_RETENTION_DAYS), at most once an hour.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/model';
import type { CallIns } from '../store/callIns';

export interface ReminderDeps {
  callIns: CallIns;
  clock: Clock;
  /** Delivers a reminder text into the stored conversation. */
  send(conversationRef: unknown, text: string): Promise<void>;
  logger: Logger;
  intervalMs?: number;
  retentionDays?: number;
}

export class ReminderJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastPurge = 0;
  private readonly log: Logger;

  constructor(private readonly deps: ReminderDeps) {
    this.log = deps.logger.child({ component: 'reminders' });
  }

  start(): void {
    const every = this.deps.intervalMs ?? 30_000;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.tick()
          .then(() => undefined)
          .catch((err: Error) => this.log.error({ err: err.message }, 'reminder tick failed'))
          .finally(() => {
            this.running = undefined;
          });
      }
    }, every);
    this.timer.unref();
  }

  /** Sends the due reminders; returns how many were delivered. */
  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.callIns.claimDueReminders(now);
    let sent = 0;
    for (const r of due) {
      try {
        await this.deps.send(r.conversationRef, r.text);
        sent++;
      } catch (err) {
        // Claimed (so no other instance sends it meanwhile); the failed delivery is tried again a
        // minute later, up to three deliveries in all.
        const again = await this.deps.callIns.releaseReminder(r.flowId, new Date(now.getTime() + 60_000)).catch(() => false);
        this.log.warn({ flowId: r.flowId, err: (err as Error).message, retry: again }, 'reminder not delivered');
      }
    }
    if (due.length > 0) {
      this.log.info({ due: due.length, sent }, 'reminders');
    }
    if (this.deps.retentionDays && Date.now() - this.lastPurge > 3600_000) {
      this.lastPurge = Date.now();
      const purged = await this.deps.callIns.purge(new Date(now.getTime() - this.deps.retentionDays * 86_400_000));
      if (purged > 0) {
        this.log.info({ purged }, 'call-ins past retention deleted');
      }
    }
    return sent;
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }
}
