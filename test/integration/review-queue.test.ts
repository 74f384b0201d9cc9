/**
 * The review queue API: list with kind/status/age filters, one item with its payload, resolve with
 * a note and who, redrive (a stored message back to its work queue, where the real worker applies
 * it and resolves the item; a DLQ moved back with StartMessageMoveTask). Queues are the real SQS
 * server; every message is valid, so other tests draining the same queues process it correctly.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../functions/admin/store';
import { findOpenReviewItems, openReviewItem, resolveReviewItemsFor } from '../../functions/review/store';
import { WORKER_NODE } from '../../functions/lifecycle/actions';
import { queues } from '../../functions/registry';
import { sqsClient } from '../../functions/shared/queue-client';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { bookingRequest, callApi, createTestTenant, partitionItems, type TestTenant } from './helpers';

let tenant: TestTenant;
const HOUR = 3_600_000;

beforeAll(async () => {
  tenant = await createTestTenant();
});

describe('GET /v1/review-items', () => {
  it('filters by kind, status and age, oldest first', async () => {
    const t = await createTestTenant();
    const now = Date.now();
    const old = await openReviewItem(
      t.tenantId,
      { kind: 'missing_attribution', reason: 'No source on booking b-1', subject: { type: 'booking', id: 'b-1' } },
      new Date(now - 30 * HOUR),
    );
    const mid = await openReviewItem(
      t.tenantId,
      { kind: 'crm_write_failed', reason: 'CRM 503', subject: { type: 'booking', id: 'b-2' }, payload: { node: 'WriteCrm' } },
      new Date(now - 5 * HOUR),
    );
    const fresh = await openReviewItem(
      t.tenantId,
      { kind: 'missing_attribution', reason: 'No source on booking b-3', subject: { type: 'booking', id: 'b-3' } },
      new Date(now - 10 * 60_000),
    );

    const all = await t.call('GET', '/v1/review-items');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: any) => i.reviewItemId)).toEqual([old.reviewItemId, mid.reviewItemId, fresh.reviewItemId]);

    const byKind = await t.call('GET', '/v1/review-items?kind=missing_attribution');
    expect(byKind.body.items.map((i: any) => i.reviewItemId)).toEqual([old.reviewItemId, fresh.reviewItemId]);

    const olderThan4h = await t.call('GET', '/v1/review-items?olderThan=4h');
    expect(olderThan4h.body.items.map((i: any) => i.reviewItemId)).toEqual([old.reviewItemId, mid.reviewItemId]);
    const newerThan1d = await t.call('GET', '/v1/review-items?newerThan=1d&kind=missing_attribution');
    expect(newerThan1d.body.items.map((i: any) => i.reviewItemId)).toEqual([fresh.reviewItemId]);

    const bad = await t.call('GET', '/v1/review-items?olderThan=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('query.olderThan');

    // The open-item lookup rows never show up as items.
    expect(all.body.items).toHaveLength(3);
  });
});

describe('GET /v1/review-items/{id}', () => {
  it('returns the full payload and reason, and is tenant-scoped', async () => {
    const item = await openReviewItem(tenant.tenantId, {
      kind: 'crm_write_failed',
      reason: 'The CRM write failed after retries (CrmUnavailableError: HTTP 503)',
      subject: { type: 'booking', id: 'bk-42' },
      payload: { node: 'WriteCrm', error: 'CrmUnavailableError', cause: 'HTTP 503', attempts: 4 },
    });
    const got = await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      reviewItemId: item.reviewItemId,
      status: 'open',
      reason: item.reason,
      payload: { node: 'WriteCrm', error: 'CrmUnavailableError', cause: 'HTTP 503', attempts: 4 },
      redrivable: true,
      redrive: { type: 'message', queue: 'crm-sync', body: { tenantId: tenant.tenantId, bookingId: 'bk-42' } },
    });
    const stranger = await createTestTenant();
    expect((await stranger.call('GET', `/v1/review-items/${item.reviewItemId}`)).status).toBe(404);
    expect((await tenant.call('GET', '/v1/review-items/not-an-id')).status).toBe(400);
  });
});

describe('POST /v1/review-items/{id}/resolve', () => {
  it('closes the item with the note and who did it, once', async () => {
    const item = await openReviewItem(tenant.tenantId, {
      kind: 'suspected_duplicate',
      reason: 'Same address as C-1',
      subject: { type: 'customer', id: 'c-2' },
    });
    const missingNote = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/resolve`, { by: 'Dana' });
    expect(missingNote.status).toBe(400);
    expect(missingNote.body.error.field).toBe('note');

    const resolved = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/resolve`, { note: 'Merged by hand in the CRM', by: 'Dana (dispatch)' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolutionNote: 'Merged by hand in the CRM' });
    expect(resolved.body.resolvedBy).toMatch(/^Dana \(dispatch\) via Demo key \(key [0-9A-Z]{26}\)$/);

    const again = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/resolve`, { note: 'again' });
    expect(again.status).toBe(409);
    const stored = (await partitionItems(`T#${tenant.tenantId}#REVIEW`)).filter((i) => i.reviewItemId === item.reviewItemId);
    // The item row stays (resolved); its open-lookup row is gone.
    expect(stored.map((i) => i.sk)).toEqual([`ITEM#${item.reviewItemId}`]);
    expect(stored[0]!.status).toBe('resolved');

    const openOnly = await tenant.call('GET', '/v1/review-items?status=open&kind=suspected_duplicate');
    expect(openOnly.body.items).toEqual([]);
  });

  it('needs the review scope', async () => {
    const item = await openReviewItem(tenant.tenantId, { kind: 'out_of_scope', reason: 'Pool repair', subject: { type: 'booking', id: 'bk-9' } });
    const { apiKey } = await issueApiKey(tenant.tenantId, { name: 'bot', scopes: ['bookings'] });
    const response = await callApi('POST', `/v1/review-items/${item.reviewItemId}/resolve`, {
      body: { note: 'x' },
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
  });
});

describe('POST /v1/review-items/{id}/redrive', () => {
  it('re-sends the stored message to its work queue; the worker that then succeeds resolves the item', async () => {
    // A job event that failed 5 times, as StatusEventsWorker records it (issue 6): the item stores the message.
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': `rq-${ulid()}` });
    expect(booked.body.status).toBe('confirmed');
    const bookingId = booked.body.bookingId as string;
    const message = {
      tenantId: tenant.tenantId,
      bookingId,
      source: 'fsm-test',
      receivedAt: new Date().toISOString(),
      event: { eventId: `ev-${ulid()}`, type: 'dispatched', occurredAt: new Date().toISOString(), data: { technicianName: 'Ray' } },
    };
    const item = await openReviewItem(tenant.tenantId, {
      kind: 'workflow_failed',
      reason: 'TransientError: job event failed 5 times; it is in the status-events DLQ',
      subject: { type: 'booking', id: bookingId },
      payload: { node: WORKER_NODE, eventId: message.event.eventId, type: 'dispatched', attempts: 5 },
      redrive: { type: 'message', queue: 'status-events', body: message },
    });
    const redriven = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/redrive`, { by: 'Sam' });
    expect(redriven.status).toBe(202);
    expect(redriven.body.redrive).toMatchObject({ type: 'message', queue: 'status-events', messageId: expect.any(String) });

    // Redriving does not pretend it fixed anything: still open, with the redrive recorded.
    const after = await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`);
    expect(after.body.redrives).toEqual([expect.objectContaining({ type: 'message', queue: 'status-events', ref: redriven.body.redrive.messageId })]);
    expect(after.body.redrives[0].by).toMatch(/^Sam via .*\(key /);

    // The worker takes the message (whoever polls the queue), applies the event and resolves the item.
    const statusEvents = queues.find((q) => q.name === 'status-events')!;
    const sqs = { queueUrl: () => process.env.STATUS_EVENTS_QUEUE_URL! } as unknown as LocalSqs;
    await expect
      .poll(
        async () => {
          await pollOnce(sqs, statusEvents, 0);
          return (await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`)).body.status;
        },
        { timeout: 60_000, interval: 300 },
      )
      .toBe('resolved');
    expect((await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`)).body.resolvedBy).toBe(WORKER_NODE);
    expect(await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: bookingId }, 'workflow_failed')).toEqual([]);
  });

  it('resolveReviewItemsFor: a worker settles every open item of a kind about a subject, once', async () => {
    const subject = { type: 'booking', id: `bk-${ulid()}` };
    const a = await openReviewItem(tenant.tenantId, { kind: 'crm_write_failed', reason: 'first', subject });
    const b = await openReviewItem(tenant.tenantId, { kind: 'crm_write_failed', reason: 'second', subject });
    const other = await openReviewItem(tenant.tenantId, { kind: 'missing_attribution', reason: 'no source', subject });
    const settled = await resolveReviewItemsFor(tenant.tenantId, subject, 'crm_write_failed', 'CrmSyncWorker', 'synced');
    expect(settled.map((i) => i.reviewItemId).sort()).toEqual([a.reviewItemId, b.reviewItemId].sort());
    expect(await resolveReviewItemsFor(tenant.tenantId, subject, 'crm_write_failed', 'CrmSyncWorker', 'again')).toEqual([]);
    expect((await findOpenReviewItems(tenant.tenantId, subject)).map((i) => i.reviewItemId)).toEqual([other.reviewItemId]);
  });

  it("the shared queues are the operator's: a tenant key without ops sees no depths and cannot move a DLQ", async () => {
    const issued = await tenant.call('POST', '/v1/keys', { name: 'Office manager', scopes: ['admin', 'review'] });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const manager = (method: string, path: string) => callApi(method, path, { headers: { authorization: `Bearer ${issued.body.apiKey}` } });
    expect((await manager('GET', '/v1/ops/queues')).status).toBe(403);
    expect((await manager('POST', '/v1/ops/queues/notify/redrive')).status).toBe(403);
    // Nor through a review item whose redrive is the whole DLQ.
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': `rq-${ulid()}` });
    const item = await openReviewItem(tenant.tenantId, {
      kind: 'notification_failed',
      reason: 'dead-lettered',
      subject: { type: 'booking', id: booked.body.bookingId },
    });
    expect((await manager('POST', `/v1/review-items/${item.reviewItemId}/redrive`)).status).toBe(403);
    expect((await manager('GET', `/v1/review-items/${item.reviewItemId}`)).status).toBe(200);
  });

  it('moves the DLQ back to its queue with StartMessageMoveTask, and the depth shows it', async () => {
    // A confirmation that dead-lettered earlier; valid, so whoever drains the notify queue sends it (or finds it sent).
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': `rq-${ulid()}` });
    const body = { tenantId: tenant.tenantId, bookingId: booked.body.bookingId, kind: 'confirmation' };
    const dlqUrl = process.env.NOTIFY_DLQ_URL!;
    await sqsClient().send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify(body) }));

    const before = await tenant.call('GET', '/v1/ops/queues');
    expect(before.status).toBe(200);
    expect(before.body.queues.map((q: any) => q.queue).sort()).toEqual(queues.map((q) => q.name).sort());
    expect(before.body.queues.find((q: any) => q.queue === 'notify').deadLetter.visible).toBeGreaterThanOrEqual(1);

    const item = await openReviewItem(tenant.tenantId, {
      kind: 'notification_failed',
      reason: 'The confirmation could not be sent (5 attempts)',
      subject: { type: 'booking', id: booked.body.bookingId },
    });
    expect((await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`)).body.redrive).toEqual({ type: 'dlq', queue: 'notify' });
    // One move task per DLQ at a time: another test's may still be running; then the API says 409.
    let redriven = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/redrive`);
    for (const deadline = Date.now() + 60_000; redriven.status === 409 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      redriven = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/redrive`);
    }
    expect(redriven.status).toBe(202);
    expect(redriven.body.redrive).toMatchObject({ type: 'dlq', queue: 'notify', taskHandle: expect.any(String) });

    // The move task ends once it moved what the DLQ held when it started (ours among them). Not "the DLQ
    // is empty": the DLQ is shared, and another file's message that can never be sent (e.g. for a
    // booking never committed) comes back to it after its five attempts, redriven or not.
    await expect
      .poll(async () => (await tenant.call('GET', '/v1/ops/queues')).body.queues.find((q: any) => q.queue === 'notify').lastRedrive?.status, {
        timeout: 60_000,
      })
      .toBe('COMPLETED');
    const afterQueues = await tenant.call('GET', '/v1/ops/queues');
    expect(afterQueues.body.queues.find((q: any) => q.queue === 'notify').lastRedrive.moved).toBeGreaterThanOrEqual(1);
  });

  it('answers 409 for an item with no step to re-run, and for a resolved one', async () => {
    const dup = await openReviewItem(tenant.tenantId, {
      kind: 'suspected_duplicate',
      reason: 'Maybe the same person',
      subject: { type: 'customer', id: 'c-9' },
    });
    const response = await tenant.call('POST', `/v1/review-items/${dup.reviewItemId}/redrive`);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('resolve it');
    await tenant.call('POST', `/v1/review-items/${dup.reviewItemId}/resolve`, { note: 'Different people' });
    expect((await tenant.call('POST', `/v1/review-items/${dup.reviewItemId}/redrive`)).status).toBe(409);
  });
});
