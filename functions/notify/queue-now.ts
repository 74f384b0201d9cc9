/**
 * Messages due now go now (issue 19): every writer of ledger rows writes the rows that are due
 * already `queued` (notify/store.ts putLedgerRows) and rings their doorbell on the notify queue at
 * once, so the customer has the confirmation, a cancellation or an emergency's ETA, and the
 * technician, on-call or dispatch their alert, seconds after the change instead of at the sweeper's
 * next tick. Writers go through addLedgerRows below (ScheduleNotifications writes its rows in a
 * transaction and rings them with queueWritten). The sweeper stays the safety net: a row queued here
 * is due again a minute on (store.ts FIRST_REQUEUE_AFTER_MS) unless the worker took its message
 * (claimRow: then 15 minutes, REQUEUE_AFTER_MS), so a writer that died between the write and the
 * ring, or a ring the queue lost, costs a minute or two, and a late doorbell meeting the requeue
 * sends once (the worker's claim, notify/send.ts); a row whose message the queue refused goes back
 * to pending, due now, for the next tick.
 * Every function that bundles this module sends to the notify queue, so it needs the
 * `notifyQueue:send` grant (test/infra/notify-due-now-grants.test.ts checks the registry).
 */
import { logger } from '../shared/logger';
import type { PlannedNotification } from './plan';
import { NOTIFY_BATCH, sendNotifyMessages } from './queue-store';
import type { MessageParties } from './schemas';
import { deferRow, type LedgerMessage, partiesOf, putLedgerRows, type WrittenRow } from './store';

/**
 * Writes planned ledger rows (a row that already exists is left as it is) and answers how many it
 * wrote; the rows due by `at` (the writer's clock) are written `queued` and rung on the notify queue
 * at once. A retried writer finds its rows written and queues nothing again. `parties`: the ids the
 * worker reads with each row (NotifyMessage.parties), when the writer has them at hand.
 */
export async function addLedgerRows(
  tenantId: string,
  bookingId: string,
  rows: PlannedNotification[],
  options: { at: Date; parties?: MessageParties },
): Promise<number> {
  if (!rows.length) return 0;
  const { at } = options;
  const parties = partiesOf(options.parties);
  const written = await putLedgerRows(tenantId, bookingId, rows, { queuedAt: at, ...(parties ? { parties } : {}) });
  await queueWritten(tenantId, bookingId, written, parties, at);
  return written.length;
}

/**
 * Rings the doorbell of the rows a writer just wrote `queued` (the rows putLedgerRows or
 * scheduleLedgerRows answer: a row that existed already is not among them, so a retried writer
 * queues nothing again), each message with its row's ring; `parties` as written on the rows.
 * Answers how many the queue took.
 */
export async function queueWritten(tenantId: string, bookingId: string, written: WrittenRow[], parties: MessageParties | undefined, at: Date): Promise<number> {
  return queueNow(
    written
      .filter((row) => row.queued)
      .map(({ kind, technicianId, version, ring }) => ({
        tenantId,
        bookingId,
        kind,
        technicianId,
        version,
        ...(parties ? { parties } : {}),
        ...(ring ? { ring } : {}),
      })),
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
