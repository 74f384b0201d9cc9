/**
 * Helpers for the lifecycle and renewals tests. They move time far ahead (days, months), so instead
 * of the global sweeper (which would send other test files' future reminders early) they sweep only
 * the ledger rows of the subjects under test, with the sweeper's own steps: queue on `notify`, mark
 * queued, then the NotifyWorker drains the queue as usual.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DateTime } from 'luxon';
import { expect, vi } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../../functions/booking/store';
import { listOutbox, markQueued, type LedgerMessage } from '../../functions/notify/store';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { queues } from '../../functions/registry';
import { documentClient } from '../../functions/shared/clients';
import { sqsClient } from '../../functions/shared/queue-client';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import type { Membership } from '../../functions/renewals/store';
import type { TestTenant } from './helpers';

const sqs = {
  queueUrl: (name: string) => process.env[`${name.replace(/-/g, '_').toUpperCase()}_QUEUE_URL`]!,
} as unknown as LocalSqs;

/**
 * Runs the queue's real worker (as the event source mapping would) until the queue is empty and no
 * message is in flight. Files drain the same queue at once: another file's drain may hold this
 * file's message while its worker runs, so an empty receive is not the end: only a queue with
 * nothing visible and nothing in flight is (every message sent before this call has been handled,
 * by whichever drain took it). A message that fails comes back after the visibility timeout and is
 * handled again, or goes to the DLQ after its last receive. Delayed messages (not yet due) are left.
 */
export async function drain(queueName: DrainedQueue): Promise<void> {
  const spec = queues.find((q) => q.name === queueName)!;
  await vi.waitFor(
    async () => {
      while ((await pollOnce(sqs, spec, 0)) > 0);
      const { Attributes = {} } = await sqsClient().send(
        new GetQueueAttributesCommand({
          QueueUrl: sqs.queueUrl(queueName),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (left > 0) throw new Error(`the ${queueName} queue still holds ${left} message(s) (visible or in flight)`);
    },
    // A message that keeps failing settles at the DLQ after maxReceiveCount receives, each up to the
    // worker's timeout plus the visibility timeout (status-events: 5 x (30 + 2) s on a loaded machine).
    { timeout: 300_000, interval: 50 },
  );
}
type DrainedQueue = 'notify' | 'status-events';

/** Due notifications sent now: the sweeper queues every tenant's due rows, then the queue is drained. */
export async function deliverDue(): Promise<void> {
  await sweepDueNotifications(new Date());
  await drain('notify');
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
  // Messages of these subjects in the queue: queued now, or earlier (by the booking's nodes) and not yet sent.
  let waiting = 0;
  for (const subjectId of subjectIds) {
    for (const row of await ledgerRows(tenantId, subjectId)) {
      if (row.status === 'queued') waiting++;
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
      waiting++;
    }
  }
  // No message of theirs in the queue (every ledger row that has one is `queued` until the worker
  // settles it): nothing to send, and other files' messages are their own drains' (renewals sweeps
  // 91 days, most with nothing due, and each drain waited for every file's messages in flight).
  if (waiting) await drain('notify');
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

/**
 * The technician of `bookingId` reports from the field that they are on the way with an ETA of
 * `clock` (company time, America/Chicago) on `date`: the event through the API, its queue drained,
 * until the job shows it (dispatch suggestions read lateness from it).
 */
export async function reportLateEta(tenant: Pick<TestTenant, 'call'>, bookingId: string, date: string, clock: string): Promise<void> {
  const eta = DateTime.fromISO(`${date}T${clock}`, { zone: 'America/Chicago' }).toUTC().toISO()!;
  const event = await tenant.call('POST', `/v1/jobs/${bookingId}/events`, {
    eventId: `late-${bookingId}`,
    type: 'en_route',
    occurredAt: new Date().toISOString(),
    data: { eta },
  });
  expect(event.status, JSON.stringify(event.body)).toBe(202);
  await drain('status-events');
  await expect.poll(async () => (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.job?.state, { timeout: 60_000 }).toBe('en_route');
}
