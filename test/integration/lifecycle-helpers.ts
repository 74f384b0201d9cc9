/**
 * Helpers for the lifecycle and renewals tests. They move time far ahead (days, months), so instead
 * of the global sweeper (which would send other test files' future reminders early) they sweep only
 * the ledger rows of the subjects under test, with the sweeper's own steps: queue on `notify`, mark
 * queued, then the NotifyWorker drains the queue as usual.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../../functions/booking/store';
import { listOutbox, markQueued, type LedgerMessage } from '../../functions/notify/store';
import { queues } from '../../functions/registry';
import { documentClient } from '../../functions/shared/clients';
import { sqsClient } from '../../functions/shared/queue-client';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import type { Membership } from '../../functions/renewals/store';

const sqs = {
  queueUrl: (name: string) => process.env[`${name.replace(/-/g, '_').toUpperCase()}_QUEUE_URL`]!,
} as unknown as LocalSqs;

export async function drain(queueName: 'notify' | 'status-events'): Promise<void> {
  const spec = queues.find((q) => q.name === queueName)!;
  while ((await pollOnce(sqs, spec, 0)) > 0);
}

export async function ledgerRows(tenantId: string, subjectId: string): Promise<Array<Record<string, any>>> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': bookingKeys.partition(tenantId, subjectId), ':prefix': 'NOTIFY#' },
      ConsistentRead: true,
    }),
  );
  return Items;
}

/** Sends what is due by `clock` for these subjects, through the notify queue and worker. */
export async function sweepSubjects(tenantId: string, subjectIds: string[], clock: Date): Promise<void> {
  for (const subjectId of subjectIds) {
    for (const row of await ledgerRows(tenantId, subjectId)) {
      if (row.status !== 'pending' || row.dueAt > clock.toISOString()) continue;
      const message: LedgerMessage = {
        tenantId,
        bookingId: subjectId,
        kind: row.kind,
        ...(row.technicianId ? { technicianId: row.technicianId } : {}),
        ...(row.version ? { version: row.version } : {}),
      };
      await sqsClient().send(new SendMessageCommand({ QueueUrl: process.env.NOTIFY_QUEUE_URL!, MessageBody: JSON.stringify(message) }));
      await markQueued(message, clock);
    }
  }
  await drain('notify');
}

export async function outboxFor(tenantId: string, subjectId?: string): Promise<Array<Record<string, any>>> {
  return (await listOutbox(tenantId)).filter((m) => !subjectId || m.bookingId === subjectId);
}

/** A membership's charge attempts as stored (one row per attempt). */
export async function chargeAttempts(m: Membership): Promise<Array<Record<string, any>>> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `T#${m.tenantId}#CUSTOMER#${m.customerId}`, ':prefix': `MEMBERSHIP#${m.membershipId}#CHARGE#` },
      ConsistentRead: true,
    }),
  );
  return Items;
}
