/**
 * Each CRM adapter against a contract server that answers as the vendor's documented API does:
 * a booking through POST /v1/bookings lands in the vendor with the mapped fields, source settings,
 * the job type's summary and the transcript; and the vendor's 401, 429 with Retry-After, 5xx and
 * timeouts come back as the errors the workflow and the outbox act on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBookingToCrm } from '../../functions/crm/write';
import type { CrmBookingWrite } from '../../functions/crm/adapter';
import { HousecallProCrmAdapter } from '../../functions/crm/adapters/housecallpro';
import { HubSpotCrmAdapter } from '../../functions/crm/adapters/hubspot';
import { ServiceTitanCrmAdapter } from '../../functions/crm/adapters/servicetitan';
import { WebhookCrmAdapter } from '../../functions/crm/adapters/webhook';
import type { CrmAdapter } from '../../functions/crm/adapter';
import { HousecallProContract } from '../contract-servers/housecallpro';
import { HubSpotContract } from '../contract-servers/hubspot';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { WebhookContract } from '../contract-servers/webhook';
import type { ContractServer } from '../contract-servers/base';
import type { Tenant } from '../../functions/tenant/model';
import { queues, queueUrlEnv } from '../../functions/registry';
import { findOpenReviewItems } from '../../functions/review/store';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { bookingRequest, createTestTenant, nextWeekday, setCredential } from './helpers';

const st = new ServiceTitanContract();
const hs = new HubSpotContract();
const hcp = new HousecallProContract();
const wh = new WebhookContract();

beforeAll(async () => {
  await Promise.all([st.start(), hs.start(), hcp.start(), wh.start()]);
});
afterAll(() => Promise.all([st.stop(), hs.stop(), hcp.stop(), wh.stop()]));

/** A tenant on this CRM, its credential set as an admin sets it (PUT /v1/config/credentials/crm). */
async function crmTenant(overrides: Parameters<typeof createTestTenant>[0] & { crm: Tenant['crm'] }) {
  const tenant = await createTestTenant(overrides);
  const credentials: Record<string, Record<string, unknown>> = {
    servicetitan: { adapter: 'servicetitan', ...st.credentials },
    hubspot: { adapter: 'hubspot', accessToken: hs.token },
    housecallpro: { adapter: 'housecallpro', apiKey: hcp.apiKey },
    webhook: { adapter: 'webhook', signingKey: wh.secret },
  };
  await setCredential(tenant, 'crm', credentials[overrides.crm.adapter]!);
  return tenant;
}

const sourceSettings = { google_ads: { jobType: '7001', campaign: '3301', businessUnit: '12', requiresAcceptance: false } };
// The bot sends no summary: the job type's summary text pre-fills it.
const request = () => {
  const { summary: _none, ...rest } = bookingRequest();
  return rest;
};

describe('ServiceTitan (booking provider API, OAuth2 client credentials)', () => {
  it('creates a booking with customer, location, summary, job type, campaign, business unit and external id', async () => {
    const tenant = await crmTenant({
      crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 2_000 },
      sourceSettings,
    });
    const response = await tenant.call('POST', '/v1/bookings', request());
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('confirmed');
    expect(response.body.summary).toBe('Clogged drain: clear and camera-check if recurring');
    const created = [...st.bookings.values()].find((b) => b.externalId === response.body.bookingId)!;
    expect(created).toMatchObject({
      source: 'google_ads',
      name: 'Jordan Rivera',
      address: { street: '1100 Congress Ave', unit: 'Apt 4B', city: 'Austin', state: 'TX', zip: '78701', country: 'US' },
      contacts: [
        { type: 'MobilePhone', value: '+15125550142' },
        { type: 'Email', value: 'jordan.rivera@example.com' },
      ],
      customerType: 'Residential',
      jobTypeId: 7001,
      campaignId: 3301,
      businessUnitId: 12,
      isFirstTimeClient: true,
      externalId: response.body.bookingId,
    });
    expect(created.summary).toContain('Clogged drain: clear and camera-check if recurring');
    expect(created.summary).toContain('customer: My kitchen sink is clogged');
    expect(created.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/);
    expect(response.body.crm).toMatchObject({ adapter: 'servicetitan', externalIds: { serviceTitanBookingId: String(created.id) } });
    // Every API call carried the bearer token and the app key; the secret never left the token call.
    for (const call of st.requestsTo('POST', /bookings$/)) {
      expect(call.headers['st-app-key']).toBe(st.credentials.appKey);
      expect(call.body).not.toContain(st.credentials.clientSecret);
    }
  });

  it('reuses its token, fetches a new one after a 401, and updates the booking when the appointment is scheduled', async () => {
    const adapter = new ServiceTitanCrmAdapter(
      { stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 2_000 },
      st.credentials,
    );
    const tokenCalls = () => st.requestsTo('POST', /connect\/token/).length;
    const first = await adapter.writeBooking(write({ bookingId: 'b-st-1' }));
    const before = tokenCalls();
    await adapter.writeBooking(write({ bookingId: 'b-st-2' }));
    expect(tokenCalls()).toBe(before);
    st.revokeTokens();
    await adapter.writeBooking(write({ bookingId: 'b-st-3' }));
    expect(tokenCalls()).toBe(before + 1);

    const moved = { startUtc: '2026-12-03T16:00:00Z', endUtc: '2026-12-03T18:00:00Z', label: '2026-12-03 10:00-12:00' };
    const updated = await adapter.writeBooking(write({ bookingId: 'b-st-1', window: moved, existingExternalIds: first.externalIds }));
    expect(updated.externalIds).toEqual(first.externalIds);
    expect(st.bookings.get(Number(first.externalIds.serviceTitanBookingId))).toMatchObject({ start: '2026-12-03T16:00:00Z', externalId: 'b-st-1' });
    expect([...st.bookings.values()].filter((b) => b.externalId === 'b-st-1')).toHaveLength(1);
  });

  it('a booking a dispatcher must accept lands as a booking, and accepting it updates that booking (never a second one)', async () => {
    const tenant = await crmTenant({
      crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 2_000 },
      sourceSettings: { google_ads: { ...sourceSettings.google_ads, requiresAcceptance: true } },
    });
    const response = await tenant.call('POST', '/v1/bookings', { ...request(), customer: { name: 'Acceptance Case', phone: '5125550444' } });
    expect(response.body).toMatchObject({ status: 'pending_approval', crm: { state: 'pending_approval' } });
    const [created] = [...st.bookings.values()].filter((b) => b.externalId === response.body.bookingId);
    const accepted = await tenant.call('POST', `/v1/bookings/${response.body.bookingId}/accept`);
    expect(accepted.body).toMatchObject({ status: 'confirmed', crm: { state: 'booked', externalIds: { serviceTitanBookingId: String(created!.id) } } });
    expect([...st.bookings.values()].filter((b) => b.externalId === response.body.bookingId)).toHaveLength(1);
    expect(st.requestsTo('PATCH', new RegExp(`/bookings/${created!.id}$`))).toHaveLength(1);
  });

  it('a cancelled booking: no cancel call exists that we could confirm, so a person is told which ServiceTitan booking to cancel (review item), and nothing is written to it', async () => {
    const tenant = await crmTenant({
      crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 2_000 },
      sourceSettings,
    });
    const booked = await tenant.call('POST', '/v1/bookings', { ...request(), customer: { name: 'Cancel Case', phone: '5125550477' } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const stId = booked.body.crm.externalIds.serviceTitanBookingId;
    const writesBefore = st.requestsTo('PATCH', new RegExp(`/bookings/${stId}$`)).length;
    const cancelled = await tenant.call('POST', `/v1/bookings/${booked.body.bookingId}/cancel`, { reason: 'Customer fixed it themselves' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: booked.body.bookingId }, 'crm_write_failed');
    expect(items).toHaveLength(1);
    expect(items[0]!.reason).toContain(`cancel booking ${stId} in ServiceTitan by hand`);
    expect(items[0]!.reason).toContain('Customer fixed it themselves');
    expect(st.requestsTo('PATCH', new RegExp(`/bookings/${stId}$`)).length).toBe(writesBefore);
  });

  it('a create whose answer is lost (done, then a timeout) is found by its external id on the retry: one booking, never two', async () => {
    const tenant = await crmTenant({
      crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 1_000 },
      sourceSettings,
    });
    const listsBefore = st.requestsTo('GET', /bookings$/).length;
    st.failNext({ lostReply: true }, 1, (req) => req.method === 'POST' && /bookings$/.test(req.path) && req.json?.name === 'Lost Reply');
    // The lost answer is a timeout: CrmUnavailable, so the booking keeps its slot for the crm-sync outbox
    // (no inline retry in the workflow's time budget); the outbox's write finds what the first attempt made.
    const response = await tenant.call('POST', '/v1/bookings', { ...request(), customer: { name: 'Lost Reply', phone: '5125550466' } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
    const result = await writeBookingToCrm(tenant.tenantId, response.body.bookingId, new Date(), { node: 'CrmSyncWorker' });
    const made = [...st.bookings.values()].filter((b) => b.externalId === response.body.bookingId);
    expect(made).toHaveLength(1);
    expect(result.externalIds).toMatchObject({ serviceTitanBookingId: String(made[0]!.id) });
    expect(st.requestsTo('GET', /bookings$/).length).toBe(listsBefore + 1);
  });

  it('a wrong client secret is rejected (a person must fix the credentials), never retried', async () => {
    const adapter = new ServiceTitanCrmAdapter(
      { stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 2_000 },
      { ...st.credentials, clientId: 'cid.other', clientSecret: 'wrong' },
    );
    await expect(adapter.writeBooking(write())).rejects.toMatchObject({ name: 'CrmRejectedError', message: expect.stringContaining('invalid_client') });
  });
});

describe('HubSpot (contacts, deals, notes)', () => {
  it('upserts the contact, puts a deal in the stage for the job state with source properties, and attaches the transcript note', async () => {
    const tenant = await crmTenant({
      crm: { adapter: 'hubspot', ...hs.settings() },
      sourceSettings,
    });
    const response = await tenant.call('POST', '/v1/bookings', request());
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('confirmed');
    const deal = [...hs.deals.values()].find((d) => d.properties.jobrelay_booking_id === response.body.bookingId)!;
    expect(deal.properties).toMatchObject({
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
      lead_source: 'google_ads',
      campaign: 'austin-drains-q4',
      gclid: 'EAIaIQobChMI-demo',
      tracking_number: '+15125550100',
      business_unit: '12',
      summary: 'Clogged drain: clear and camera-check if recurring',
    });
    const contact = hs.contacts.get(response.body.crm.externalIds.hubspotContactId)!;
    expect(contact.properties).toMatchObject({
      firstname: 'Jordan',
      lastname: 'Rivera',
      email: 'jordan.rivera@example.com',
      jobrelay_customer_id: response.body.customerId,
    });
    expect(hs.associations).toContainEqual({ dealId: deal.id, contactId: contact.id });
    const note = hs.notes.get(response.body.crm.externalIds.hubspotNoteId)!;
    expect(note.properties.hs_note_body).toContain('customer: My kitchen sink is clogged');
    expect(deal.properties.jobrelay_note_id).toBe(note.id);
  });

  it('a retried write updates instead of duplicating: one contact, one deal, one note', async () => {
    const adapter = new HubSpotCrmAdapter(hs.settings(), hs.token);
    const w = write({ bookingId: 'b-hs-retry', customerId: 'c-hs-retry' });
    // The note call fails once (503) after contact and deal were written; the retry finishes the job.
    hs.faultPaths = /objects\/notes$/;
    hs.failNext({ status: 503 });
    await expect(adapter.writeBooking(w)).rejects.toMatchObject({ name: 'CrmUnavailableError' });
    hs.faultPaths = undefined;
    const result = await adapter.writeBooking(w);
    await adapter.writeBooking({ ...w, existingExternalIds: result.externalIds });
    expect([...hs.deals.values()].filter((d) => d.properties.jobrelay_booking_id === 'b-hs-retry')).toHaveLength(1);
    expect([...hs.contacts.values()].filter((c) => c.properties.jobrelay_customer_id === 'c-hs-retry')).toHaveLength(1);
    const dealId = result.externalIds.hubspotDealId;
    expect([...hs.notes.values()].filter((n) => JSON.stringify(n.associations).includes(`"id":"${dealId}"`))).toHaveLength(1);
  });
});

describe('Housecall Pro (customer and job)', () => {
  it('creates the customer with its address and a scheduled job with the transcript note; a second booking reuses the customer', async () => {
    const tenant = await crmTenant({ crm: { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 2_000 }, sourceSettings });
    const first = await tenant.call('POST', '/v1/bookings', request());
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('confirmed');
    const { housecallProCustomerId, housecallProJobId } = first.body.crm.externalIds;
    const customer = hcp.customers.get(housecallProCustomerId)!;
    expect(customer).toMatchObject({ first_name: 'Jordan', last_name: 'Rivera', mobile_number: '5125550142', lead_source: 'google_ads' });
    const job = hcp.jobs.get(housecallProJobId)!;
    expect(job).toMatchObject({
      customer_id: customer.id,
      address_id: customer.addresses[0].id,
      work_status: 'scheduled',
      lead_source: 'google_ads',
      job_fields: { job_type_id: '7001', business_unit_id: '12' },
    });
    expect(job.tags).toContain(`jobrelay:${first.body.bookingId}`);
    expect(job.notes.map((n: { content: string }) => n.content).join('\n')).toContain('customer: My kitchen sink is clogged');

    const second = await tenant.call('POST', '/v1/bookings', { ...request(), channel: 'web' });
    expect(second.body.crm.externalIds.housecallProCustomerId).toBe(customer.id);
    expect(hcp.customers.size).toBe(1);
  });
});

describe('Housecall Pro: a cancelled booking', () => {
  it('takes its job off the calendar (schedule erased) with the reason as a note, once; a retried write changes nothing', async () => {
    const tenant = await crmTenant({ crm: { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 2_000 }, sourceSettings });
    const booked = await tenant.call('POST', '/v1/bookings', request());
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const job = hcp.jobs.get(booked.body.crm.externalIds.housecallProJobId)!;
    expect(job.work_status).toBe('scheduled');
    const cancelled = await tenant.call('POST', `/v1/bookings/${booked.body.bookingId}/cancel`, { reason: 'Customer fixed it themselves' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(job).toMatchObject({ work_status: 'unscheduled', schedule: { scheduled_start: null } });
    const cancelNotes = () => job.notes.filter((n: { content: string }) => n.content.includes('Customer fixed it themselves'));
    expect(cancelNotes()).toHaveLength(1);

    // The same write again (the outbox, a redrive): the job is off the calendar already.
    const adapter = new HousecallProCrmAdapter({ apiUrl: hcp.url, timeoutMs: 2_000 }, hcp.apiKey);
    await adapter.writeBooking(
      write({
        bookingId: booked.body.bookingId,
        state: 'cancelled',
        fields: { cancel_reason: 'Customer fixed it themselves' },
        existingExternalIds: booked.body.crm.externalIds,
      }),
    );
    expect(cancelNotes()).toHaveLength(1);
    // A booking HCP never had: cancelling it makes no job.
    const [customers, jobs] = [hcp.customers.size, hcp.jobs.size];
    await adapter.writeBooking(write({ bookingId: 'b-hcp-never', state: 'cancelled', fields: { cancel_reason: 'Never mind' } }));
    expect([hcp.customers.size, hcp.jobs.size]).toEqual([customers, jobs]);
  });
});

describe('Housecall Pro after a lost answer', () => {
  it('a job create whose answer is lost is found by its jobrelay tag on the retry: one job, never two', async () => {
    const adapter = new HousecallProCrmAdapter({ apiUrl: hcp.url, timeoutMs: 300 }, hcp.apiKey);
    const w = write({ bookingId: 'b-hcp-lost' });
    hcp.failNext({ lostReply: true }, 1, (req) => req.method === 'POST' && req.path === '/jobs');
    await expect(adapter.writeBooking(w)).rejects.toMatchObject({ name: 'CrmUnavailableError' });
    const result = await adapter.writeBooking({ ...w, previousCreateAttemptAt: new Date().toISOString() });
    const jobs = [...hcp.jobs.values()].filter((j) => j.tags?.includes('jobrelay:b-hcp-lost'));
    expect(jobs).toHaveLength(1);
    expect(result.externalIds.housecallProJobId).toBe(jobs[0].id);
  });
});

describe('Housecall Pro lead (a caller who could not be booked)', () => {
  const crmSync = queues.find((q) => q.name === 'crm-sync')!;
  const crmSyncSqs = { queueUrl: () => process.env[queueUrlEnv('crm-sync')]! } as unknown as LocalSqs;

  it('an out-of-area caller is an HCP lead (POST /leads) with the reason and transcript, never an unscheduled job', async () => {
    const tenant = await crmTenant({ crm: { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 2_000 }, sourceSettings });
    const body = { ...request(), address: { line1: '200 Main St', city: 'Buda', region: 'TX', postalCode: '78610', country: 'US' } };
    const response = await tenant.call('POST', '/v1/bookings', body);
    // 409 with the lead; under load 202 (the run goes on and makes the lead).
    expect([409, 202], JSON.stringify(response.body)).toContain(response.status);
    const bookingId = response.status === 409 ? response.body.booking.bookingId : response.body.bookingId;
    const leadOf = () => [...hcp.leads.values()].find((l) => l.tags?.includes(`jobrelay:${bookingId}`));
    // The crm-sync worker writes it (as Lambda's event source mapping would run it).
    const until = Date.now() + 120_000;
    while (!leadOf()) {
      expect(Date.now() < until, 'crm-sync wrote the lead in time').toBe(true);
      if ((await pollOnce(crmSyncSqs, crmSync, 0)) === 0) await new Promise((r) => setTimeout(r, 200));
    }
    const lead = leadOf()!;
    const customer = hcp.customers.get(lead.customer_id)!;
    expect(customer).toMatchObject({ first_name: 'Jordan', last_name: 'Rivera', mobile_number: '5125550142' });
    expect(lead).toMatchObject({ lead_source: 'google_ads', status: 'open' });
    // The caller's (out-of-area) service address, added to the customer when it is a returning one.
    expect(customer.addresses.find((a: { id: string }) => a.id === lead.address_id)).toMatchObject({ street: '200 Main St', zip: '78610' });
    expect(lead.note).toContain('Not booked: out_of_area');
    expect(lead.note).toContain('customer: My kitchen sink is clogged');
    expect([...hcp.jobs.values()].filter((j) => j.tags?.includes(`jobrelay:${bookingId}`))).toEqual([]);
  });

  it('a lead create whose answer is lost is found by its jobrelay tag on the retry: one lead, never two', async () => {
    const adapter = new HousecallProCrmAdapter({ apiUrl: hcp.url, timeoutMs: 300 }, hcp.apiKey);
    const w = write({ bookingId: 'b-hcp-lead-lost', state: 'lead', window: undefined, fields: { lead_source: 'google_ads', unbooked_reason: 'fully_booked' } });
    hcp.failNext({ lostReply: true }, 1, (req) => req.method === 'POST' && req.path === '/leads');
    await expect(adapter.writeBooking(w)).rejects.toMatchObject({ name: 'CrmUnavailableError' });
    const result = await adapter.writeBooking({ ...w, previousCreateAttemptAt: new Date().toISOString() });
    const leads = [...hcp.leads.values()].filter((l) => l.tags?.includes('jobrelay:b-hcp-lead-lost'));
    expect(leads).toHaveLength(1);
    expect(result.externalIds).toMatchObject({ housecallProLeadId: leads[0].id });
    expect(result.externalIds.housecallProJobId).toBeUndefined();
  });
});

describe('signed webhook (HMAC-SHA256 over timestamp and body, replay window)', () => {
  it('is accepted by a verifying receiver; a receiver whose clock is past the replay window refuses it', async () => {
    const adapter = new WebhookCrmAdapter(`${wh.url}/crm`, wh.secret, 2_000);
    const written = await adapter.writeBooking(write({ bookingId: 'b-wh-1' }));
    expect(written.externalIds.webhookId).toMatch(/^wh-/);
    wh.clockSkewSeconds = 301;
    await expect(adapter.writeBooking(write({ bookingId: 'b-wh-2' }))).rejects.toMatchObject({
      name: 'CrmRejectedError',
      message: expect.stringContaining('401'),
    });
    wh.clockSkewSeconds = 0;
    const tampered = new WebhookCrmAdapter(`${wh.url}/crm`, 'not-the-secret', 2_000);
    await expect(tampered.writeBooking(write({ bookingId: 'b-wh-3' }))).rejects.toMatchObject({ name: 'CrmRejectedError' });
  });

  it("a second reschedule is a new write to the receiver, not a replay of the first (the Idempotency-Key names the schedule's version)", async () => {
    const tenant = await crmTenant({ crm: { adapter: 'webhook', url: `${wh.url}/crm`, timeoutMs: 5_000 } });
    const date = nextWeekday(3, 5);
    const booked = await tenant.call('POST', '/v1/bookings', { ...request(), window: { date, start: '08:00' } });
    expect(booked.status).toBe(201);
    const { bookingId } = booked.body;
    for (const start of ['12:00', '14:00']) {
      const moved = await tenant.call('POST', `/v1/bookings/${bookingId}/reschedule`, { window: { date, start }, reason: 'customer asked' });
      expect(moved.status).toBe(200);
    }
    // What a receiver that honours the key keeps for this booking: each reschedule, the last at 14:00.
    const kept = [...wh.records.values()].filter((r) => r.bookingId === bookingId && r.state === 'rescheduled');
    expect(kept.map((r) => (r.window as { label: string }).label)).toEqual([`${date} 12:00-14:00`, `${date} 14:00-16:00`]);
  });
});

// The vendors' failure answers, the same for every adapter: how the workflow and the outbox see them.
// An answer (401, 429, 503) is read with a generous budget: on a busy machine a prompt answer can take
// longer than a short one (that race is not what is tested); only the no-answer case uses a short one.
const adapters: Array<[string, ContractServer, (timeoutMs: number) => CrmAdapter]> = [
  [
    'ServiceTitan',
    st,
    (timeoutMs) =>
      new ServiceTitanCrmAdapter(
        { stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs },
        st.credentials,
      ),
  ],
  ['HubSpot', hs, (timeoutMs) => new HubSpotCrmAdapter(hs.settings(timeoutMs), hs.token)],
  ['Housecall Pro', hcp, (timeoutMs) => new HousecallProCrmAdapter({ apiUrl: hcp.url, timeoutMs }, hcp.apiKey)],
  ['webhook', wh, (timeoutMs) => new WebhookCrmAdapter(`${wh.url}/crm`, wh.secret, timeoutMs)],
];

describe.each(adapters)('%s failure answers', (_, server, make) => {
  it('401 -> CrmRejectedError; 429 + Retry-After -> CrmUnavailableError carrying it; 5xx and a timeout -> CrmUnavailableError', async () => {
    const adapter = make(15_000);
    // ServiceTitan: fetch a token first so the injected fault hits the API call, not the token call.
    await adapter.writeBooking(write({ bookingId: `warm-${_}` }));
    server.failNext({ status: 401 }, 2);
    await expect(adapter.writeBooking(write())).rejects.toMatchObject({ name: 'CrmRejectedError' });
    server.recover();
    server.failNext({ status: 429, retryAfter: '7' });
    await expect(adapter.writeBooking(write())).rejects.toMatchObject({ name: 'CrmUnavailableError', retryAfterSeconds: 7 });
    server.failNext({ status: 503 });
    await expect(adapter.writeBooking(write())).rejects.toMatchObject({ name: 'CrmUnavailableError', message: expect.stringContaining('503') });
    // (ServiceTitan's token is cached per client id: this adapter reuses the one fetched above.)
    const short = make(300);
    server.failNext({ timeout: true });
    await expect(short.writeBooking(write())).rejects.toMatchObject({
      name: 'CrmUnavailableError',
      message: expect.stringContaining('no answer within 300 ms'),
    });
    server.recover();
  });
});

let counter = 0;
function write(overrides: Partial<CrmBookingWrite> = {}): CrmBookingWrite {
  counter++;
  return {
    tenantId: 't-contract',
    bookingId: `b-${counter}`,
    customerId: `c-${counter}`,
    state: 'booked',
    dealStage: 'Booked',
    fields: { lead_source: 'google_ads', job_type: 'Drain clog', summary: 'Clogged drain' },
    customer: { name: 'Jordan Rivera', phoneE164: `+1512555${String(1000 + counter).slice(-4)}`, email: `c${counter}@example.com`, isNew: true },
    address: { line1: '1100 Congress Ave', line2: 'Apt 4B', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
    summary: 'Clogged drain',
    window: { startUtc: '2026-12-02T16:00:00Z', endUtc: '2026-12-02T18:00:00Z', label: '2026-12-02 10:00-12:00' },
    source: { jobType: '7001', campaign: '3301', businessUnit: '12', name: 'google_ads' },
    transcriptNote: 'customer: my sink is clogged',
    idempotencyKey: `t-contract:b-${counter}:booked`,
    ...overrides,
  };
}
