/**
 * The CRM outage outbox, end to end: bookings made while the CRM is down are kept (pending_crm_sync)
 * and their writes wait in the crm-sync queue (the SQS server); CrmSyncWorker retries them with
 * backoff and writes each exactly once when the CRM is back. A CRM down for every retry puts the
 * message in the DLQ with a crm_write_failed review item written first; a StartMessageMoveTask
 * redrive (the console's "Start DLQ redrive") that then succeeds resolves the item.
 * Workers are driven by hand with pollOnce; backoff is 1-2 s locally. One emulator difference: the
 * local SQS server (local-aws-sqs) counts a ChangeMessageVisibility as a receive, so locally the
 * receive count reaches maxReceiveCount (5) after 3 deliveries (1, 3, 5) instead of 5; the worker
 * reads the count SQS reports, so its last-receive logic is the same code path as in AWS.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqUrlEnv, queues, queueUrlEnv } from '../../functions/registry';
import { enqueueCrmSync } from '../../functions/crm/outbox';
import { sqsClient } from '../../functions/shared/clients';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { bookingRequest, createTestTenant, setLocalSecret, type TestTenant } from './helpers';

const crmSync = queues.find((q) => q.name === 'crm-sync')!;
const sqs = { queueUrl: () => process.env[queueUrlEnv('crm-sync')]! } as unknown as LocalSqs;
const st = new ServiceTitanContract({ clientId: 'cid.outbox', clientSecret: 'cs.outbox-test-only', appKey: 'ak1.outbox' }, '7654321', '77');

beforeAll(async () => {
  await st.start();
  setLocalSecret('st-outbox', JSON.stringify(st.credentials));
});
afterAll(() => st.stop());

function serviceTitanTenant() {
  return createTestTenant({
    crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, secretName: 'st-outbox', timeoutMs: 1_000 },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the crm-sync worker (as Lambda's event source mapping would) until `done()` or the deadline. */
async function driveCrmSync(done: () => Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('crm-sync did not settle in time');
    if ((await pollOnce(sqs, crmSync, 0)) === 0) await sleep(200);
  }
}

async function bookingOf(tenant: TestTenant, bookingId: string) {
  return (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
}

const createdFor = (bookingId: string) => [...st.bookings.values()].filter((b) => b.externalId === bookingId);

describe('CRM outage outbox (crm-sync)', () => {
  it('keeps bookings during an outage, retries with backoff, and writes each exactly once when the CRM is back', async () => {
    const tenant = await serviceTitanTenant();
    st.startOutage({ status: 503 });
    const bookings: string[] = [];
    for (const i of [0, 1, 2]) {
      const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: `Outage Caller ${i}`, phone: `512555${7100 + i}` }, address: { line1: `${200 + i} Oak St`, city: 'Austin', region: 'TX', postalCode: '78701' } }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
      bookings.push(response.body.bookingId as string);
    }
    // A CRM that is down is not yet a person's problem: no review item, the writes are queued.
    expect((await tenant.call('GET', '/v1/review-items?kind=crm_write_failed')).body.items).toEqual([]);
    for (const id of bookings) {
      expect((await bookingOf(tenant, id)).timeline.map((e: { node: string; outcome: string }) => `${e.node}:${e.outcome}`)).toContain('WriteCrm:queued_for_crm_sync');
    }

    // Still down: every queued write is tried and put back with a growing backoff.
    await driveCrmSync(async () => {
      const all = await Promise.all(bookings.map((id) => bookingOf(tenant, id)));
      return all.every((b) => b.timeline.filter((e: { node: string; outcome: string }) => e.node === 'CrmSyncWorker' && e.outcome === 'retry_later').length >= 2);
    });
    for (const id of bookings) {
      const retries = (await bookingOf(tenant, id)).timeline.filter((e: { node: string; outcome: string }) => e.outcome === 'retry_later');
      expect(retries.map((e: { detail: { retryInSeconds: number } }) => e.detail.retryInSeconds).slice(0, 2)).toEqual([1, 2]);
      expect(createdFor(id)).toEqual([]);
    }

    st.recover();
    await driveCrmSync(async () => (await Promise.all(bookings.map((id) => bookingOf(tenant, id)))).every((b) => b.status === 'confirmed'));

    for (const id of bookings) {
      const booking = await bookingOf(tenant, id);
      expect(createdFor(id)).toHaveLength(1);
      expect(booking).toMatchObject({
        status: 'confirmed',
        statusReason: 'crm_synced_after_outage',
        crm: { adapter: 'servicetitan', externalIds: { serviceTitanBookingId: String(createdFor(id)[0]!.id) } },
      });
    }
    // Nothing left to do, nothing written twice: one more round of the worker changes nothing.
    await sleep(2_200);
    while ((await pollOnce(sqs, crmSync, 0)) > 0);
    for (const id of bookings) expect(createdFor(id)).toHaveLength(1);
    expect((await tenant.call('GET', '/v1/review-items?kind=crm_write_failed')).body.items).toEqual([]);
  });

  it('after the last retry: review item first, message in the DLQ; a StartMessageMoveTask redrive that succeeds resolves it', async () => {
    const tenant = await serviceTitanTenant();
    st.startOutage({ status: 503 });
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Dee Elle Queue', phone: '5125557200' } }));
    expect(response.body.status).toBe('pending_crm_sync');
    const bookingId = response.body.bookingId as string;

    const openItems = async () => (await tenant.call('GET', '/v1/review-items?kind=crm_write_failed&status=open')).body.items as Array<Record<string, any>>;
    await driveCrmSync(async () => (await openItems()).length > 0);
    const [item] = await openItems();
    expect(item).toMatchObject({ kind: 'crm_write_failed', subject: { type: 'booking', id: bookingId }, payload: { node: 'CrmSyncWorker', error: 'CrmUnavailableError', attempts: 5 } });
    expect(item!.reason).toMatch(/^CrmUnavailableError: ServiceTitan .* HTTP 503/);
    expect((await bookingOf(tenant, bookingId)).status).toBe('pending_crm_sync');

    // The failed (5th) receive sends it to the DLQ once it is visible again.
    const dlqUrl = process.env[dlqUrlEnv('crm-sync')]!;
    let inDlq = false;
    for (let i = 0; i < 30 && !inDlq; i++) {
      await pollOnce(sqs, crmSync, 0);
      const peek = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      inDlq = (peek.Messages ?? []).some((m) => JSON.parse(m.Body ?? '{}').bookingId === bookingId);
      if (!inDlq) await sleep(300);
    }
    expect(inDlq).toBe(true);
    expect(createdFor(bookingId)).toEqual([]);

    // The CRM is back; an operator redrives the DLQ (the console's operation).
    st.recover();
    const { Attributes } = await sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    await sqsClient().send(new StartMessageMoveTaskCommand({ SourceArn: Attributes!.QueueArn! }));
    await driveCrmSync(async () => (await bookingOf(tenant, bookingId)).status === 'confirmed');

    expect(createdFor(bookingId)).toHaveLength(1);
    expect(await openItems()).toEqual([]);
    const resolved = (await tenant.call('GET', `/v1/review-items/${item!.reviewItemId}`)).body;
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'CrmSyncWorker' });
  });

  it('a queued update of another job state is written even after the booking was synced, once, however often it is delivered', async () => {
    st.recover();
    const tenant = await serviceTitanTenant();
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Re Scheduled', phone: '5125557300' } }));
    expect(response.body).toMatchObject({ status: 'confirmed', crm: { state: 'booked' } });
    const bookingId = response.body.bookingId as string;
    const patches = () => st.requestsTo('PATCH', new RegExp(`/bookings/${createdFor(bookingId)[0]!.id}$`)).filter((r) => r.answered === 200).length;

    // The same message delivered twice (at-least-once): one CRM update.
    const message = { tenantId: tenant.tenantId, bookingId, state: 'rescheduled' as const, requestedAt: new Date().toISOString() };
    await enqueueCrmSync(message, 0);
    await enqueueCrmSync(message, 0);
    await driveCrmSync(async () => (await bookingOf(tenant, bookingId)).crm.state === 'rescheduled');
    await sleep(1_500);
    while ((await pollOnce(sqs, crmSync, 0)) > 0);
    expect(patches()).toBe(1);
    expect(createdFor(bookingId)).toHaveLength(1);
  });

  it('a CRM that refuses the write goes to review at once; the review API redrive (after the fix) writes it and resolves the item', async () => {
    st.recover();
    const tenant = await serviceTitanTenant();
    // Credentials refused on the booking call (twice: the adapter retries once with a fresh token).
    st.faultPaths = /bookings$/;
    st.failNext({ status: 401 }, 2);
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ref Used', phone: '5125557400' } }));
    st.faultPaths = undefined;
    expect(response.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_rejected' });
    const bookingId = response.body.bookingId as string;
    const [item] = (await tenant.call('GET', '/v1/review-items?kind=crm_write_failed&status=open')).body.items;
    expect(item).toMatchObject({ subject: { id: bookingId }, payload: { error: 'CrmRejectedError' } });
    expect(item.reason).toContain('HTTP 401');

    const redriven = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/redrive`, { by: 'Dana' });
    expect(redriven.status).toBe(202);
    await driveCrmSync(async () => (await bookingOf(tenant, bookingId)).status === 'confirmed');
    expect(createdFor(bookingId)).toHaveLength(1);
    expect((await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`)).body).toMatchObject({ status: 'resolved', resolvedBy: 'CrmSyncWorker' });
  });
});
