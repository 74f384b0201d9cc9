/**
 * Queues every ledger row that is due on the notify queue. Send first, then mark: a crash between the
 * two re-sends, and the worker's exactly-once record makes that harmless; the other order could lose
 * a message. The row is the record, the message the doorbell: a queued row stays in the due index,
 * due again 15 minutes on (store.ts REQUEUE_AFTER_MS), so a message lost with the queue (a crash of
 * the local in-memory queue, a purge) is queued again; the worker skips a row already settled; after
 * MAX_REQUEUES the row fails with the reason instead of circling forever.
 */
import { NOTIFY_BATCH, sendNotifyMessages } from './queue-store';
import { listDueRows, markQueued, MAX_REQUEUES, settleRow, type LedgerMessage } from './store';

const PAGE = 100;
const MAX_PAGES = 20;

/** The message of a listed row: the row's listing facts (status, requeues) are not part of it. */
function messageOf({ status: _status, requeues: _requeues, ...message }: LedgerMessage): LedgerMessage {
  return message;
}

export async function sweepDueNotifications(at: Date): Promise<number> {
  let queued = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await listDueRows(at, PAGE);
    if (!listed.length) break;
    // A message lost again and again is not queued forever: the row fails with the reason.
    const given = listed.filter((row) => row.status === 'queued' && (row.requeues ?? 0) >= MAX_REQUEUES);
    for (const row of given) await settleRow(row, 'failed', `queued ${MAX_REQUEUES + 1} times without being sent (message lost)`, at);
    const due = listed.filter((row) => !given.includes(row));
    for (let i = 0; i < due.length; i += NOTIFY_BATCH) {
      const batch = due.slice(i, i + NOTIFY_BATCH);
      const sent = await sendNotifyMessages(batch.map(messageOf));
      for (const [index, row] of batch.entries()) {
        if (sent.has(index) && (await markQueued(row, at))) queued++;
      }
    }
    if (listed.length < PAGE) break;
  }
  return queued;
}
