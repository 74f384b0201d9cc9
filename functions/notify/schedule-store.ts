/**
 * The booking's notification rows and the node's timeline entry in one request (issue 19): the
 * ScheduleNotifications node wrote each planned row with its own conditional PutItem and its
 * timeline entry with another. Here they go in one TransactWriteItems, each row still on the
 * condition that it does not exist: a row already there (a re-entered node) is left as it is and
 * neither written nor queued again. DynamoDB cancels the whole transaction when one condition fails
 * and says which (CancellationReasons): those rows are dropped and the rest written again, at most
 * once per row. DynamoDB bills a transaction's items twice over: more write units for fewer round
 * trips, which is what a caller waiting on the booking answer pays for.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { timelineEntryItem } from '../booking/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { PlannedNotification } from './plan';
import type { MessageParties } from './schemas';
import { ledgerRowItem, markDueShards, type WrittenRow } from './store';

/** DynamoDB's limit of items per transaction. */
const MAX_TRANSACTION_ITEMS = 100;

type CancellationReason = { Code?: string };

/** The cancellation reasons of a transaction that failed on its conditions, else undefined. */
function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  return (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons;
}

/**
 * Writes the planned rows that do not exist yet, already `queued` when due by `queuedAt` (as
 * putLedgerRows does, each with its ring), with the timeline entry, in one transaction; answers the
 * rows it wrote.
 */
export async function scheduleLedgerRows(
  tenantId: string,
  bookingId: string,
  rows: PlannedNotification[],
  options: {
    queuedAt: Date;
    /** The ids the worker reads with each row (NotifyMessage.parties). */
    parties?: MessageParties;
    timeline: { node: string; outcome: string; detail: (written: WrittenRow[]) => Record<string, unknown> };
  },
): Promise<WrittenRow[]> {
  if (rows.length + 1 > MAX_TRANSACTION_ITEMS) throw new Error(`A booking plans at most ${MAX_TRANSACTION_ITEMS - 1} messages at once`);
  const queuedAt = options.queuedAt.toISOString();
  let pending = rows.map((row) => ledgerRowItem(tenantId, bookingId, row, queuedAt, options.parties));
  // Each round either writes or drops at least one row (a condition failed): rows + 1 rounds at most.
  for (let round = 0; round <= rows.length; round++) {
    const timeline = timelineEntryItem(
      tenantId,
      bookingId,
      options.timeline.node,
      options.timeline.outcome,
      options.timeline.detail(pending.map(({ written }) => written)),
      options.queuedAt,
    );
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [
            ...pending.map(({ Item }) => ({ Put: { TableName: config.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
            { Put: { TableName: config.tableName, Item: timeline } },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      const exists = new Set(reasons?.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : [])));
      // Anything but rows that exist already (a conflict with another write, throttling) is the caller's to retry.
      if (!exists.size) throw error;
      pending = pending.filter((_, index) => !exists.has(index));
      continue;
    }
    const written = pending.map(({ written }) => written);
    // The sweep reads this tenant's shard again (a row due sooner than its hint may have been added).
    if (written.length) await markDueShards([tenantId]);
    return written;
  }
  throw new Error('Notification rows kept failing their conditions');
}
