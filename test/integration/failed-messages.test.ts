/**
 * Every failed message reaches review before the DLQ, whatever threw (issue 12, item 8).
 * - A message that cannot be addressed (a technician without a phone) is not worth retrying: one
 *   notification_failed review item at once, with a readable reason, and the message is done (no
 *   five receives into the DLQ). Once the phone is added, redriving the item sends it (the failed
 *   row opens again) and the worker resolves the item.
 * - Any other throw, from anywhere in a worker (here: the booking a message names is gone), on the
 *   record's last receive writes the review item first; then the record fails into the DLQ.
 * Same for the CRM outbox worker and the status-events worker.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deadLetterPolicy, queues } from '../../functions/registry';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { handler as notifyWorker } from '../../functions/notify/send.handler';
import { handler as crmSyncWorker } from '../../functions/crm/sync.handler';
import { handler as statusEventsWorker } from '../../functions/lifecycle/status-events.handler';
import { sqsClient } from '../../functions/shared/queue-client';
import { pollOnce, sqsRecord } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { bookingRequest, createTestTenant, itemsWithPrefix, nextWeekday, waitForTrail } from './helpers';

const notifyQueue = queues.find((q) => q.name === 'notify')!;
const sqs = { queueUrl: () => process.env.NOTIFY_QUEUE_URL! } as unknown as LocalSqs;
const heaterAddress = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };

/** A record on its last receive, as Lambda's event source mapping hands it to the worker. */
const lastReceive = (queueName: string, body: unknown) => onReceive(deadLetterPolicy.maxReceiveCount, queueName, body);

/** A record on its `count`-th receive. */
function onReceive(count: number, queueName: string, body: unknown): SQSEvent {
  return {
    Records: [
      sqsRecord(
        {
          MessageId: `m-${Math.random().toString(36).slice(2)}`,
          ReceiptHandle: 'local',
          Body: JSON.stringify(body),
          Attributes: { ApproximateReceiveCount: String(count) },
        },
        queueName,
      ),
    ],
  };
}

async function queueDepth(): Promise<number> {
  const { Attributes } = await sqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: process.env.NOTIFY_QUEUE_URL!,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

describe('a message that cannot be addressed', () => {
  it('a technician without a phone: one notification_failed item at once, a readable reason, no retries', async () => {
    const tenant = await createTestTenant();
    const tech = (await tenant.call('GET', '/v1/config/technicians')).body.items.find((t: { technicianId: string }) => t.technicianId === 'tech-03');
    const { technicianId: _id, phone: _phone, ...noPhone } = tech;
    expect((await tenant.call('PUT', '/v1/config/technicians/tech-03', noPhone)).status).toBe(200);

    const booked = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        jobTypeId: 'plumbing-water-heater-repair',
        address: heaterAddress,
        window: { date: nextWeekday(4, 4), start: '10:00' },
      }),
    );
    expect(booked.status).toBe(201);
    expect(booked.body.window.technicianId).toBe('tech-03');
    const bookingId = booked.body.bookingId;
    await waitForTrail(bookingId);

    await sweepDueNotifications(new Date());
    while ((await pollOnce(sqs, notifyQueue, 0)) > 0);

    const items = (await tenant.call('GET', '/v1/review-items?kind=notification_failed')).body.items.filter(
      (i: { subject: { id: string } }) => i.subject.id === bookingId,
    );
    expect(items).toHaveLength(1);
    expect(items[0].reason).toMatch(/technician_job/);
    expect(items[0].reason).toMatch(/tech-03/);
    expect(items[0].reason).toMatch(/phone/i);
    expect(items[0].reason).not.toMatch(/\n\s+at /); // a reason, not a stack
    // The message is done with: nothing left to come back five times. The queue is the local
    // system's, whose ticker may queue another file's row that comes due meanwhile: drain until empty.
    await expect
      .poll(
        async () => {
          while ((await pollOnce(sqs, notifyQueue, 0)) > 0);
          return queueDepth();
        },
        { timeout: 120_000, interval: 1_000 },
      )
      .toBe(0);
    // Still one item: the message did not come back to fail again.
    expect(
      (await tenant.call('GET', '/v1/review-items?kind=notification_failed')).body.items.filter((i: { subject: { id: string } }) => i.subject.id === bookingId),
    ).toHaveLength(1);
    const ledgerRow = async () =>
      (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).find((i) => i.sk.startsWith('NOTIFY#') && i.kind === 'technician_job');
    expect((await ledgerRow())?.status).toBe('failed');

    // The reason says "add one, then redrive": the dispatcher does, and the technician gets the job.
    expect((await tenant.call('PUT', '/v1/config/technicians/tech-03', { ...noPhone, phone: tech.phone })).status).toBe(200);
    const redriven = await tenant.call('POST', `/v1/review-items/${items[0].reviewItemId}/redrive`, { by: 'Dana' });
    expect(redriven.status).toBe(202);
    await expect
      .poll(
        async () => {
          await pollOnce(sqs, notifyQueue, 0);
          return (await ledgerRow())?.status;
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe('sent');
    expect((await ledgerRow())?.to).toBe(tech.phone);
    // Sent: the worker resolves the item (a resolved item is not redriven again: 409).
    await expect.poll(async () => (await tenant.call('GET', `/v1/review-items/${items[0].reviewItemId}`)).body.status, { timeout: 60_000 }).toBe('resolved');
    expect((await tenant.call('POST', `/v1/review-items/${items[0].reviewItemId}/redrive`, { by: 'Dana' })).status).toBe(409);
  });
});

describe('whatever throws, the last receive writes the review item first', () => {
  it('notify: a message whose booking is gone', async () => {
    const tenant = await createTestTenant();
    // Its only record failed: the whole batch fails (Powertools' FullBatchFailureError), as Lambda sees it.
    await expect(notifyWorker(lastReceive('jobrelay-notify', { tenantId: tenant.tenantId, bookingId: 'b-gone', kind: 'confirmation' }))).rejects.toThrow(
      /All records failed/,
    );
    const items = (await tenant.call('GET', '/v1/review-items?kind=notification_failed')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: 'b-gone' } });
    expect(items[0].reason).toMatch(/confirmation/);
    expect(items[0].reason).toMatch(/b-gone/);
  });

  it('crm-sync: a message that is not an outbox message is reviewed at once (it can never succeed), the record done', async () => {
    const tenant = await createTestTenant();
    const response = await crmSyncWorker(onReceive(1, 'jobrelay-crm-sync', { tenantId: tenant.tenantId, bookingId: 'b-odd', state: 'teleported' }));
    expect(response.batchItemFailures).toEqual([]);
    const items = (await tenant.call('GET', '/v1/review-items?kind=crm_write_failed')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: 'b-odd' } });
    expect(items[0].reason).not.toMatch(/\n\s+at /);
  });

  it('status-events: a message that is not a job event still names its tenant and booking in review, at once', async () => {
    const tenant = await createTestTenant();
    const body = { tenantId: tenant.tenantId, bookingId: 'b-odd', event: { eventId: 'e1', type: 'teleported' } };
    const response = await statusEventsWorker(onReceive(1, 'jobrelay-status-events', body));
    expect(response.batchItemFailures).toEqual([]);
    const items = (await tenant.call('GET', '/v1/review-items?kind=workflow_failed')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: 'b-odd' }, redrive: { type: 'message', queue: 'status-events', body } });
  });
});
