/**
 * In AWS a tenant with no SMS provider gets a `setup_required` review item, never a message kept in
 * an outbox (issue 13; the payments side is in payments.test.ts). "In AWS" here is this test process
 * without JOBRELAY_STAGE=local, the one setting the local runtime sets (functions/shared/stage.ts).
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as sendHandler } from '../../functions/notify/send.handler';
import { findOpenReviewItems } from '../../functions/review/store';
import { sqsRecord } from '../../local/pollers';
import { bookingRequest, createTestTenant, inAws } from './helpers';
import { ledgerRows } from './lifecycle-helpers';

describe('in AWS, a messaging provider the tenant has not set up is a setup item, not a fake', () => {
  it('messages: no SMS provider set -> the message fails with setup_required (no outbox, no retries), one item per channel', async () => {
    const tenant = await createTestTenant();
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': `setup-${Date.now()}` });
    expect(booked.status).toBe(201);
    const bookingId = booked.body.bookingId as string;
    const rows = (await ledgerRows(tenant.tenantId, bookingId)).filter((r) => r.kind === 'confirmation');
    expect(rows).toHaveLength(1);
    const event = (attempt: number): SQSEvent => ({
      Records: [
        sqsRecord(
          {
            MessageId: `setup-${attempt}`,
            ReceiptHandle: 'r',
            // The writer's doorbell: it carries the ring the row was queued with.
            Body: JSON.stringify({ tenantId: tenant.tenantId, bookingId, kind: 'confirmation', ring: rows[0]!.ring }),
            Attributes: { SentTimestamp: '0', ApproximateFirstReceiveTimestamp: '0' },
          },
          'jobrelay-notify',
        ),
      ],
    });
    // Settled as failed on the first receive: nothing for SQS to retry.
    expect(await inAws(() => sendHandler(event(1)))).toEqual({ batchItemFailures: [] });
    const [row] = (await ledgerRows(tenant.tenantId, bookingId)).filter((r) => r.kind === 'confirmation');
    expect(row).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(row)).toContain('setup_required');
    const outbox = await tenant.call('GET', `/v1/outbox?bookingId=${bookingId}`);
    expect((outbox.body.messages ?? []).filter((m: { kind: string }) => m.kind === 'confirmation')).toEqual([]);
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'setup', id: 'messaging.sms' }, 'setup_required');
    expect(items).toHaveLength(1);
    expect(items[0]!.reason).toContain('PUT /v1/config/credentials/sms');
  });
});
