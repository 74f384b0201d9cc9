/**
 * GET /v1/reports/attribution: bookings through to paid revenue per source, campaign and channel,
 * computed from what the booking records hold (status, acceptedAt, completedAt, invoicedAt, paidAt
 * and amounts, written here through the booking store as the job lifecycle will write them).
 */
import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { BookingStatus, CreateBookingRequest } from '../../functions/booking/schemas';
import { createBookingRecord, updateBooking } from '../../functions/booking/store';
import { bookingRequest, createTestTenant, type TestTenant } from './helpers';

let tenant: TestTenant;
const today = DateTime.now().setZone('America/Chicago');

async function storedBooking(options: {
  status: BookingStatus;
  channel: CreateBookingRequest['channel'];
  source?: string;
  campaign?: string;
  createdAt?: Date;
  lifecycle?: Record<string, unknown>;
}): Promise<string> {
  const at = options.createdAt ?? new Date();
  const bookingId = ulid(at.getTime());
  const attribution = options.source ? { source: options.source, ...(options.campaign ? { campaign: options.campaign } : {}) } : undefined;
  const request = { ...bookingRequest({ channel: options.channel }), attribution } as CreateBookingRequest;
  await createBookingRecord({
    tenantId: tenant.tenantId,
    bookingId,
    status: options.status,
    jobTypeId: 'plumbing-drain-clog',
    window: { date: today.toISODate()!, start: '10:00', end: '12:00' },
    channel: options.channel,
    attribution,
    request,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  });
  if (options.lifecycle) await updateBooking(tenant.tenantId, bookingId, options.lifecycle);
  return bookingId;
}

beforeAll(async () => {
  tenant = await createTestTenant();
  // Through the API: the real booking path writes the list row the report reads.
  const viaApi = await tenant.call(
    'POST',
    '/v1/bookings',
    bookingRequest({ channel: 'voice', attribution: { source: 'google_ads', campaign: 'spring-drains' } }),
    { 'Idempotency-Key': `rep-${ulid()}` },
  );
  expect(viaApi.status).toBe(201);
  const apiBookingId = viaApi.body.bookingId as string;
  // The job went on to be completed, invoiced and paid ($350).
  await updateBooking(tenant.tenantId, apiBookingId, {
    completedAt: new Date().toISOString(),
    invoicedAt: new Date().toISOString(),
    invoicedAmountCents: 35_000,
    paidAt: new Date().toISOString(),
    paidAmountCents: 35_000,
  });
  // google_ads: one more, confirmed and completed, invoiced $200, not paid.
  await storedBooking({
    status: 'confirmed',
    channel: 'chat',
    source: 'google_ads',
    campaign: 'spring-drains',
    lifecycle: { completedAt: new Date().toISOString(), invoicedAt: new Date().toISOString(), invoicedAmountCents: 20_000 },
  });
  // lsa: one accepted by dispatch and paid $125.50; one still waiting for acceptance; one dismissed.
  await storedBooking({
    status: 'confirmed',
    channel: 'voice',
    source: 'lsa',
    lifecycle: {
      acceptedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
      invoicedAt: new Date().toISOString(),
      invoicedAmountCents: 12_550,
      paidAt: new Date().toISOString(),
      paidAmountCents: 12_550,
    },
  });
  await storedBooking({ status: 'pending_approval', channel: 'voice', source: 'lsa' });
  await storedBooking({ status: 'dismissed', channel: 'voice', source: 'lsa' });
  // No attribution: booked, pending confirmation.
  await storedBooking({ status: 'pending_confirmation', channel: 'web' });
  // Rejected (no window): not a booking.
  await storedBooking({ status: 'rejected', channel: 'web', source: 'google_ads' });
  // Outside the period: 40 days ago.
  await storedBooking({
    status: 'confirmed',
    channel: 'chat',
    source: 'google_ads',
    // Noon of the company's day 40 days back (40 x 24 h from now crosses a DST change some hours of the day).
    createdAt: today.minus({ days: 40 }).set({ hour: 12 }).toJSDate(),
    lifecycle: { paidAt: new Date().toISOString(), paidAmountCents: 99_900 },
  });
});

describe('GET /v1/reports/attribution', () => {
  it('counts each stage and the paid revenue per source, with conversions', async () => {
    const response = await tenant.call('GET', '/v1/reports/attribution?groupBy=source');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ groupBy: 'source', to: today.toISODate(), from: today.minus({ days: 29 }).toISODate(), timeZone: 'America/Chicago' });
    const byGroup = Object.fromEntries(response.body.rows.map((r: any) => [r.group, r]));
    expect(response.body.rows.map((r: any) => r.group)).toEqual(['google_ads', 'lsa', '(no attribution)']);
    expect(byGroup.google_ads).toMatchObject({
      bookings: 2,
      accepted: 2,
      completed: 2,
      invoiced: 2,
      paid: 1,
      invoicedRevenueCents: 55_000,
      paidRevenueCents: 35_000,
    });
    expect(byGroup.google_ads.conversion).toEqual({
      bookedToAccepted: 1,
      acceptedToCompleted: 1,
      completedToInvoiced: 1,
      invoicedToPaid: 0.5,
      bookedToPaid: 0.5,
    });
    expect(byGroup.lsa).toMatchObject({ bookings: 2, accepted: 1, completed: 1, invoiced: 1, paid: 1, paidRevenueCents: 12_550 });
    expect(byGroup.lsa.conversion.bookedToAccepted).toBe(0.5);
    expect(byGroup['(no attribution)']).toMatchObject({ bookings: 1, accepted: 0, paid: 0, paidRevenueCents: 0 });
    expect(byGroup['(no attribution)'].conversion.acceptedToCompleted).toBeNull();
    expect(response.body.totals).toMatchObject({ group: '(total)', bookings: 5, accepted: 3, completed: 3, invoiced: 3, paid: 2, paidRevenueCents: 47_550 });
  });

  it('groups by channel and by campaign', async () => {
    const channel = await tenant.call('GET', '/v1/reports/attribution?groupBy=channel');
    const byChannel = Object.fromEntries(channel.body.rows.map((r: any) => [r.group, [r.bookings, r.paidRevenueCents]]));
    expect(byChannel).toEqual({ voice: [3, 47_550], chat: [1, 0], web: [1, 0] });
    const campaign = await tenant.call('GET', '/v1/reports/attribution?groupBy=campaign');
    const byCampaign = Object.fromEntries(campaign.body.rows.map((r: any) => [r.group, r.bookings]));
    expect(byCampaign).toEqual({ 'spring-drains': 2, '(no campaign)': 3 });
  });

  it('reads only the period asked for', async () => {
    const day = today.minus({ days: 40 }).toISODate();
    const response = await tenant.call('GET', `/v1/reports/attribution?from=${day}&to=${day}`);
    expect(response.body.rows).toEqual([expect.objectContaining({ group: 'google_ads', bookings: 1, paidRevenueCents: 99_900 })]);
    const bad = await tenant.call('GET', '/v1/reports/attribution?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('query.from');
    const reversed = await tenant.call('GET', `/v1/reports/attribution?from=${today.toISODate()}&to=${today.minus({ days: 1 }).toISODate()}`);
    expect(reversed.status).toBe(400);
  });

  it('exports the same report as CSV', async () => {
    const response = await fetch(`${inject('apiUrl')}/v1/reports/attribution?groupBy=source&format=csv`, {
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain('attachment; filename="attribution-source-');
    const rows = parse(await response.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.group)).toEqual(['google_ads', 'lsa', '(no attribution)', '(total)']);
    expect(rows[0]).toMatchObject({ bookings: '2', paid: '1', invoiced_revenue: '550.00', paid_revenue: '350.00', invoiced_to_paid: '0.5' });
    expect(rows[3]).toMatchObject({ bookings: '5', paid_revenue: '475.50' });
  });

  it('is tenant-scoped', async () => {
    const other = await createTestTenant();
    const response = await other.call('GET', '/v1/reports/attribution');
    expect(response.body.rows).toEqual([]);
    expect(response.body.totals.bookings).toBe(0);
  });
});
