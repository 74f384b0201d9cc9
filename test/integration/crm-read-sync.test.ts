/**
 * Read sync (issue 17 item 2) against the contract servers: a backfill from ServiceTitan, HubSpot
 * and Housecall Pro through POST /v1/crm/sync and the crm-read-sync worker (driven here with the
 * local poller), progress on GET /v1/crm/sync; a worker killed mid-page resumes from the checkpoint
 * without duplicates; a 429 with Retry-After is honoured; a caller who exists only in the CRM is
 * recognised with membership before the first question and booked against the CRM's own ids.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrmBookingWrite } from '../../functions/crm/adapter';
import { crmAdapterFor } from '../../functions/crm/adapters';
import { ServiceTitanCrmAdapter } from '../../functions/crm/adapters/servicetitan';
import { READ_SYNC_PAGE_SIZE } from '../../functions/crm/read-sync';
import { queueUrlEnv } from '../../functions/registry';
import { customerKeys, upsertCrmCustomer } from '../../functions/recognise/store';
import { sqsClient } from '../../functions/shared/queue-client';
import { getTenant } from '../../functions/tenant/store';
import { HousecallProContract } from '../contract-servers/housecallpro';
import { HubSpotContract } from '../contract-servers/hubspot';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { bookingRequest, createTestTenant, driveQueueUntil, itemsByKeys, readSyncUntil, setCredential, type TestTenant } from './helpers';

const st = new ServiceTitanContract();
const hs = new HubSpotContract();
const hcp = new HousecallProContract();

beforeAll(async () => {
  await Promise.all([st.start(), hs.start(), hcp.start()]);
});
afterAll(() => Promise.all([st.stop(), hs.stop(), hcp.stop()]));

const sourceSettings = { google_ads: { jobType: '7001', campaign: '3301', businessUnit: '12', requiresAcceptance: false } };

async function serviceTitanTenant(server = st): Promise<TestTenant> {
  const tenant = await createTestTenant({
    crm: {
      adapter: 'servicetitan',
      stTenantId: server.stTenantId,
      bookingProviderId: server.bookingProviderId,
      apiUrl: server.url,
      authUrl: server.url,
      timeoutMs: 10_000,
    },
    sourceSettings,
  });
  await setCredential(tenant, 'crm', { adapter: 'servicetitan', ...server.credentials });
  return tenant;
}

/** Drives the crm-read-sync worker (as the local event source mapping does) until the run is over. */
const runSync = (tenant: TestTenant, until?: string[]) => readSyncUntil(tenant, until, 170_000);

/**
 * How many of these CRM customers have their claim (`T#<tenant>#CRMCUSTOMER#<adapter>#<id>`): read by
 * key, where counting the tenant's claims by prefix Scans the whole table (this serial file runs beside
 * the largest it gets: ~24 s of DynamoDB Local's CPU per Scan).
 */
async function claimedCount(tenant: TestTenant, adapter: string, crmIds: Iterable<string | number>): Promise<number> {
  return (await itemsByKeys([...crmIds].map((id) => customerKeys.crmClaim(tenant.tenantId, adapter, String(id))))).length;
}

describe('backfill from each CRM', { timeout: 180_000 }, () => {
  it('ServiceTitan: every customer with its location, contacts, membership, equipment and open estimate; progress on GET /v1/crm/sync', async () => {
    const server = await new ServiceTitanContract().start();
    try {
      server.seedCustomers(120, { memberEvery: 10 });
      const tenant = await serviceTitanTenant(server);
      const started = await tenant.call('POST', '/v1/crm/sync', { mode: 'backfill' });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      expect(started.body).toMatchObject({ state: 'running', mode: 'backfill', pages: 0, customers: 0 });
      // One run at a time.
      expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(409);

      const status = await runSync(tenant);
      expect(status).toMatchObject({ state: 'done', adapter: 'servicetitan', pages: Math.ceil(120 / READ_SYNC_PAGE_SIZE), customers: 120 });
      expect(status.cursor).toBeUndefined();
      expect(await claimedCount(tenant, 'servicetitan', server.customers.keys())).toBe(120);

      const member = [...server.customers.values()][0]!;
      const phone = server.contacts.find((c) => c.customerId === member.id && c.type === 'MobilePhone')!.value;
      const lookup = await tenant.call('POST', '/v1/customers/lookup', { phone });
      expect(lookup.status).toBe(200);
      expect(lookup.body.match).toBe('matched');
      expect(lookup.body.customer).toMatchObject({
        name: member.name,
        membership: { status: 'active', renewsOn: '2027-01-01' },
        equipment: [{ kind: 'Furnace', make: 'Carrier', model: '59SC5', installedOn: '2019-10-01' }],
        openEstimates: [{ summary: 'AC replacement', amount: 8450 }],
        locations: [{ line1: member.address.street, city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' }],
      });
    } finally {
      await server.stop();
    }
  });

  it('HubSpot: contacts paged with `after`; an incremental run reads only contacts modified since', async () => {
    const server = await new HubSpotContract().start();
    try {
      server.seedContacts(110, { memberEvery: 50 });
      const tenant = await createTestTenant({ crm: { adapter: 'hubspot', ...server.settings(10_000) } as never });
      await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: server.token });
      expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
      const status = await runSync(tenant);
      expect(status).toMatchObject({ state: 'done', pages: 2, customers: 110 });
      const first = [...server.contacts.values()][0]!;
      const lookup = await tenant.call('POST', '/v1/customers/lookup', { phone: first.properties.phone });
      // An open deal on the contact is its open estimate; a closed one and JobRelay's own booking deals are not.
      expect(lookup.body.customer).toMatchObject({
        membership: { status: 'active', plan: 'Comfort Club' },
        openEstimates: [{ summary: 'AC replacement', amount: 8450 }],
      });
      expect(lookup.body.customer.openEstimates).toHaveLength(1);
      // Two calls per page for every contact's deals (associations, then the deals), not one per contact.
      expect(server.requestsTo('POST', /\/associations\/contacts\/deals\/batch\/read$/)).toHaveLength(2);

      // Incremental: one contact changes in HubSpot; the next run reads it (search on lastmodifieddate).
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct updatedAt from the backfill's start
      const changed = [...server.contacts.values()][7]!;
      changed.properties.jobrelay_membership_status = 'active';
      changed.updatedAt = new Date(Date.now() + 1_000).toISOString();
      expect((await tenant.call('POST', '/v1/crm/sync', { mode: 'incremental' })).status).toBe(202);
      const incremental = await runSync(tenant);
      expect(incremental).toMatchObject({ state: 'done', mode: 'incremental', customers: 1 });
      expect(server.requestsTo('POST', /\/contacts\/search$/).length).toBeGreaterThan(0);
      expect(await claimedCount(tenant, 'hubspot', server.contacts.keys())).toBe(110);
    } finally {
      await server.stop();
    }
  });

  it('Housecall Pro: customers and their addresses, paged', async () => {
    const server = await new HousecallProContract().start();
    try {
      const [first] = server.seedCustomers(110, { estimateEvery: 50 });
      const tenant = await createTestTenant({ crm: { adapter: 'housecallpro', apiUrl: server.url, timeoutMs: 10_000 } });
      await setCredential(tenant, 'crm', { adapter: 'housecallpro', apiKey: server.apiKey });
      expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
      const status = await runSync(tenant);
      expect(status).toMatchObject({ state: 'done', pages: 2, customers: 110 });
      expect(await claimedCount(tenant, 'housecallpro', server.customers.keys())).toBe(110);
      // Its open estimate (GET /estimates?customer_id=); the approved one is not open.
      const lookup = await tenant.call('POST', '/v1/customers/lookup', { phone: first!.mobile_number });
      expect(lookup.body.customer.openEstimates).toEqual([expect.objectContaining({ summary: 'Tankless water heater', amount: 3200 })]);
    } finally {
      await server.stop();
    }
  });
});

describe('crash, throttling', { timeout: 180_000 }, () => {
  // These tests take the queue's messages one at a time and expect their own: what other files left in
  // the shared read-sync queue (a webhook's refresh for a tenant whose CRM server is gone) is removed
  // first. This file runs alone (file-locks.ts SERIAL_FILES), so nobody else is waiting for it.
  beforeEach(async () => {
    const QueueUrl = process.env[queueUrlEnv('crm-read-sync')];
    for (;;) {
      const left = (await sqsClient().send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? [];
      if (!left.length) return;
      await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl, Entries: left.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  });

  it('a worker killed mid-page (half its customers written, no checkpoint) resumes from the checkpoint without duplicates', async () => {
    const server = await new ServiceTitanContract().start();
    try {
      server.seedCustomers(150);
      const tenant = await serviceTitanTenant(server);
      expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
      // Page 1 runs normally (driven until it ran: a poll may return other messages or none).
      await driveQueueUntil(
        'crm-read-sync',
        async () => (await tenant.call('GET', '/v1/crm/sync')).body.pages,
        (pages) => pages >= 1,
      );
      expect((await tenant.call('GET', '/v1/crm/sync')).body).toMatchObject({ pages: 1, customers: 100, state: 'running' });

      // Page 2 is taken by a worker that dies: the message is in flight, never deleted; before dying
      // it had stored the first half of the page (what the worker does, customer by customer).
      const taken = await sqsClient().send(
        new ReceiveMessageCommand({ QueueUrl: process.env[queueUrlEnv('crm-read-sync')], MaxNumberOfMessages: 1, VisibilityTimeout: 1 }),
      );
      expect(taken.Messages?.length).toBe(1);
      const tenantConfig = (await getTenant(tenant.tenantId))!;
      const adapter = await crmAdapterFor(tenantConfig);
      const page = await adapter.listCustomers!({ cursor: '2', pageSize: READ_SYNC_PAGE_SIZE });
      for (const customer of page.customers.slice(0, 25)) await upsertCrmCustomer(tenant.tenantId, 'servicetitan', customer, 'US', new Date());
      expect(await claimedCount(tenant, 'servicetitan', server.customers.keys())).toBe(125);
      expect((await tenant.call('GET', '/v1/crm/sync')).body).toMatchObject({ pages: 1, customers: 100 });

      // The message comes back after its visibility timeout; the run finishes from the checkpoint.
      const status = await runSync(tenant);
      expect(status).toMatchObject({ state: 'done', pages: 2, customers: 150 });
      // Every CRM customer once: its claim, one customer record each, and its phone's claim on that same
      // record (a page written twice would leave a second record beside the first, which keeps the
      // phone). Read by key: a Scan for the tenant's items reads the whole table, by this serial file
      // the largest it gets.
      const claims = await itemsByKeys([...server.customers.keys()].map((id) => customerKeys.crmClaim(tenant.tenantId, 'servicetitan', String(id))));
      expect(claims).toHaveLength(150);
      const customerIds = new Set(claims.map((claim) => claim.customerId as string));
      expect(customerIds.size).toBe(150);
      expect(await itemsByKeys([...customerIds].map((id) => customerKeys.customer(tenant.tenantId, id)))).toHaveLength(150);
      const phones = server.contacts.filter((contact) => contact.type === 'MobilePhone').map((contact) => contact.value as string);
      const phoneClaims = await itemsByKeys(phones.map((phone) => customerKeys.phoneClaim(tenant.tenantId, phone)));
      expect(phoneClaims).toHaveLength(150);
      expect(new Set(phoneClaims.map((claim) => claim.customerId))).toEqual(customerIds);
    } finally {
      await server.stop();
    }
  });

  it('429 with Retry-After: the page waits and is read again after it; 5xx backs off the same way', async () => {
    const server = await new ServiceTitanContract().start();
    try {
      server.seedCustomers(110);
      const tenant = await serviceTitanTenant(server);
      const customersList = (request: { path: string }) => /\/customers$/.test(request.path);
      server.failNext({ status: 429, retryAfter: '1' }, 1, customersList);
      expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
      // Driven until the page has run (a poll may return other messages or none).
      const waiting = await runSync(tenant, ['waiting']);
      expect(waiting).toMatchObject({ state: 'waiting', pages: 0, throttled: 1, retries: 1 });
      expect(waiting.lastError).toMatch(/HTTP 429/);
      const retryAt = Date.parse(waiting.retryAt);
      expect(retryAt - Date.parse(waiting.updatedAt)).toBe(1_000);

      server.failNext({ status: 503 }, 1, customersList);
      const status = await runSync(tenant);
      expect(status).toMatchObject({ state: 'done', pages: 2, customers: 110, throttled: 1, retries: 0 });
      // The throttled page was asked for again only after its Retry-After.
      const pageOne = server
        .requestsTo('GET', /\/customers$/)
        .filter((r) => r.query.get('page') === '1')
        .map((r) => r.answered);
      expect(pageOne[0]).toBe(429);
      expect(pageOne).toContain(503);
      expect(pageOne.at(-1)).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('recognition against CRM data', { timeout: 180_000 }, () => {
  it('a caller known only to ServiceTitan is recognised with membership and booked on the CRM customer and location (no new customer there)', async () => {
    const seeded = st.seedCustomers(5, { memberEvery: 1, firstPhone: 7_100_000, namePrefix: 'Casey' });
    const tenant = await serviceTitanTenant();
    expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
    expect(await runSync(tenant)).toMatchObject({ state: 'done', customers: st.customers.size });

    const caller = seeded[2]!;
    const location = [...st.locations.values()].find((l) => l.customerId === caller.id)!;
    const phone = st.contacts.find((c) => c.customerId === caller.id && c.type === 'MobilePhone')!.value;
    const lookup = await tenant.call('POST', '/v1/customers/lookup', { phone });
    expect(lookup.body).toMatchObject({ match: 'matched', matchedOn: ['phone'], customer: { name: caller.name, membership: { status: 'active' } } });

    const customersBefore = st.customers.size;
    const bookingsBefore = st.bookings.size;
    const booked = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        customer: { name: caller.name, phone },
        address: { line1: caller.address.street, city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
      }),
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.status).toBe('confirmed');
    expect(booked.body.customerId).toBe(lookup.body.customer.customerId);
    const job = [...st.jobs.values()].find((j) => j.externalData?.[0]?.value === booked.body.bookingId);
    expect(job).toMatchObject({ customerId: caller.id, locationId: location.id, jobTypeId: 7001, campaignId: 3301, businessUnitId: 12 });
    expect(st.customers.size).toBe(customersBefore);
    expect(st.bookings.size).toBe(bookingsBefore);
  });

  it('Housecall Pro: the job goes on the known customer and address, no customer search or create', async () => {
    const [known] = hcp.seedCustomers(1, { firstPhone: 9_100_000, namePrefix: 'Riley' });
    const tenant = await createTestTenant({ crm: { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 10_000 }, sourceSettings });
    await setCredential(tenant, 'crm', { adapter: 'housecallpro', apiKey: hcp.apiKey });
    expect((await tenant.call('POST', '/v1/crm/sync', {})).status).toBe(202);
    expect((await runSync(tenant)).state).toBe('done');
    const customersBefore = hcp.customers.size;
    const address = known!.addresses[0];
    const booked = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        customer: { name: `${known!.first_name} ${known!.last_name}`, phone: known!.mobile_number },
        address: { line1: address.street, city: 'Austin', region: 'TX', postalCode: '78704', country: 'US' },
      }),
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const job = [...hcp.jobs.values()].find((j) => j.tags?.includes(`jobrelay:${booked.body.bookingId}`));
    expect(job).toMatchObject({ customer_id: known!.id, address_id: address.id });
    expect(hcp.customers.size).toBe(customersBefore);
    expect(hcp.requestsTo('POST', /^\/customers$/).length).toBe(0);
  });
});

describe('ServiceTitan JPM job create after a lost answer', { timeout: 60_000 }, () => {
  it('a job create whose answer is lost is found by its external data on the retry: one job, never two', async () => {
    const [known] = st.seedCustomers(1, { firstPhone: 7_300_000, namePrefix: 'Lost' });
    const location = [...st.locations.values()].find((l) => l.customerId === known!.id)!;
    const adapter = new ServiceTitanCrmAdapter(
      // The lost answer ends in this timeout; long enough that a busy machine's other calls (token) still answer.
      { stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 3_000 },
      st.credentials,
    );
    const write: CrmBookingWrite = {
      tenantId: 't-jpm-lost',
      bookingId: 'b-jpm-lost-1',
      customerId: 'c-jpm-lost-1',
      state: 'booked',
      dealStage: 'Booked',
      fields: { lead_source: 'google_ads', summary: 'No heat' },
      customer: { name: known!.name, phoneE164: '+15127300000', isNew: false },
      address: { line1: known!.address.street, city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
      summary: 'No heat',
      window: { startUtc: '2026-12-02T16:00:00Z', endUtc: '2026-12-02T18:00:00Z', label: '2026-12-02 10:00-12:00' },
      source: { jobType: '7001', campaign: '3301', businessUnit: '12', name: 'google_ads' },
      idempotencyKey: 't-jpm-lost:b-jpm-lost-1:booked',
      crmCustomer: { customerId: String(known!.id), locationId: String(location.id) },
    };
    // A fresh token first (one cached from another contract server would make the create a 401, not a lost answer).
    await adapter.testConnection();
    st.failNext({ lostReply: true }, 1, (req) => req.method === 'POST' && /\/jpm\/v2\/tenant\/\d+\/jobs$/.test(req.path));
    await expect(adapter.writeBooking(write)).rejects.toMatchObject({ name: 'CrmUnavailableError' });
    const ours = () => [...st.jobs.values()].filter((j) => j.externalData?.some((d: { value: string }) => d.value === 'b-jpm-lost-1'));
    expect(ours()).toHaveLength(1);

    const result = await adapter.writeBooking({ ...write, previousCreateAttemptAt: new Date().toISOString() });
    expect(ours()).toHaveLength(1);
    expect(result.externalIds.serviceTitanJobId).toBe(String(ours()[0]!.id));
    // Found by a lookup (customer, external data), then updated with the window: no second create.
    expect(st.requestsTo('GET', /\/jpm\/v2\/tenant\/\d+\/jobs$/).length).toBeGreaterThan(0);
    const creates = st.requestsTo('POST', /\/jpm\/v2\/tenant\/\d+\/jobs$/).filter((r) => r.json?.externalData?.[0]?.value === 'b-jpm-lost-1');
    expect(creates).toHaveLength(1);
  });
});
