/**
 * A slow CRM (issue 12, item 6): a write the CRM carries out but answers too late is a retryable
 * CrmUnavailableError, never a refusal. The booking keeps its slot as pending_crm_sync with the
 * write in the crm-sync outbox; no crm_write_failed item says "the CRM refused the booking"; and
 * the call ends inside WriteCrm's budget even when the tenant allows a longer call timeout, so the
 * booking answers within the API's 29 s. The CRM is the signed-webhook contract server, told to
 * do the work and answer late.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../contract-servers/base';
import { WebhookContract } from '../contract-servers/webhook';
import { bookingRequest, createTestTenant, CUSTOMER_KINDS, itemsWithPrefix, setCredential, type TestTenant, storedClaims } from './helpers';

let crm: WebhookContract;

beforeAll(async () => {
  crm = await new WebhookContract().start();
});

afterAll(() => crm.stop());

async function tenantWithCrm(timeoutMs: number): Promise<TestTenant> {
  const tenant = await createTestTenant({ crm: { adapter: 'webhook', url: `${crm.url}/crm`, timeoutMs } });
  await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: crm.secret });
  return tenant;
}

/** This tenant's writes (the idempotency key starts with the tenant id): a fault never hits another test's. */
const ofTenant = (tenant: TestTenant) => (request: RecordedRequest) => String(request.headers['idempotency-key'] ?? '').startsWith(`${tenant.tenantId}:`);

async function bookWithSlowCrm(tenant: TestTenant, slowReplyMs: number) {
  crm.failNext({ slowReplyMs }, 1, ofTenant(tenant));
  const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function expectKeptForTheOutbox(tenant: TestTenant, booking: { bookingId: string; status: string; statusReason?: string }) {
  expect(booking).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
  // The CRM did the work (the answer was late, not a refusal).
  expect([...crm.records.keys()].filter((key) => key.includes(booking.bookingId))).toHaveLength(1);
  const review = await tenant.call('GET', '/v1/review-items?kind=crm_write_failed');
  expect(review.body.items).toEqual([]);
  const read = await tenant.call('GET', `/v1/bookings/${booking.bookingId}`);
  expect(read.body.statusReason).not.toBe('crm_rejected');
  expect(read.body.timeline.map((e: { node: string; outcome: string }) => `${e.node}:${e.outcome}`)).toContain('WriteCrm:queued_for_crm_sync');
  // The slot is the customer's: they are told it is booked (the CRM catches up through the outbox).
  const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.bookingId === booking.bookingId);
  expect(claims.length).toBeGreaterThan(0);
  expect(claims.every((c) => c.status === 'BOOKED')).toBe(true);
}

describe('a CRM that answers after the call timeout', () => {
  it('is CrmUnavailable: pending_crm_sync with the write in the outbox, never crm_rejected', async () => {
    const tenant = await tenantWithCrm(1_000);
    const booking = await bookWithSlowCrm(tenant, 2_500);
    await expectKeptForTheOutbox(tenant, booking);
  });

  it("a tenant call timeout longer than WriteCrm's budget is cut to the budget: the booking still answers, kept for the outbox", async () => {
    // 10 s is the longest call timeout a tenant may set; WriteCrm's Task allows 6 s in all.
    const tenant = await tenantWithCrm(10_000);
    const booking = await bookWithSlowCrm(tenant, 8_000);
    await expectKeptForTheOutbox(tenant, booking);
    const read = await tenant.call('GET', `/v1/bookings/${booking.bookingId}/activity`);
    expect(JSON.stringify(read.body)).not.toMatch(/refused/);
  });
});

describe('a CRM that refuses the booking', () => {
  it('keeps the slot but never tells the customer "confirmed": pending_confirmation, request received, one review item', async () => {
    const tenant = await tenantWithCrm(2_000);
    crm.failNext({ status: 401 }, 1, ofTenant(tenant));
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'pending_confirmation', statusReason: 'crm_rejected' });
    const rows = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${response.body.bookingId}`)).filter(
      (i) => i.sk.startsWith('NOTIFY#') && CUSTOMER_KINDS.has(i.kind),
    );
    expect(rows.map((r) => r.kind)).toEqual(['request_received']);
    const review = await tenant.call('GET', '/v1/review-items?kind=crm_write_failed');
    expect(review.body.items).toHaveLength(1);
    expect(review.body.items[0].reason).toMatch(/refused/);
  });
});
