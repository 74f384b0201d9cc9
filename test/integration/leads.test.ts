/**
 * Every caller becomes a lead (issue 15, item 2), through the public API on the local system: a
 * request that cannot be booked answers 409 with its reason and a `leadId`; the lead (reason,
 * customer from the recognition store, attribution, transcript) is listed by GET /v1/leads, written
 * to the CRM through the outbox (mapping state `lead`), and dispatch gets a `callback` review item
 * with the options. A waitlisted lead is offered a cancelled slot by SMS (read from the outbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { queues, queueUrlEnv } from '../../functions/registry';
import { putJobType, putTechnicians } from '../../functions/tenant/store';
import { demoJobTypes, demoTechnicians } from '../../local/demo';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { HubSpotContract } from '../contract-servers/hubspot';
import { bookingRequest, createTestTenant, itemsWithPrefix, nextWeekday, refusedBooking, setCredential, settledBooking, type TestTenant } from './helpers';
import { deliverDue } from './lifecycle-helpers';

const hs = new HubSpotContract();
const crmSync = queues.find((q) => q.name === 'crm-sync')!;
const sqsOf = (name: 'crm-sync') => ({ queueUrl: () => process.env[queueUrlEnv(name)]! }) as unknown as LocalSqs;
/** Each test drives the whole booking path several times on a shared 2-core machine. */
const SLOW = 240_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => hs.start());
afterAll(() => hs.stop());

/** Runs the crm-sync worker (as Lambda's event source mapping would) until `done()` or the deadline. */
async function driveCrmSync(done: () => boolean, deadlineMs = 150_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('crm-sync did not write the lead in time');
    if ((await pollOnce(sqsOf('crm-sync'), crmSync, 0)) === 0) await sleep(200);
  }
}

const key = () => ({ 'Idempotency-Key': `lead-${ulid()}` });

/** A request that books: 201, or (under load) 202 and then the booking, polled until it settles. */
const bookable = (tenant: TestTenant, body: unknown) => settledBooking(tenant, body, key());

async function callbackItemsOf(tenant: TestTenant, leadId: string, status = 'open') {
  const items = (await tenant.call('GET', `/v1/review-items?kind=callback&status=${status}`)).body.items as Array<Record<string, any>>;
  return items.filter((item) => item.subject.type === 'lead' && item.subject.id === leadId);
}

describe('an out-of-area caller', () => {
  let tenant: TestTenant;
  const outOfArea = () => bookingRequest({ address: { line1: '200 Main St', city: 'Buda', region: 'TX', postalCode: '78610', country: 'US' } });

  beforeAll(async () => {
    tenant = await createTestTenant({ crm: { adapter: 'hubspot', ...hs.settings() } });
    await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: hs.token });
  });

  it(
    'is told why, and kept as a lead with a callback item, in the CRM and in the attribution report',
    async () => {
      const response = await refusedBooking(tenant, outOfArea());
      if (response.status === 409) {
        expect(response.body.error).toMatchObject({ code: 'window_unavailable', message: expect.stringContaining('out_of_area') });
      }
      const { leadId, booking } = response;
      expect(leadId).toMatch(/^[0-9A-Z]{26}$/);
      expect(booking).toMatchObject({ status: 'rejected', statusReason: 'out_of_area', leadId });

      // The lead: reason, the recognised (or new) customer, attribution and what was said.
      const leads = await tenant.call('GET', '/v1/leads');
      expect(leads.status).toBe(200);
      const lead = leads.body.items.find((l: { leadId: string }) => l.leadId === leadId);
      expect(lead).toMatchObject({
        status: 'open',
        reason: 'out_of_area',
        customerId: booking.customerId,
        bookingId: booking.bookingId,
        trade: 'plumbing',
        postalCode: '78610',
        channel: 'voice',
        attribution: expect.objectContaining({ source: 'google_ads', campaign: 'austin-drains-q4' }),
        transcript: expect.arrayContaining([expect.objectContaining({ role: 'customer', text: expect.stringContaining('sink is clogged') })]),
      });

      // Dispatch's callback item, with the options: next windows, a neighbouring territory's technician, the waitlist.
      const [item] = await callbackItemsOf(tenant, leadId);
      expect(item, 'a callback review item for the lead').toBeDefined();
      expect(lead.callbackReviewItemId).toBe(item!.reviewItemId);
      expect(item!.payload).toMatchObject({ leadId, bookingId: booking.bookingId, reason: 'out_of_area', source: 'google_ads' });
      expect(item!.payload.options.waitlist).toEqual({ method: 'POST', path: `/v1/leads/${leadId}/waitlist` });
      expect(item!.payload.options.neighbouringTechnicians.length).toBeGreaterThan(0);
      expect(item!.payload.options.neighbouringTechnicians[0]).toMatchObject({
        technicianId: expect.any(String),
        window: expect.objectContaining({ date: expect.any(String) }),
      });

      // The CRM has it as a lead (HubSpot contract server: a deal in the mapping table's `Unbooked` stage).
      const dealOf = () => [...hs.deals.values()].find((d) => d.properties.jobrelay_booking_id === booking.bookingId);
      await driveCrmSync(() => Boolean(dealOf()));
      expect(dealOf()!.properties).toMatchObject({
        dealstage: 'unbooked',
        unbooked_reason: 'out_of_area',
        lead_id: leadId,
        lead_source: 'google_ads',
        campaign: 'austin-drains-q4',
        postal_code: '78610',
      });

      // The owner sees the lost demand next to what was booked.
      const report = await tenant.call('GET', '/v1/reports/attribution');
      expect(report.status).toBe(200);
      const google = report.body.rows.find((r: { group: string }) => r.group === 'google_ads');
      expect(google).toMatchObject({ bookings: 0, unbooked: 1 });
      expect(report.body.totals.unbooked).toBe(1);
    },
    SLOW,
  );

  it(
    'calling again adds no second customer; booking later serves the lead and closes its callback',
    async () => {
      const first = await refusedBooking(tenant, outOfArea());
      const second = await refusedBooking(tenant, { ...outOfArea(), notes: 'called again' });
      expect(second.booking.customerId).toBe(first.booking.customerId);
      expect(second.leadId).not.toBe(first.leadId);

      // The same caller books at an address that is served: their open leads are settled.
      const booked = await bookable(tenant, bookingRequest());
      // Committed either way (a slow CRM under load leaves the write to the outbox).
      expect(['confirmed', 'pending_crm_sync']).toContain(booked.status);
      expect(booked.customerId).toBe(first.booking.customerId);
      const servedLead = async () =>
        ((await tenant.call('GET', '/v1/leads?status=booked')).body.items as Array<Record<string, any>>).find((l) => l.leadId === first.leadId);
      await expect.poll(servedLead, { timeout: 60_000, interval: 500 }).toMatchObject({ status: 'booked', bookedBookingId: booked.bookingId });
      expect(await callbackItemsOf(tenant, first.leadId)).toEqual([]);
    },
    SLOW,
  );
});

describe('a fully booked request', () => {
  it(
    'becomes a lead (reason fully_booked) with its callback item',
    async () => {
      const tenant = await createTestTenant();
      // Everyone is off for the whole horizon: nothing is open anywhere.
      const today = new Date().toISOString().slice(0, 10);
      const later = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
      await putTechnicians(
        tenant.tenantId,
        demoTechnicians.map((t) => ({ ...t, timeOff: [{ from: today, to: later }] })),
      );
      const response = await refusedBooking(tenant, bookingRequest());
      expect(response.booking.statusReason).toBe('fully_booked');
      const leads = (await tenant.call('GET', '/v1/leads?status=open')).body.items as Array<Record<string, any>>;
      expect(leads).toEqual([expect.objectContaining({ leadId: response.leadId, reason: 'fully_booked', customerId: response.booking.customerId })]);
      const [item] = await callbackItemsOf(tenant, response.leadId);
      expect(item?.payload.options.nextWindows).toEqual([]);
    },
    SLOW,
  );
});

describe('the waitlist', () => {
  it(
    'offers a cancelled slot to the earliest waiting lead of the trade by SMS',
    async () => {
      const tenant = await createTestTenant();
      // One drain job a day in the whole company: the second caller of the day finds it full.
      const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
      await putJobType(tenant.tenantId, { ...drains, dailyCap: 1 });
      const date = nextWeekday(3);
      const window = { date, start: '10:00' };

      const first = { body: await bookable(tenant, bookingRequest({ window })) };
      expect(first.body.window, JSON.stringify(first.body)).toBeTruthy();
      const caller = (name: string, phone: string) => bookingRequest({ window, customer: { name, phone } });
      const earlier = await refusedBooking(tenant, caller('Avery Lopez', '(512) 555-0191'));
      const later = await refusedBooking(tenant, caller('Blake Chen', '(512) 555-0192'));
      expect(earlier.booking.statusReason).toBe('fully_booked');

      // Both are waitlisted (the earlier one first); waitlisting resolves the callback item.
      for (const lead of [earlier, later]) {
        const waitlisted = await tenant.call('POST', `/v1/leads/${lead.leadId}/waitlist`, { note: 'any cancellation this week' });
        expect(waitlisted.status, JSON.stringify(waitlisted.body)).toBe(200);
        expect(waitlisted.body).toMatchObject({ status: 'waitlisted', waitlistedAt: expect.any(String) });
      }
      expect(await callbackItemsOf(tenant, earlier.leadId)).toEqual([]);

      const cancelled = await tenant.call('POST', `/v1/bookings/${first.body.bookingId}/cancel`, { reason: 'customer fixed it' });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

      const leads = (await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>;
      const byId = new Map(leads.map((l) => [l.leadId, l]));
      expect(byId.get(earlier.leadId)).toMatchObject({
        status: 'offered',
        offer: expect.objectContaining({ date, start: '10:00', end: '12:00', freedBy: first.body.bookingId }),
      });
      expect(byId.get(later.leadId)).toMatchObject({ status: 'waitlisted' });

      // The sweeper queues the due row; the notify worker sends it (as the local pollers would).
      const offersSent = async () => {
        await deliverDue();
        const outbox = await tenant.call('GET', `/v1/outbox?bookingId=${earlier.booking.bookingId}`);
        return (outbox.body.messages as Array<Record<string, any>>).filter((m) => m.kind === 'waitlist_offer');
      };
      const ledger = async () =>
        JSON.stringify(
          (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${earlier.booking.bookingId}`))
            .filter((row) => String(row.sk).startsWith('NOTIFY#'))
            .map(({ sk, status, statusReason, dueAt }) => ({ sk, status, statusReason, dueAt })),
        );
      await expect
        .poll(async () => (await offersSent()).length, { timeout: 60_000, interval: 500 })
        .toBe(1)
        .catch(async (error: Error) => {
          throw new Error(`${error.message}; the offer's ledger rows: ${await ledger()}`);
        });
      const offers = await offersSent();
      expect(offers).toHaveLength(1);
      expect(offers[0]!.to).toBe('+15125550191');
      expect(offers[0]!.text).toMatch(/^Hi Avery, good news from Lone Star Plumbing & Air: a Drain clog visit opened up for .*10.*12/);
      const none = await tenant.call('GET', `/v1/outbox?bookingId=${later.booking.bookingId}`);
      expect((none.body.messages as Array<Record<string, any>>).some((m) => m.kind === 'waitlist_offer')).toBe(false);

      // The offer is taken through the ordinary booking route.
      const taken = await bookable(tenant, caller('Avery Lopez', '(512) 555-0191'));
      expect(taken.status).toBe('confirmed');
      const served = async () => ((await tenant.call('GET', '/v1/leads?status=booked')).body.items as Array<Record<string, any>>).map((l) => l.leadId);
      await expect.poll(served, { timeout: 60_000, interval: 500 }).toContain(earlier.leadId);
    },
    SLOW,
  );

  it('refuses to waitlist an unknown lead (404) and names a bad id (400)', async () => {
    const tenant = await createTestTenant();
    expect((await tenant.call('POST', `/v1/leads/${ulid()}/waitlist`, {})).status).toBe(404);
    const bad = await tenant.call('POST', '/v1/leads/nope/waitlist', {});
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('path.id');
  });
});
