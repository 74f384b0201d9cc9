/**
 * Every caller becomes a lead, the rest of issue 15 (through the public API on the local system):
 * a caller who hangs up on a hold before booking (the recovery sweep finds the hold ran out
 * unbooked: reason hung_up, a callback item, once however often the sweep runs; a hold that was
 * booked or released is no lead); triage handing the caller to a person (reason
 * triage_to_person, linked to the needs_triage item dispatch already has); a member's hold takes the
 * member reserve; a job cancelled in the FSM offers its slot to the waitlist as an API cancel does.
 */
import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { sweepHungUpCallers } from '../../functions/leads/hung-up';
import { putJobType } from '../../functions/tenant/store';
import { demoJobTypes } from '../../local/demo';
import { bookingRequest, createTestTenant, nextWeekday, settledBooking, type TestTenant } from './helpers';
import { drain } from './lifecycle-helpers';

const SLOW = 240_000;
const key = () => ({ 'Idempotency-Key': `callers-${ulid()}` });
/** A clock past any hold made now (tenant hold minutes are at most 120). */
const afterHolds = () => new Date(Date.now() + 3 * 3_600_000);

async function leadsOf(tenant: TestTenant): Promise<Array<Record<string, any>>> {
  const response = await tenant.call('GET', '/v1/leads?limit=200');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items;
}

async function callbackItemsOf(tenant: TestTenant, leadId: string): Promise<Array<Record<string, any>>> {
  const items = (await tenant.call('GET', '/v1/review-items?kind=callback&status=open')).body.items as Array<Record<string, any>>;
  return items.filter((item) => item.subject.type === 'lead' && item.subject.id === leadId);
}

/** A request that books: 201, or (under load) 202 and then the booking, polled until it settles. */
const bookable = (tenant: TestTenant, body: unknown) => settledBooking(tenant, body, key());

describe('a caller who hangs up before booking', () => {
  it(
    'becomes a lead (hung_up) with a callback item when the hold runs out unbooked; a booked or released hold is no lead',
    async () => {
      const tenant = await createTestTenant();
      const date = nextWeekday(3);
      const base = bookingRequest();
      const hold = (start: string, name: string, phone: string) =>
        tenant.call('POST', '/v1/holds', {
          jobTypeId: 'plumbing-drain-clog',
          postalCode: '78701',
          window: { date, start },
          customer: { name, phone },
          address: base.address,
          channel: 'voice',
          attribution: { source: 'google_ads', campaign: 'austin-drains-q4' },
          transcript: [{ role: 'customer', text: 'my sink is clogged... actually let me call you back' }],
        });

      const gone = await hold('08:00', 'Hana Gone', '(512) 555-0611');
      expect(gone.status, JSON.stringify(gone.body)).toBe(201);
      const booked = await hold('10:00', 'Bo Booked', '(512) 555-0612');
      expect(booked.status, JSON.stringify(booked.body)).toBe(201);
      const released = await hold('12:00', 'Rey Released', '(512) 555-0613');
      expect(released.status, JSON.stringify(released.body)).toBe(201);

      // One caller books on the hold, one bot gives its hold back; the first caller just hangs up.
      const booking = await bookable(tenant, {
        ...base,
        customer: { name: 'Bo Booked', phone: '(512) 555-0612' },
        window: { date, start: '10:00' },
        holdId: booked.body.holdId,
      });
      expect(booking.status, JSON.stringify(booking)).toBe('confirmed');
      expect((await tenant.call('DELETE', `/v1/holds/${released.body.holdId}`)).status).toBe(200);

      // While the holds are live, the sweep makes nothing.
      expect((await sweepHungUpCallers(new Date(), { tenantId: tenant.tenantId })).leads).toBe(0);
      expect((await leadsOf(tenant)).filter((l) => l.reason === 'hung_up')).toEqual([]);

      // After they ran out: one lead, for the caller who hung up, whatever how often the sweep runs.
      const first = await sweepHungUpCallers(afterHolds(), { tenantId: tenant.tenantId });
      expect(first).toMatchObject({ leads: 1, none: 2 });
      expect(await sweepHungUpCallers(afterHolds(), { tenantId: tenant.tenantId })).toEqual({ leads: 0, none: 0, later: 0 });
      const leads = (await leadsOf(tenant)).filter((l) => l.reason === 'hung_up');
      expect(leads).toHaveLength(1);
      expect(leads[0]).toMatchObject({
        status: 'open',
        reason: 'hung_up',
        holdId: gone.body.holdId,
        jobTypeId: 'plumbing-drain-clog',
        trade: 'plumbing',
        postalCode: '78701',
        // A caller who gave a name and phone is a customer record (recognised by phone when they book).
        customerId: expect.any(String),
        channel: 'voice',
        attribution: { source: 'google_ads' },
        transcript: [expect.objectContaining({ role: 'customer' })],
      });
      const items = await callbackItemsOf(tenant, leads[0]!.leadId);
      expect(items).toHaveLength(1);
      expect(items[0]!.reviewItemId).toBe(leads[0]!.callbackReviewItemId);
      expect(leads[0]!.contact).toBeUndefined();
      expect(items[0]!.payload).toMatchObject({ reason: 'hung_up', holdId: gone.body.holdId, customerId: leads[0]!.customerId });
      expect(items[0]!.payload.options.nextWindows.length).toBeGreaterThan(0);
      // No booking request to offer a freed slot from: dispatch books it on the call back.
      expect(items[0]!.payload.options.waitlist).toBeUndefined();
    },
    SLOW,
  );

  it('names a bad phone or an unknown customer on the hold (400)', async () => {
    const tenant = await createTestTenant();
    const body = { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' };
    const badPhone = await tenant.call('POST', '/v1/holds', { ...body, customer: { phone: '555-nope-x' } });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.field).toBe('customer.phone');
    const unknown = await tenant.call('POST', '/v1/holds', { ...body, customerId: 'nobody-here' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('customerId');
  });
});

describe('triage handing the caller to a person', () => {
  it('keeps the caller as a lead (triage_to_person) linked to the needs_triage item, once per request', async () => {
    const tenant = await createTestTenant();
    const { jobTypeId: _omitted, ...withoutJobType } = bookingRequest({
      request: 'I need someone to come look at something',
      transcript: [],
      customer: { name: 'Tri Age', phone: '(512) 555-0621' },
      attribution: { source: 'yelp' },
    });
    const response = await tenant.call('POST', '/v1/bookings', withoutJobType);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    const reviewItemId = response.body.reviewItemId as string;
    expect(reviewItemId).toBeTruthy();
    // The bot retries the same request: no second item, no second lead.
    expect((await tenant.call('POST', '/v1/bookings', withoutJobType)).body.reviewItemId).toBe(reviewItemId);

    const leads = (await leadsOf(tenant)).filter((l) => l.reason === 'triage_to_person');
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      status: 'open',
      callbackReviewItemId: reviewItemId,
      postalCode: '78701',
      customerId: expect.any(String),
      attribution: { source: 'yelp' },
    });
    // One item for dispatch: the needs_triage item, not a second callback item.
    expect(await callbackItemsOf(tenant, leads[0]!.leadId)).toEqual([]);
    expect((await tenant.call('GET', `/v1/review-items/${reviewItemId}`)).body).toMatchObject({ kind: 'needs_triage', status: 'open' });
  });
});

describe("a member's hold", () => {
  it(
    'takes the member reserve on a day the public cannot have; a non-member is refused',
    async () => {
      const tenant = await createTestTenant({ memberReserve: 1 });
      // Only tech-03 (Tue-Sat, daily limit 4) fixes water heaters in 78744.
      const date = nextWeekday(4, 4);
      const request = (name: string, phone: string, line1: string, start: string) => {
        const base = bookingRequest();
        return {
          ...base,
          jobTypeId: 'plumbing-water-heater-repair',
          customer: { name, phone },
          address: { ...base.address, line1, line2: undefined, postalCode: '78744' },
          window: { date, start },
        };
      };
      const member = await bookable(tenant, request('Mo Member', '(512) 555-0631', '1 Member Way', '08:00'));
      expect(member.status).toBe('confirmed');
      const renewsOn = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
      const joined = await tenant.call('PUT', `/v1/customers/${member.customerId}/memberships/mem-1`, {
        plan: 'Comfort Club',
        priceCents: 19_900,
        renewsOn,
        includedVisits: 2,
      });
      expect(joined.status, JSON.stringify(joined.body)).toBe(201);
      for (const [i, start] of ['10:00', '12:00'].entries()) {
        expect((await bookable(tenant, request(`Other Caller${i}`, `(512) 555-064${i}`, `${i} Other St`, start))).status).toBe('confirmed');
      }

      const hold = { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window: { date, start: '14:00' } };
      const refused = await tenant.call('POST', '/v1/holds', hold);
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      const held = await tenant.call('POST', '/v1/holds', { ...hold, customerId: member.customerId });
      expect(held.status, JSON.stringify(held.body)).toBe(201);
      expect(held.body).toMatchObject({ status: 'HELD', window: { date, start: '14:00', technicianId: 'tech-03' } });
    },
    SLOW,
  );
});

describe('a job cancelled in the FSM', () => {
  it(
    'offers its freed slot to the earliest waitlisted lead of the trade, as an API cancel does',
    async () => {
      const tenant = await createTestTenant();
      // One drain job a day in the whole company: the second caller of the day finds it full.
      const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
      await putJobType(tenant.tenantId, { ...drains, dailyCap: 1 });
      const date = nextWeekday(3);
      const window = { date, start: '10:00' };
      const first = await bookable(tenant, bookingRequest({ window }));
      expect(first.status, JSON.stringify(first)).toBe('confirmed');

      const second = await tenant.call('POST', '/v1/bookings', bookingRequest({ window, customer: { name: 'Wai Tlist', phone: '(512) 555-0651' } }), key());
      let leadId = second.body.leadId as string | undefined;
      if (second.status === 202) {
        await expect
          .poll(async () => (leadId = (await tenant.call('GET', `/v1/bookings/${second.body.bookingId}`)).body.leadId), { timeout: 120_000, interval: 500 })
          .toBeTruthy();
      } else {
        expect(second.status, JSON.stringify(second.body)).toBe(409);
      }
      expect((await tenant.call('POST', `/v1/leads/${leadId}/waitlist`, {})).status).toBe(200);

      const event = { eventId: `fsm-cancel-${ulid()}`, type: 'cancelled', occurredAt: new Date().toISOString() };
      const posted = await tenant.call('POST', `/v1/jobs/${first.bookingId}/events`, event);
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      await drain('status-events');

      await expect
        .poll(async () => (await leadsOf(tenant)).find((l) => l.leadId === leadId), { timeout: 60_000, interval: 500 })
        .toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '10:00', freedBy: first.bookingId }) });
    },
    SLOW,
  );
});
