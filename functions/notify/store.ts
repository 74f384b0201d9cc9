/**
 * The notification ledger and the local outbox. Ledger rows sit in the booking's partition
 * (`NOTIFY#<kind>`); pending rows carry `duePk`/`dueAt`, the sparse GSI `byDue` the sweeper reads.
 * Sending is a transaction (ledger row -> sent, outbox row), so a message is sent once.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../booking/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { NotificationKind } from './catalogue';
import type { NotifyMessage } from './schemas';
import type { PlannedNotification } from './plan';
import { queryPartition, queryPrefix, sendConditional } from '../shared/dynamo';
import type { IndexName } from '../shared/table';

/** The sparse due-work index (functions/shared/table.ts declares it). */
export const DUE_INDEX: IndexName = 'byDue';
export const DUE_PARTITION = 'DUE';

export const notifyKeys = {
  ledgerRow: (tenantId: string, bookingId: string, kind: NotificationKind, technicianId?: string, version = 1) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: ['NOTIFY', kind, technicianId, version > 1 ? `v${version}` : undefined].filter(Boolean).join('#'),
  }),
  ledgerPrefix: 'NOTIFY#',
  outboxPartition: (tenantId: string) => `T#${tenantId}#OUTBOX`,
  outboxMessage: (tenantId: string, sentAt: string, bookingId: string, rowId: string) => ({
    pk: notifyKeys.outboxPartition(tenantId),
    sk: `MSG#${sentAt}#${bookingId}#${rowId}`,
  }),
};

/** A ledger row as the sweeper lists it: the queue message plus how it stands. */
export type LedgerMessage = NotifyMessage & {
  /** As listed by the sweeper: `queued` means a lost message queued again. Not part of the message. */
  status?: string;
  /** How often the sweeper queued it again (listed by the sweeper, not part of the message). */
  requeues?: number;
};

function rowKey(row: LedgerMessage) {
  return notifyKeys.ledgerRow(row.tenantId, row.bookingId, row.kind, row.technicianId, row.version);
}

/** Writes planned rows; a row that already exists is left as it is (a re-entered node adds nothing). */
export async function addLedgerRows(tenantId: string, bookingId: string, rows: PlannedNotification[]): Promise<number> {
  let added = 0;
  for (const row of rows) {
    const written = await sendConditional(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...notifyKeys.ledgerRow(tenantId, bookingId, row.kind, row.technicianId, row.version),
          type: 'Notification',
          tenantId,
          bookingId,
          ...row,
          status: 'pending',
          duePk: DUE_PARTITION,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (written) added++;
  }
  return added;
}

export async function listDueRows(dueBy: Date, limit: number): Promise<LedgerMessage[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'duePk = :due AND dueAt <= :by',
      ExpressionAttributeValues: { ':due': DUE_PARTITION, ':by': dueBy.toISOString() },
      Limit: limit,
    }),
  );
  return Items.map((item) => ({
    tenantId: item.tenantId,
    bookingId: item.bookingId,
    kind: item.kind,
    technicianId: item.technicianId,
    version: item.version,
    status: item.status,
    requeues: item.requeues,
  }));
}

/**
 * A queued row whose message has not settled it this long after it was queued is taken as lost (the
 * queue is the doorbell, the row the record): the sweeper queues it again, at most MAX_REQUEUES times.
 */
export const REQUEUE_AFTER_MS = 15 * 60_000;
export const MAX_REQUEUES = 3;

/**
 * pending -> queued (or a lost queued row queued again). The row stays in the due index, due again
 * REQUEUE_AFTER_MS later, until the worker settles it (sent, suppressed, failed, deferred). False
 * when another sweep got there first.
 */
export async function markQueued(row: LedgerMessage, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: 'SET #status = :queued, queuedAt = :at, dueAt = :again ADD requeues :requeue',
      ConditionExpression: '#status = :pending OR (#status = :queued AND dueAt <= :at AND (attribute_not_exists(requeues) OR requeues < :max))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':queued': 'queued',
        ':pending': 'pending',
        ':at': at.toISOString(),
        ':again': new Date(at.getTime() + REQUEUE_AFTER_MS).toISOString(),
        ':requeue': row.status === 'queued' ? 1 : 0,
        ':max': MAX_REQUEUES,
      },
    }),
  );
}

/** Whether a ledger row still waits to be sent (a doorbell rung twice finds it settled and stops). */
export async function isRowOpen(row: LedgerMessage): Promise<boolean> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: rowKey(row), ConsistentRead: true }));
  // Membership messages and rows written before the ledger existed have no row: send as before.
  return !Item || Item.status === 'pending' || Item.status === 'queued';
}

/** A queued row that must wait (quiet hours): back to pending with its new due time. */
export async function deferRow(row: LedgerMessage, until: Date, reason: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: 'SET #status = :pending, dueAt = :until, duePk = :due, deferredReason = :reason, deferredAt = :at',
      ConditionExpression: '#status IN (:pending, :queued)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':queued': 'queued',
        ':until': until.toISOString(),
        ':due': DUE_PARTITION,
        ':reason': reason,
        ':at': at.toISOString(),
      },
    }),
  );
}

/** A row that will not be sent (opted out, refused, template unfillable), with the reason. */
export async function settleRow(row: LedgerMessage, status: 'suppressed' | 'failed', reason: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: 'SET #status = :status, statusReason = :reason, settledAt = :at REMOVE duePk',
      ConditionExpression: '#status IN (:pending, :queued)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':reason': reason, ':at': at.toISOString(), ':pending': 'pending', ':queued': 'queued' },
    }),
  );
}

/** Records the message as sent exactly once. False when it was already sent. */
export async function recordSent(
  row: LedgerMessage,
  message: { channel: string; to: string; text: string; subject?: string; language?: string; provider?: string; providerMessageId?: string },
  at: Date,
): Promise<boolean> {
  const sentAt = at.toISOString();
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: config.tableName,
            Key: rowKey(row),
            UpdateExpression: 'SET #status = :sent, sentAt = :at REMOVE duePk',
            ConditionExpression: '#status IN (:pending, :queued)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':queued': 'queued', ':at': sentAt },
          },
        },
        {
          Put: {
            TableName: config.tableName,
            Item: {
              ...notifyKeys.outboxMessage(row.tenantId, sentAt, row.bookingId, rowKey(row).sk.replace('NOTIFY#', '')),
              type: 'OutboxMessage',
              ...row,
              ...message,
              sentAt,
            },
          },
        },
      ],
    }),
  );
}

/**
 * Cancels every message of the booking still waiting to go (a cancel, or a reschedule that plans
 * new ones). Rows already queued or sent are history and stay as they are. `only` narrows it to
 * some kinds (whatever technician or schedule version the row is for) and/or to the rows of
 * schedule versions before `beforeVersion` (a row without a version is version 1), so a move that
 * runs again never cancels the rows of the schedule it made.
 */
export async function cancelPendingRows(
  tenantId: string,
  bookingId: string,
  at: Date,
  only: { kinds?: readonly NotificationKind[]; beforeVersion?: number } = {},
): Promise<number> {
  const pending = await queryPrefix(bookingKeys.partition(tenantId, bookingId), notifyKeys.ledgerPrefix, {
    filter: '#status = :pending',
    names: { '#status': 'status' },
    values: { ':pending': 'pending' },
    consistent: true,
  });
  const kinds = only.kinds ? new Set<string>(only.kinds) : undefined;
  const wanted = pending.filter(
    (item) =>
      (!kinds || kinds.has(item.kind as string)) && (only.beforeVersion === undefined || ((item.version as number | undefined) ?? 1) < only.beforeVersion),
  );
  let cancelled = 0;
  for (const item of wanted) if (await cancelRowIfPending({ pk: item.pk, sk: item.sk }, at)) cancelled++;
  return cancelled;
}

/** pending -> cancelled for one ledger row; false when it was no longer pending (queued, sent, gone). */
export async function cancelRowIfPending(key: { pk: string; sk: string }, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at REMOVE duePk',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending', ':at': at.toISOString() },
    }),
  );
}

export async function listOutbox(tenantId: string): Promise<Array<Record<string, unknown>>> {
  return queryPartition(notifyKeys.outboxPartition(tenantId));
}
