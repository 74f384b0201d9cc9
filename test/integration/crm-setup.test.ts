/**
 * Connecting a CRM as an owner does it (issue 17 item 1), against contract servers that answer as
 * the vendors do: adapter and settings, credentials (never answered back), a test call reporting
 * auth, scopes and the ids the credentials reach, the lists mappings are picked from (every page),
 * a mapping picked from them and a booking written with those ids; a booking whose mapping is missing
 * is a review item naming what to map; HubSpot's custom properties are created when missing. And
 * item 3: access notes, customer notes and membership reach every adapter through the mapping table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HousecallProContract } from '../contract-servers/housecallpro';
import { HubSpotContract } from '../contract-servers/hubspot';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { bookingRequest, createTestTenant, type TestTenant } from './helpers';

const st = new ServiceTitanContract();
const hs = new HubSpotContract();
const hcp = new HousecallProContract();

beforeAll(async () => {
  await Promise.all([st.start(), hs.start(), hcp.start()]);
});
afterAll(() => Promise.all([st.stop(), hs.stop(), hcp.stop()]));

const stSettings = () => ({
  adapter: 'servicetitan',
  stTenantId: st.stTenantId,
  bookingProviderId: st.bookingProviderId,
  apiUrl: st.url,
  authUrl: st.url,
  timeoutMs: 2_000,
});

async function connectServiceTitan(): Promise<TestTenant> {
  const tenant = await createTestTenant();
  expect((await tenant.call('PUT', '/v1/config/crm', stSettings())).status).toBe(200);
  const credentials = await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'servicetitan', ...st.credentials });
  expect(credentials.status, JSON.stringify(credentials.body)).toBe(200);
  return tenant;
}

describe('Connect ServiceTitan', () => {
  it('settings, credentials (never answered back), test, options from every page, mapping picked, booking written with the mapped ids', async () => {
    const tenant = await createTestTenant();
    // Credentials for an adapter the account is not set to are refused, naming the field.
    const early = await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'servicetitan', ...st.credentials });
    expect(early).toMatchObject({ status: 400, body: { error: { field: 'adapter' } } });

    const saved = await tenant.call('PUT', '/v1/config/crm', stSettings());
    expect(saved).toMatchObject({ status: 200, body: { crm: { adapter: 'servicetitan', stTenantId: st.stTenantId }, credentialSet: false } });
    // A secret is never named in settings.
    expect(await tenant.call('PUT', '/v1/config/crm', { ...stSettings(), secretName: 'other/crm' })).toMatchObject({ status: 400 });

    const credentials = await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'servicetitan', ...st.credentials });
    expect(credentials.status).toBe(200);
    expect(JSON.stringify(credentials.body)).not.toContain(st.credentials.clientSecret);
    const config = await tenant.call('GET', '/v1/config/crm');
    expect(config.body).toMatchObject({ crm: { adapter: 'servicetitan' }, credentialSet: true });
    expect(JSON.stringify(config.body)).not.toContain(st.credentials.clientSecret);

    const test = await tenant.call('POST', '/v1/config/crm/test');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({
      adapter: 'servicetitan',
      ok: true,
      auth: 'ok',
      scopes: ['tn.crm.bookings:w'],
      visible: { stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId },
    });

    // 205 technicians: more than one page of 200.
    for (let i = st.technicians.length; i < 205; i++) st.technicians.push({ id: 880_001 + i, name: `Tech ${i}`, active: true });
    const options = await tenant.call('GET', '/v1/config/crm/options');
    expect(options.status).toBe(200);
    expect(options.body.jobTypes).toEqual([
      { id: '7001', name: 'Drain Cleaning' },
      { id: '7002', name: 'AC Repair' },
    ]);
    expect(options.body.campaigns).toContainEqual({ id: '3301', name: 'Google Ads Q4' });
    expect(options.body.businessUnits).toContainEqual({ id: '12', name: 'Plumbing Service' });
    expect(options.body.technicians).toHaveLength(205);
    expect(st.requestsTo('GET', /technicians$/).map((r) => r.query.get('page'))).toEqual(['1', '2']);

    const mapping = await tenant.call('PUT', '/v1/config/crm-mapping', {
      ids: { jobTypes: { 'plumbing-drain-clog': '7001' }, businessUnits: { 'plumbing-drain-clog': '12' }, campaigns: { google_ads: '3301' } },
    });
    expect(mapping.status, JSON.stringify(mapping.body)).toBe(200);
    expect(mapping.body.ids).toMatchObject({ jobTypes: { 'plumbing-drain-clog': '7001' }, campaigns: { google_ads: '3301' } });

    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const written = st.bookings.get(Number(booked.body.crm.externalIds.serviceTitanBookingId))!;
    expect(written).toMatchObject({ jobTypeId: 7001, campaignId: 3301, businessUnitId: 12, externalId: booked.body.bookingId });
    // Item 3: what the field needs travels in the booking's summary (ServiceTitan bookings have no notes).
    expect(written.summary).toContain('Access: Gate code 4412; dog in the back yard.');
    expect(written.summary).toContain('Customer notes: Kitchen sink backs up when the dishwasher runs.');
    const review = await tenant.call('GET', '/v1/review-items?kind=setup_required');
    expect(review.body.items).toEqual([]);
  });

  it('a booking whose mapping is missing is a review item naming what to map, and the booking still reaches ServiceTitan', async () => {
    const tenant = await connectServiceTitan();
    // A name where ServiceTitan wants an id is named too.
    await tenant.call('PUT', '/v1/config/crm-mapping', { ids: { jobTypes: { 'plumbing-drain-clog': 'Drain Cleaning' } } });
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(booked.status).toBe(201);
    expect(booked.body.crm.externalIds.serviceTitanBookingId).toBeDefined();
    const items = (await tenant.call('GET', '/v1/review-items?kind=setup_required')).body.items as Array<Record<string, any>>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: booked.body.bookingId } });
    expect(items[0]!.reason).toContain('"Drain Cleaning", not a ServiceTitan id');
    expect(items[0]!.reason).toContain('Map a ServiceTitan campaign for marketing source "google_ads"');
    expect(items[0]!.reason).toContain('Map a ServiceTitan business unit for job type');
    expect(items[0]!.payload.missing.map((m: { field: string }) => m.field).sort()).toEqual(['businessUnit', 'campaign', 'jobType']);
  });

  it('the test reports refused credentials, an outage with Retry-After, and no credentials, as answers (never a 5xx)', async () => {
    const tenant = await createTestTenant();
    await tenant.call('PUT', '/v1/config/crm', stSettings());
    expect((await tenant.call('POST', '/v1/config/crm/test')).body).toMatchObject({ ok: false, auth: 'not_set' });
    expect(await tenant.call('GET', '/v1/config/crm/options')).toMatchObject({ status: 422, body: { error: { field: 'credentials' } } });

    await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'servicetitan', ...st.credentials, clientSecret: 'wrong' });
    const refused = await tenant.call('POST', '/v1/config/crm/test');
    expect(refused).toMatchObject({ status: 200, body: { ok: false, auth: 'rejected' } });
    expect(refused.body.message).toContain('invalid_client');

    await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'servicetitan', ...st.credentials });
    st.failNext({ status: 429, retryAfter: '7' }, 1, (r) => r.path.includes('/business-units'));
    expect((await tenant.call('POST', '/v1/config/crm/test')).body).toMatchObject({ ok: false, auth: 'unreachable', retryAfterSeconds: 7 });
    st.failNext({ status: 503 }, 1, (r) => r.path.includes('/job-types'));
    const down = await tenant.call('GET', '/v1/config/crm/options');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
  });
});

describe('Connect HubSpot', () => {
  it('the test reports portal and scopes and creates the missing custom properties once; stages are listed from the pipelines', async () => {
    const tenant = await createTestTenant();
    await tenant.call('PUT', '/v1/config/crm', { adapter: 'hubspot', ...hs.settings() });
    await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'hubspot', accessToken: hs.token });
    hs.propertyDefinitions.get('deals')!.delete('jobrelay_booking_id');
    const test = await tenant.call('POST', '/v1/config/crm/test');
    expect(test.body).toMatchObject({ ok: true, auth: 'ok', visible: { hubId: String(hs.hubId) }, scopes: hs.tokenScopes });
    expect(test.body.createdProperties).toEqual(expect.arrayContaining(['contacts.jobrelay_customer_id', 'deals.jobrelay_booking_id', 'deals.access_notes']));
    expect(hs.propertyDefinitions.get('deals')!.get('jobrelay_booking_id')).toMatchObject({ hasUniqueValue: true, groupName: 'dealinformation' });
    // Again: nothing is missing, nothing is created.
    expect((await tenant.call('POST', '/v1/config/crm/test')).body.createdProperties).toEqual([]);

    const options = await tenant.call('GET', '/v1/config/crm/options');
    expect(options.body.pipelines).toContainEqual({
      id: '7654321',
      name: 'Service Jobs',
      stages: [
        { id: '1001', name: 'Booked' },
        { id: '1002', name: 'Pending Approval' },
      ],
    });
    // The stages picked become the settings; the booking's deal goes to that stage with the field's notes.
    await tenant.call('PUT', '/v1/config/crm', { adapter: 'hubspot', ...hs.settings(), pipelineId: '7654321', dealStageIds: { Booked: '1001' } });
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(booked.status).toBe(201);
    const deal = hs.deals.get(booked.body.crm.externalIds.hubspotDealId)!;
    expect(deal.properties).toMatchObject({
      pipeline: '7654321',
      dealstage: '1001',
      access_notes: 'Gate code 4412; dog in the back yard.',
      customer_notes: 'Kitchen sink backs up when the dishwasher runs.',
    });
  });

  it('a revoked token is reported as rejected', async () => {
    const tenant = await createTestTenant();
    await tenant.call('PUT', '/v1/config/crm', { adapter: 'hubspot', ...hs.settings() });
    await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'hubspot', accessToken: 'pat-na1-revoked-token' });
    expect((await tenant.call('POST', '/v1/config/crm/test')).body).toMatchObject({ ok: false, auth: 'rejected' });
  });
});

describe('Connect Housecall Pro', () => {
  it('test, options (job types, lead sources, employees), and a job with the mapped job type, technician and the field notes', async () => {
    const tenant = await createTestTenant();
    await tenant.call('PUT', '/v1/config/crm', { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 2_000 });
    await tenant.call('PUT', '/v1/config/crm/credentials', { adapter: 'housecallpro', apiKey: hcp.apiKey });
    expect((await tenant.call('POST', '/v1/config/crm/test')).body).toMatchObject({ ok: true, auth: 'ok', visible: { companyId: 'cmp_01' } });
    const options = await tenant.call('GET', '/v1/config/crm/options');
    expect(options.body).toMatchObject({
      jobTypes: [
        { id: 'jbt_01', name: 'Drain cleaning' },
        { id: 'jbt_02', name: 'Water heater' },
      ],
      campaigns: [{ id: 'ls_01', name: 'Google' }],
      technicians: [{ id: 'pro_01', name: 'Dana Tech' }],
    });
    await tenant.call('PUT', '/v1/config/crm-mapping', { ids: { jobTypes: { 'plumbing-drain-clog': 'jbt_01' } } });
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(booked.status).toBe(201);
    const job = hcp.jobs.get(booked.body.crm.externalIds.housecallProJobId)!;
    expect(job.job_fields).toMatchObject({ job_type_id: 'jbt_01' });
    expect(job.notes[0].content).toContain('Access: Gate code 4412');
    expect(job.notes[0].content).toContain('Customer notes: Kitchen sink backs up');
  });
});
