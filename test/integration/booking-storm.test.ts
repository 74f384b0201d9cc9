/**
 * Overload sheds, it doesn't fail (issue 12, item 7): a storm of bookings for one window with
 * capacity 10, all in flight at once, through the public API against the real local services.
 * Every answer is a booking (201), a clean refusal of the window (409), or a shed request (429 per
 * tenant, 503 in total, both with Retry-After) that wrote nothing. No 5xx, no booking left half-made.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { reservationKeys } from '../../functions/booking/reservation-store';
import { bookingKeys } from '../../functions/booking/store';
import { lambdaByName } from '../../functions/registry';
import { reviewKeys } from '../../functions/review/store';
import { LEASE_MS } from '../../functions/shared/admission';
import { admissionKeys } from '../../functions/shared/admission-store';
import { documentClient } from '../../functions/shared/clients';
import {
  bookingRequest,
  createTestTenant,
  nextWeekday,
  partitionItems,
  tenantBookings,
  type ApiResponse,
  type TestTenant,
  isWindowClaim,
  storedClaims,
} from './helpers';

const CAPACITY = 10;
/** Statuses a booking of this tenant may end in (no approval, no CRM outage in this test). */
const FINAL = new Set(['confirmed', 'rejected']);

const shift = { start: '08:00', end: '17:00' };
const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };

/** A tenant whose only technicians for `storm-job` in 78999 are `CAPACITY` technicians: one window holds 10 jobs. */
async function stormTenant(): Promise<TestTenant> {
  const tenant = await createTestTenant();
  for (let t = 0; t < CAPACITY; t++) {
    const put = await tenant.call('PUT', `/v1/config/technicians/storm-${t}`, {
      name: `Storm ${t}`,
      trades: ['plumbing'],
      skills: ['storm'],
      postalCodes: ['78999'],
      shifts: everyDay,
    });
    expect(put.status).toBe(200);
  }
  const jobType = await tenant.call('PUT', '/v1/config/job-types/storm-job', { name: 'Storm job', trade: 'plumbing', requiredSkills: ['storm'] });
  expect(jobType.status).toBe(200);
  return tenant;
}

const stormBooking = (i: number, window: { date: string; start: string }) =>
  bookingRequest({
    customer: { name: `Storm Caller ${i}`, phone: `512555${String(5000 + i).padStart(4, '0')}` },
    address: { line1: `${i} Storm Rd`, city: 'Austin', region: 'TX', postalCode: '78999' },
    jobTypeId: 'storm-job',
    window,
  });

async function storm(inFlight: number, weekday: number): Promise<{ tenant: TestTenant; responses: ApiResponse[] }> {
  const tenant = await stormTenant();
  const window = { date: nextWeekday(weekday, 3), start: '10:00' };
  const responses = await Promise.all(
    Array.from({ length: inFlight }, (_, i) => tenant.call('POST', '/v1/bookings', stormBooking(i, window), { 'Idempotency-Key': `storm-${inFlight}-${i}` })),
  );
  return { tenant, responses };
}

async function expectCleanOutcome(tenant: TestTenant, responses: ApiResponse[]): Promise<void> {
  const byStatus = (status: number) => responses.filter((r) => r.status === status);
  const summary = JSON.stringify(Object.fromEntries([...new Set(responses.map((r) => r.status))].map((s) => [s, byStatus(s).length])));

  // Nothing but 201, 409, 429 and 503 (and 202 for a booking that could not finish inside the
  // route's budget and goes on): no bare 500.
  expect(
    responses.filter((r) => r.status >= 500 && r.status !== 503),
    summary,
  ).toHaveLength(0);
  expect(
    responses.every((r) => [201, 202, 409, 429, 503].includes(r.status)),
    summary,
  ).toBe(true);
  for (const r of byStatus(201)) expect(r.body.status).toBe('confirmed');
  for (const r of byStatus(202)) {
    expect(r.headers.get('location')).toBe(`/v1/bookings/${r.body.bookingId}`);
    expect(r.body.statusUrl).toBe(`/v1/bookings/${r.body.bookingId}`);
  }
  for (const r of byStatus(409)) expect(r.body.error.code).toBe('window_unavailable');
  for (const r of [...byStatus(429), ...byStatus(503)]) {
    expect(r.body.error.code).toBe(r.status === 429 ? 'rate_limited' : 'service_unavailable');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  }

  // Every booking the storm wrote ends final (a 202's run finishes after its answer); exactly
  // CAPACITY are confirmed and hold the window's slots.
  // The tenant's bookings by its booking list, never a Scan (each reads the whole table, by this
  // serial file the largest it gets: seconds of DynamoDB Local's CPU each).
  await expect
    .poll(async () => (await tenantBookings(tenant.tenantId)).filter((b) => !FINAL.has(b.status)).map((b) => b.status), { timeout: 60_000, interval: 500 })
    .toEqual([]);
  const bookings = await tenantBookings(tenant.tenantId);
  expect(
    bookings.filter((b) => b.status === 'confirmed'),
    summary,
  ).toHaveLength(CAPACITY);
  expect(byStatus(201).length + byStatus(202).length, summary).toBeGreaterThanOrEqual(CAPACITY);
  const slots = (await storedClaims(tenant.tenantId)).filter(isWindowClaim);
  expect(slots.filter((s) => s.status === 'BOOKED')).toHaveLength(CAPACITY);
  expect(slots.filter((s) => s.status !== 'BOOKED')).toHaveLength(0);

  // A shed request wrote no booking, so a booking exists only for the answers that made one.
  expect(bookings).toHaveLength(byStatus(201).length + byStatus(202).length + byStatus(409).length);
  // No review items: a refused window is an answer, not a problem, and shed requests made nothing.
  const reviewItems = (await partitionItems(reviewKeys.partition(tenant.tenantId))).filter((i) => i.sk.startsWith(reviewKeys.itemPrefix));
  expect(reviewItems.map((i) => `${i.kind}: ${i.reason}`)).toEqual([]);
}

describe('a booking storm for one window with capacity 10', () => {
  it('20 in flight: 10 confirmed, the rest clean refusals, nothing left half-made', { timeout: 120_000 }, async () => {
    const { tenant, responses } = await storm(20, 4);
    await expectCleanOutcome(tenant, responses);
  });

  it('200 in flight: 10 confirmed, the rest 409/429/503 with Retry-After, no 5xx, nothing stuck', { timeout: 240_000 }, async () => {
    const { tenant, responses } = await storm(200, 5);
    await expectCleanOutcome(tenant, responses);
  });
});

describe('admission control on POST /v1/bookings', () => {
  it("a tenant whose places are all taken (by other instances' requests) gets 429 with Retry-After, and nothing is written", async () => {
    const tenant = await createTestTenant();
    const { perTenant } = lambdaByName('CreateBooking').admission!;
    const pk = admissionKeys.tenantPartition(tenant.tenantId, 'CreateBooking');
    const leaseUntil = Date.now() + LEASE_MS;
    for (let index = 0; index < perTenant; index++) {
      await documentClient().send(
        new PutCommand({ TableName: process.env.TABLE_NAME, Item: { ...admissionKeys.place(pk, index), leaseId: `other-${index}`, leaseUntil } }),
      );
    }
    const refused = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': 'shed-1' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('Retry-After') });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before any work: no booking, no reservation of the key, no review item (read by their
    // partitions: a Scan reads the whole table, seconds each by this serial file).
    expect(await partitionItems(bookingKeys.listPartition(tenant.tenantId))).toEqual([]);
    expect(await partitionItems(reservationKeys.partition(tenant.tenantId))).toEqual([]);
    expect(await partitionItems(reviewKeys.partition(tenant.tenantId))).toEqual([]);

    // Another tenant is not held back by this one's share.
    const other = await createTestTenant();
    expect((await other.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': 'not-shed' })).status).toBe(201);

    // One place given back: the same key now books (the refusal did not burn it), and its place is free again after.
    await documentClient().send(
      new PutCommand({ TableName: process.env.TABLE_NAME, Item: { ...admissionKeys.place(pk, 0), leaseId: 'other-0', leaseUntil: Date.now() - 1 } }),
    );
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'Idempotency-Key': 'shed-1' });
    expect(booked.status).toBe(201);
    const places = await partitionItems(pk);
    expect(places.filter((place) => Number(place.leaseUntil) > Date.now())).toHaveLength(perTenant - 1);
  });
});
