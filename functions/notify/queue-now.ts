/**
 * Messages due now go now (issue 19): the booking's ScheduleNotifications node and the trail's
 * NotifyTeam write the rows that are due already `queued` (notify/store.ts putLedgerRows) and ring
 * their doorbell on the notify queue at once, so the customer has the confirmation, and the
 * technician and dispatch the new job, seconds after the booking answer instead of at the sweeper's
 * next tick. The sweeper stays the safety net: it never lists a row queued here until
 * REQUEUE_AFTER_MS has passed without the worker settling it (a lost message), and a row whose
 * message the queue did not take goes back to pending, due now, for its next tick.
 */
import { logger } from '../shared/logger';
import type { PlannedNotification } from './plan';
import { NOTIFY_BATCH, sendNotifyMessages } from './queue-store';
import type { MessageParties } from './schemas';
import { deferRow, type LedgerMessage } from './store';

/**
 * Rings the doorbell of the rows a writer just wrote `queued` (the rows putLedgerRows or
 * scheduleLedgerRows answer: a row that existed already is not among them, so a retried writer
 * queues nothing again); `parties` as written on the rows. Answers how many the queue took.
 */
export async function queueWritten(
  tenantId: string,
  bookingId: string,
  written: Array<PlannedNotification & { queued: boolean }>,
  parties: MessageParties | undefined,
  at: Date,
): Promise<number> {
  return queueNow(
    written
      .filter((row) => row.queued)
      .map(({ kind, technicianId, version }) => ({ tenantId, bookingId, kind, technicianId, version, ...(parties ? { parties } : {}) })),
    at,
  );
}

/** Rings the doorbell of rows written `queued`; answers how many the queue took. */
export async function queueNow(messages: LedgerMessage[], at: Date): Promise<number> {
  let rung = 0;
  for (let i = 0; i < messages.length; i += NOTIFY_BATCH) {
    const batch = messages.slice(i, i + NOTIFY_BATCH);
    const accepted = await sendNotifyMessages(batch).catch((error: Error) => {
      logger.warn('notify queue refused the due-now messages: the sweeper queues them', { error: error.name, count: batch.length });
      return new Set<number>();
    });
    for (const [index, message] of batch.entries()) {
      if (accepted.has(index)) rung++;
      else await deferRow(message, at, 'not queued at booking: the sweeper queues it', at);
    }
  }
  return rung;
}
