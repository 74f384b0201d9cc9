/**
 * Attribution carried through, per-source settings, and bookings a dispatcher must accept, through
 * the public API: missing attribution is flagged (never "unknown"), the job type's summary pre-fills
 * the booking, click ids / LSA fields reach the CRM through the mapping table (overridable per tenant
 * with PUT /v1/config/crm-mapping), and pending_approval bookings keep their slot until
 * accept (a compare-and-swap, then the trail starts) or dismiss (the slot is released).
 */
import { describe, expect, it } from 'vitest';
import { bookingRequest, createTestTenant, itemsWithPrefix, partitionItems, nextWeekday, type TestTenant, storedClaims } from './helpers';

const crmJob = async (tenant: TestTenant, bookingId: string) => (await partitionItems(`T#${tenant.tenantId}#CRM`)).find((i) => i.sk === `JOB#${bookingId}`)!;
const ledgerKinds = async (tenant: TestTenant, bookingId: string) =>
  (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`))
    .filter((i) => String(i.sk).startsWith('NOTIFY#'))
    .map((i) => i.kind)
    .sort();
const claimsOf = async (tenant: TestTenant, bookingId: string) => (await storedClaims(tenant.tenantId)).filter((c) => c.bookingId === bookingId);

describe('attribution', () => {
  it('a booking without a source goes through, is flagged, and opens a missing_attribution item; nothing says "unknown"', async () => {
    const tenant = await createTestTenant();
    const { attribution: _none, ...request } = bookingRequest();
    const response = await tenant.call('POST', '/v1/bookings', request);
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('confirmed');
    expect(response.body.attribution).toBeUndefined();
    expect(response.body.flags).toEqual(['missing_attribution']);
    const review = await tenant.call('GET', '/v1/review-items?kind=missing_attribution');
    expect(review.body.items).toHaveLength(1);
    expect(review.body.items[0]).toMatchObject({ status: 'open', subject: { type: 'booking', id: response.body.bookingId } });
    const job = await crmJob(tenant, response.body.bookingId);
    expect(job.fields.lead_source).toBeUndefined();
    expect(JSON.stringify(job).toLowerCase()).not.toContain('unknown');
  });

  it('carries UTM fields, click ids, tracked number, LSA lead and deadline, referral to the CRM; flags a near LSA deadline; pre-fills the summary', async () => {
    const tenant = await createTestTenant();
    const { summary: _s, ...base } = bookingRequest();
    const soon = new Date(Date.now() + 10 * 60_000).toISOString();
    const attribution = {
      source: 'google_lsa',
      campaign: 'lsa-austin',
      utmSource: 'google',
      utmMedium: 'lsa',
      utmCampaign: 'lsa-austin',
      utmTerm: 'plumber near me',
      utmContent: 'ad-7',
      gclid: 'g-1',
      fbclid: 'fb-1',
      msclkid: 'ms-1',
      trackingNumber: '+15125550100',
      lsaLeadId: 'lsa-123',
      lsaResponseDeadline: soon,
      referral: 'neighbour',
    };
    const response = await tenant.call('POST', '/v1/bookings', { ...base, attribution });
    expect(response.status).toBe(201);
    expect(response.body.summary).toBe('Clogged drain: clear and camera-check if recurring');
    expect(response.body.flags).toEqual(['lsa_deadline_near']);
    expect(response.body.attribution).toEqual(attribution);
    const job = await crmJob(tenant, response.body.bookingId);
    expect(job.fields).toMatchObject({
      lead_source: 'google_lsa',
      utm_term: 'plumber near me',
      utm_content: 'ad-7',
      gclid: 'g-1',
      fbclid: 'fb-1',
      msclkid: 'ms-1',
      tracking_number: '+15125550100',
      lsa_lead_id: 'lsa-123',
      lsa_response_deadline: soon,
      referral: 'neighbour',
      summary: 'Clogged drain: clear and camera-check if recurring',
    });
    expect(job.transcriptNote).toContain('customer: My kitchen sink is clogged');

    const later = await tenant.call('POST', '/v1/bookings', {
      ...base,
      summary: 'Bot summary wins',
      customer: { name: 'Lee Far', phone: '5125550133' },
      attribution: { ...attribution, lsaResponseDeadline: new Date(Date.now() + 5 * 3_600_000).toISOString() },
    });
    expect(later.body.flags).toBeUndefined();
    expect(later.body.summary).toBe('Bot summary wins');
    expect(await tenant.call('POST', '/v1/bookings', { ...base, attribution: { ...attribution, lsaResponseDeadline: 'tomorrow' } })).toMatchObject({
      status: 400,
      body: { error: { field: 'attribution.lsaResponseDeadline' } },
    });
  });

  it('PUT /v1/config/crm-mapping overrides a state for this tenant only, validated by the same schema', async () => {
    const tenant = await createTestTenant();
    const override = {
      booked: {
        dealStage: 'Scheduled',
        fields: [
          { crmField: 'src', from: 'attribution.source' },
          { crmField: 'who', from: 'customer.name' },
        ],
      },
    };
    const put = await tenant.call('PUT', '/v1/config/crm-mapping', override);
    expect(put.status).toBe(200);
    expect(put.body.mapping.booked).toEqual(override.booked);
    expect(put.body.mapping.paid.dealStage).toBe('Closed Won');
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(await crmJob(tenant, response.body.bookingId)).toMatchObject({ dealStage: 'Scheduled', fields: { src: 'google_ads', who: 'Jordan Rivera' } });
    expect(Object.keys((await crmJob(tenant, response.body.bookingId)).fields).sort()).toEqual(['src', 'who']);

    const other = await createTestTenant();
    const untouched = await other.call('POST', '/v1/bookings', bookingRequest());
    expect((await crmJob(other, untouched.body.bookingId)).dealStage).toBe('Booked');

    const badState = await tenant.call('PUT', '/v1/config/crm-mapping', { shipped: override.booked });
    expect(badState.status).toBe(400);
    const badPath = await tenant.call('PUT', '/v1/config/crm-mapping', {
      booked: { ...override.booked, fields: [{ crmField: 'x', from: 'process.env.SECRET' }] },
    });
    expect(badPath.status).toBe(400);
    expect(badPath.body.error.field).toBe('booked.fields.0.from');
  });
});

describe('per-source settings and dispatcher acceptance', () => {
  const approvalTenant = () =>
    createTestTenant({ sourceSettings: { google_ads: { jobType: 'ST-7001', campaign: 'ST-3301', businessUnit: 'BU-12', requiresAcceptance: true } } });

  it('holds the slot as pending_approval until accepted (compare-and-swap), then confirms and starts the trail', async () => {
    const tenant = await approvalTenant();
    const window = { date: nextWeekday(2, 3), start: '10:00' };
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ window }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'pending_approval',
      statusReason: 'source_requires_acceptance',
      sourceSettings: { jobType: 'ST-7001', campaign: 'ST-3301', businessUnit: 'BU-12', requiresAcceptance: true },
    });
    const id = response.body.bookingId;
    const claimsBefore = await claimsOf(tenant, id);
    expect(claimsBefore.length).toBeGreaterThan(0);
    expect(claimsBefore.every((c) => c.status === 'BOOKED')).toBe(true);
    // Only "we have your request": no confirmation, no reminders until a dispatcher accepts.
    expect((await ledgerKinds(tenant, id)).filter((k) => k !== 'request_received')).toEqual([]);
    expect(await crmJob(tenant, id)).toMatchObject({
      state: 'pending_approval',
      dealStage: 'Pending Approval',
      fields: { source_campaign: 'ST-3301', business_unit: 'BU-12', source_job_type: 'ST-7001' },
    });
    const pending = await tenant.call('GET', '/v1/review-items?kind=pending_approval&status=open');
    expect(pending.body.items.map((i: { subject: { id: string } }) => i.subject.id)).toEqual([id]);

    const accepted = await tenant.call('POST', `/v1/bookings/${id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'confirmed', statusReason: 'accepted_by_dispatch' });
    // Same claim items, same booking: accepting never claims again.
    expect((await claimsOf(tenant, id)).map((c) => c.sk).sort()).toEqual(claimsBefore.map((c) => c.sk).sort());
    expect(await ledgerKinds(tenant, id)).toEqual(expect.arrayContaining(['confirmation', 'reminder_48h', 'reminder_day_of']));
    expect(await crmJob(tenant, id)).toMatchObject({ state: 'booked', dealStage: 'Booked' });
    expect((await tenant.call('GET', '/v1/review-items?kind=pending_approval&status=open')).body.items).toEqual([]);

    const again = await tenant.call('POST', `/v1/bookings/${id}/accept`);
    expect(again.status).toBe(409);
  });

  it('dismiss with a reason releases the slot, so the window can be booked again; accept and dismiss racing: exactly one wins', async () => {
    const tenant = await approvalTenant();
    // Water heaters in 78744: only tech-03 covers it, so the window has one slot.
    const window = { date: nextWeekday(3, 3), start: '12:00' };
    const request = (name: string, phone: string) =>
      bookingRequest({
        customer: { name, phone },
        address: { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' },
        jobTypeId: 'plumbing-water-heater-repair',
        window,
      });
    const first = await tenant.call('POST', '/v1/bookings', request('Pat Lee', '5125550211'));
    expect(first.body.status).toBe('pending_approval');
    // While it waits for a dispatcher, nobody else can take its slot.
    expect((await tenant.call('POST', '/v1/bookings', request('Chris Moe', '5125550212'))).status).toBe(409);

    expect((await tenant.call('POST', `/v1/bookings/${first.body.bookingId}/dismiss`, {})).status).toBe(400);
    const dismissed = await tenant.call('POST', `/v1/bookings/${first.body.bookingId}/dismiss`, { reason: 'Duplicate of a phone booking' });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ status: 'dismissed', statusReason: 'dismissed: Duplicate of a phone booking' });
    expect(await claimsOf(tenant, first.body.bookingId)).toEqual([]);
    // The CRM, which had it as pending approval, hears it was dismissed (the "cancelled" state).
    expect(await crmJob(tenant, first.body.bookingId)).toMatchObject({
      state: 'cancelled',
      dealStage: 'Closed Lost',
      fields: { cancel_reason: 'dismissed: Duplicate of a phone booking' },
    });
    expect((await tenant.call('GET', '/v1/review-items?kind=pending_approval&status=open')).body.items).toEqual([]);

    // (Another body than the refused one: a replayed identical request returns its first answer.)
    const rebooked = await tenant.call('POST', '/v1/bookings', request('Chris Moe', '5125550213'));
    expect(rebooked.status).toBe(201);
    expect(rebooked.body.status).toBe('pending_approval');
    const race = await Promise.all([
      tenant.call('POST', `/v1/bookings/${rebooked.body.bookingId}/accept`),
      tenant.call('POST', `/v1/bookings/${rebooked.body.bookingId}/dismiss`, { reason: 'race' }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    const final = (await tenant.call('GET', `/v1/bookings/${rebooked.body.bookingId}`)).body;
    const claims = await claimsOf(tenant, rebooked.body.bookingId);
    expect(final.status === 'confirmed' ? claims.length > 0 : claims.length === 0).toBe(true);
  });

  it('bookings from sources without acceptance confirm at once, with their settings applied', async () => {
    const tenant = await createTestTenant({ sourceSettings: { Google_Ads: { campaign: 'C-1', requiresAcceptance: false } } });
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(response.body).toMatchObject({ status: 'confirmed', sourceSettings: { campaign: 'C-1', requiresAcceptance: false } });
  });
});
