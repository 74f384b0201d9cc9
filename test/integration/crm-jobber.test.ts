/**
 * Jobber (issue 17 item 4) against its contract server: the adapter's writes (client found by phone
 * before one is made, property, job with the visit in the window, instructions with the field
 * notes, a lead as a Jobber request), its token rotation on 401, Jobber's cost throttling, 5xx and
 * timeouts; then the whole path through the API: connect (settings, credentials, test, options,
 * mapping), backfill, a caller known only to Jobber recognised and booked on Jobber's client, and
 * Jobber's signed webhooks (good, bad, re-sent).
 */
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmBookingWrite } from '../../functions/crm/adapter';
import { JobberCrmAdapter } from '../../functions/crm/adapters/jobber';
import { readJobberTokens } from '../../functions/crm/adapters/jobber-token-store';
import { findOpenReviewItems } from '../../functions/review/store';
import { CrmRejectedError, CrmUnavailableError } from '../../functions/shared/errors';
import { JobberContract } from '../contract-servers/jobber';
import { bookingRequest, createTestTenant, driveQueueUntil, readSyncUntil, type TestTenant } from './helpers';

const jobber = new JobberContract();

beforeAll(async () => {
  await jobber.start();
});
afterAll(() => jobber.stop());

let counter = 0;
function write(overrides: Partial<CrmBookingWrite> = {}): CrmBookingWrite {
  counter++;
  return {
    tenantId: 't-jobber-contract',
    bookingId: `b-jobber-${counter}`,
    customerId: `c-${counter}`,
    state: 'booked',
    dealStage: 'Booked',
    fields: { job_type: 'Drain clog', summary: 'Clogged drain', access_notes: 'Gate code 4412', customer_notes: 'Dog in the yard', membership: 'Comfort Club' },
    customer: { name: 'Jordan Rivera', phoneE164: `+1512777${String(1000 + counter).slice(-4)}`, email: `c${counter}@example.com`, isNew: true },
    address: { line1: '1100 Congress Ave', line2: 'Apt 4B', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
    summary: 'Clogged drain',
    window: { startUtc: '2026-12-02T16:00:00Z', endUtc: '2026-12-02T18:00:00Z', label: '2026-12-02 10:00-12:00' },
    source: { jobType: jobber.productOrServices[0]!.id, technician: jobber.users[0]!.id, name: 'google_ads' },
    urgency: 'routine',
    transcriptNote: 'customer: my sink is clogged',
    idempotencyKey: `t:b-${counter}:booked`,
    ...overrides,
  };
}

/** An adapter of its own tenant id (its token rotation state is that tenant's item). */
function adapter(server = jobber, timeoutMs = 2_000): JobberCrmAdapter {
  return new JobberCrmAdapter(
    `t-jobber-${Date.now().toString(36)}-${counter++}`,
    { apiUrl: server.url, apiVersion: '2025-04-16', timeoutMs },
    {
      ...server.credentials,
      refreshToken: server.currentRefreshToken,
    },
  );
}

describe('Jobber adapter (GraphQL, OAuth2 refresh-token rotation)', () => {
  it('a booking: client, property and a job with its visit in the window, instructions with the field notes, line item, technician and transcript note', async () => {
    const result = await adapter().writeBooking(write({ urgency: 'emergency' }));
    const job = jobber.jobs.get(result.externalIds.jobberJobId!)!;
    const client = jobber.clients.get(result.externalIds.jobberClientId!)!;
    expect(client).toMatchObject({ firstName: 'Jordan', lastName: 'Rivera', phones: [{ primary: true, description: 'MOBILE' }] });
    expect(jobber.properties.get(result.externalIds.jobberPropertyId!)!.address).toMatchObject({
      street1: '1100 Congress Ave',
      street2: 'Apt 4B',
      city: 'Austin',
      province: 'TX',
      postalCode: '78701',
    });
    expect(job).toMatchObject({
      propertyId: result.externalIds.jobberPropertyId,
      title: 'EMERGENCY: Drain clog',
      invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' },
      scheduling: { createVisits: true, assignedTo: [jobber.users[0]!.id] },
      lineItems: [{ productOrServiceId: jobber.productOrServices[0]!.id, quantity: 1 }],
      visitList: [{ startAt: '2026-12-02T16:00:00Z', endAt: '2026-12-02T18:00:00Z' }],
    });
    expect(job.instructions).toContain('Access: Gate code 4412');
    expect(job.instructions).toContain('Customer notes: Dog in the yard');
    expect(job.instructions).toContain('Member: Comfort Club');
    expect(job.notes[0].message).toContain('customer: my sink is clogged');
    expect(result.externalIds.jobberVisitId).toBe(job.visitList[0].id);
    // Every GraphQL call carried the bearer token and the pinned schema version; the secret went only to the token endpoint.
    for (const call of jobber.requestsTo('POST', /^\/api\/graphql$/)) {
      expect(call.headers['x-jobber-graphql-version']).toBe('2025-04-16');
      expect(call.headers.authorization).toMatch(/^Bearer at-/);
      expect(call.body).not.toContain(jobber.credentials.clientSecret);
    }
  });

  it('finds the client by phone: a second booking of the same caller and address makes no second client or property', async () => {
    const first = write();
    const one = await adapter().writeBooking(first);
    const clients = jobber.clients.size;
    const properties = jobber.properties.size;
    const two = await adapter().writeBooking(write({ customer: first.customer, address: first.address }));
    expect(two.externalIds.jobberClientId).toBe(one.externalIds.jobberClientId);
    expect(two.externalIds.jobberPropertyId).toBe(one.externalIds.jobberPropertyId);
    expect(two.externalIds.jobberJobId).not.toBe(one.externalIds.jobberJobId);
    expect(jobber.clients.size).toBe(clients);
    expect(jobber.properties.size).toBe(properties);
  });

  it('a lead (no window) is a Jobber request on the client and property, not a job', async () => {
    const jobs = jobber.jobs.size;
    const result = await adapter().writeBooking(write({ state: 'lead', window: undefined }));
    expect(jobber.requestsMade.get(result.externalIds.jobberRequestId!)).toMatchObject({
      clientId: result.externalIds.jobberClientId,
      propertyId: result.externalIds.jobberPropertyId,
    });
    expect(jobber.jobs.size).toBe(jobs);
  });

  it('a rescheduled booking moves its visit; a job create whose answer was lost is found again, never made twice', async () => {
    const crm = adapter();
    const first = write();
    const made = await crm.writeBooking(first);
    const moved = { startUtc: '2026-12-03T16:00:00Z', endUtc: '2026-12-03T18:00:00Z', label: '2026-12-03 10:00-12:00' };
    await crm.writeBooking({ ...first, window: moved, existingExternalIds: made.externalIds });
    expect(jobber.jobs.get(made.externalIds.jobberJobId!)!.visitList[0]).toMatchObject({ startAt: moved.startUtc, endAt: moved.endUtc });

    const lost = write();
    jobber.failNext({ lostReply: true }, 1, (r) => String(r.json?.query).includes('jobCreate'));
    await expect(crm.writeBooking(lost)).rejects.toBeInstanceOf(CrmUnavailableError);
    const jobs = jobber.jobs.size;
    const retried = await crm.writeBooking({ ...lost, previousCreateAttemptAt: new Date().toISOString() });
    expect(jobber.jobs.size).toBe(jobs);
    expect(jobber.jobs.get(retried.externalIds.jobberJobId!)!.instructions).toContain(`JobRelay booking ${lost.bookingId}`);
  });

  it('a cancelled booking closes its Jobber job (its visit goes off the calendar, the reason is a note); a retried cancel changes nothing; a booking Jobber never had makes nothing', async () => {
    const crm = adapter();
    const first = write();
    const made = await crm.writeBooking(first);
    const cancel: CrmBookingWrite = {
      ...first,
      state: 'cancelled',
      dealStage: 'Closed Lost',
      fields: { cancel_reason: 'Customer fixed it themselves' },
      existingExternalIds: made.externalIds,
    };
    await crm.writeBooking(cancel);
    const job = jobber.jobs.get(made.externalIds.jobberJobId!)!;
    expect(job).toMatchObject({ closed: true, visitList: [] });
    const cancelNotes = () => job.notes.filter((n: { message: string }) => n.message.includes('Customer fixed it themselves'));
    expect(cancelNotes()).toHaveLength(1);
    // The outbox or a redrive writes it again: the job is already closed, nothing more is done (no error either).
    await crm.writeBooking(cancel);
    expect(cancelNotes()).toHaveLength(1);

    const [clients, jobs] = [jobber.clients.size, jobber.jobs.size];
    await crm.writeBooking({ ...write(), state: 'cancelled', dealStage: 'Closed Lost', fields: { cancel_reason: 'Never mind' } });
    expect([jobber.clients.size, jobber.jobs.size]).toEqual([clients, jobs]);
  });

  it('401: one refresh (the rotated refresh token is kept for the next one), then success; a dead refresh token is a refusal', async () => {
    const tenantId = `t-jobber-rot-${counter++}`;
    const settings = { apiUrl: jobber.url, apiVersion: '2025-04-16', timeoutMs: 2_000 };
    const owner = { ...jobber.credentials, refreshToken: jobber.currentRefreshToken };
    const crm = new JobberCrmAdapter(tenantId, settings, owner);
    await crm.writeBooking(write());
    const stored = await readJobberTokens(tenantId);
    expect(stored).toMatchObject({ version: 1, refreshToken: jobber.currentRefreshToken });
    const refreshes = () => jobber.requestsTo('POST', /oauth\/token$/).length;
    const before = refreshes();
    jobber.revokeAccessTokens();
    await crm.writeBooking(write());
    expect(refreshes()).toBe(before + 1);
    // Rotated again and stored: the owner's original refresh token is dead at Jobber, the stored one works.
    expect(await readJobberTokens(tenantId)).toMatchObject({ version: 2, refreshToken: jobber.currentRefreshToken });
    // A new adapter (another Lambda) for the same credential uses the stored tokens, not the dead original.
    jobber.revokeAccessTokens();
    await new JobberCrmAdapter(tenantId, settings, owner).writeBooking(write());

    // Credentials Jobber no longer takes (another tenant whose refresh token was used up elsewhere).
    const dead = new JobberCrmAdapter(`t-jobber-dead-${counter++}`, settings, { ...jobber.credentials, refreshToken: 'rt-used-up' });
    await expect(dead.writeBooking(write())).rejects.toBeInstanceOf(CrmRejectedError);
  });

  it('a rotation cut by a crash (Jobber answered, the new token never stored): one setup_required item "Reconnect Jobber in Settings", no refresh until reconnected, resolved by reconnecting', async () => {
    const tenantId = `t-jobber-cut-${counter++}`;
    const settings = { apiUrl: jobber.url, apiVersion: '2025-04-16', timeoutMs: 2_000 };
    const owner = { ...jobber.credentials, refreshToken: jobber.currentRefreshToken };
    const crm = new JobberCrmAdapter(tenantId, settings, owner);
    await crm.writeBooking(write());
    const stored = await readJobberTokens(tenantId);
    // The cut: a process refreshed with the stored token, Jobber rotated it, and the process died before storing the answer.
    const cut = await fetch(`${jobber.url}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: owner.clientId,
        client_secret: owner.clientSecret,
        refresh_token: stored!.refreshToken,
      }),
    });
    expect(cut.status).toBe(200);
    jobber.revokeAccessTokens();
    const connection = { type: 'crm', id: 'jobber' };
    await expect(crm.writeBooking(write())).rejects.toThrow(/reconnect Jobber in Settings/);
    const [item, ...more] = await findOpenReviewItems(tenantId, connection, 'setup_required');
    expect(more).toEqual([]);
    expect(item?.reason).toMatch(/Jobber.*Reconnect Jobber in Settings/);

    // Stopped until reconnected: this function and another make no refresh (it would be refused) and no second item.
    const refreshes = () => jobber.requestsTo('POST', /oauth\/token$/).length;
    const before = refreshes();
    await expect(crm.writeBooking(write())).rejects.toBeInstanceOf(CrmRejectedError);
    await expect(new JobberCrmAdapter(tenantId, settings, owner).writeBooking(write())).rejects.toBeInstanceOf(CrmRejectedError);
    expect(refreshes()).toBe(before);
    expect(await findOpenReviewItems(tenantId, connection, 'setup_required')).toHaveLength(1);

    // A refused client secret is not a dead token: no item, and the token is not marked.
    const wrongSecret = `t-jobber-secret-${counter++}`;
    await expect(new JobberCrmAdapter(wrongSecret, settings, { ...owner, clientSecret: 'wrong' }).writeBooking(write())).rejects.toBeInstanceOf(
      CrmRejectedError,
    );
    expect(await findOpenReviewItems(wrongSecret, connection, 'setup_required')).toEqual([]);
    expect((await readJobberTokens(wrongSecret))?.refusedAt).toBeUndefined();

    // The owner reconnects (a new install's refresh token): writes go through and the item is resolved.
    await new JobberCrmAdapter(tenantId, settings, { ...owner, refreshToken: jobber.currentRefreshToken }).writeBooking(write());
    expect(await findOpenReviewItems(tenantId, connection, 'setup_required')).toEqual([]);
  });

  it('THROTTLED (cost limit): a short wait is taken in place; a long one is CrmUnavailableError with the seconds until the bucket holds the query', async () => {
    const crm = adapter();
    await crm.testConnection();
    jobber.throttleNext(1, 800, 1_000); // 200 points short at 500/s: 1 s
    const result = await crm.writeBooking(write());
    expect(result.externalIds.jobberJobId).toBeDefined();
    expect(jobber.requestsTo('POST', /^\/api\/graphql$/).some((r) => r.answered === 200)).toBe(true);

    jobber.throttleNext(1, 0, 5_000); // 10 s to refill
    const error = await crm.writeBooking(write()).catch((e) => e);
    expect(error).toBeInstanceOf(CrmUnavailableError);
    expect(error.retryAfterSeconds).toBe(10);
    expect(error.message).toContain('throttled');
  });

  it('5xx, 429 and no answer are CrmUnavailableError (retry later); a refused mutation names userErrors', async () => {
    const crm = adapter(jobber, 1_500);
    await crm.testConnection();
    jobber.failNext({ status: 503 }, 1, (r) => r.path === '/api/graphql');
    await expect(crm.writeBooking(write())).rejects.toBeInstanceOf(CrmUnavailableError);
    jobber.failNext({ status: 429, retryAfter: '7' }, 1, (r) => r.path === '/api/graphql');
    await expect(crm.writeBooking(write())).rejects.toMatchObject({ retryAfterSeconds: 7 });
    jobber.failNext({ timeout: true }, 1, (r) => r.path === '/api/graphql');
    await expect(crm.writeBooking(write())).rejects.toThrow(/no answer within 1500 ms/);
    const refused = await crm.writeBooking(write({ customer: { name: '', phoneE164: '+15127779999', isNew: true } })).catch((e) => e);
    expect(refused).toBeInstanceOf(CrmRejectedError);
    expect(refused.message).toContain('A client needs a name');
  });
});

describe('Jobber through the API', { timeout: 180_000 }, () => {
  let tenant: TestTenant;
  let known: Record<string, any>;

  beforeAll(async () => {
    [known] = jobber.seedClients(1, { firstPhone: 6_100_000, namePrefix: 'Morgan' });
    jobber.seedClients(60, { firstPhone: 6_200_000 });
    tenant = await createTestTenant();
  });

  it('connect: settings, credentials, test, options and the mapping picked from them', async () => {
    expect((await tenant.call('PUT', '/v1/config/crm', { adapter: 'jobber', apiUrl: jobber.url, timeoutMs: 5_000 })).status).toBe(200);
    const credential = await tenant.call('PUT', '/v1/config/crm/credentials', {
      adapter: 'jobber',
      ...jobber.credentials,
      refreshToken: jobber.currentRefreshToken,
    });
    expect(credential.status, JSON.stringify(credential.body)).toBe(200);
    expect(JSON.stringify(credential.body)).not.toContain(jobber.credentials.clientSecret);
    const test = await tenant.call('POST', '/v1/config/crm/test');
    expect(test.body).toMatchObject({ adapter: 'jobber', ok: true, auth: 'ok', visible: { accountId: jobber.account.id, accountName: jobber.account.name } });
    const options = await tenant.call('GET', '/v1/config/crm/options');
    expect(options.body).toMatchObject({
      adapter: 'jobber',
      jobTypes: jobber.productOrServices,
      technicians: [{ id: jobber.users[0]!.id, name: 'Dana Tech' }],
    });
    const mapped = await tenant.call('PUT', '/v1/config/crm-mapping', { ids: { jobTypes: { 'plumbing-drain-clog': jobber.productOrServices[0]!.id } } });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
  });

  it('backfill, then a caller known only to Jobber is recognised and booked on its Jobber client and property (no new client)', async () => {
    // The first page meets an empty cost bucket (10 s to refill): the page waits that long, then goes on.
    jobber.throttleNext(1, 0, 5_000);
    expect((await tenant.call('POST', '/v1/crm/sync', { mode: 'backfill' })).status).toBe(202);
    const status = await readSyncUntil(tenant);
    expect(status).toMatchObject({ state: 'done', adapter: 'jobber', customers: jobber.clients.size, throttled: 1, retries: 0 });
    expect(status.pages).toBeGreaterThan(1); // pages of 50 clients, cursor `endCursor`

    const phone = '+15126100000';
    const lookup = await tenant.call('POST', '/v1/customers/lookup', { phone });
    expect(lookup.body).toMatchObject({ match: 'matched', customer: { name: known.name } });

    const clients = jobber.clients.size;
    const property = jobber.properties.get(known.propertyIds[0])!;
    const booked = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        customer: { name: known.name, phone },
        address: { line1: property.address.street1, city: 'Austin', region: 'TX', postalCode: '78702', country: 'US' },
      }),
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.customerId).toBe(lookup.body.customer.customerId);
    expect(booked.body.crm).toMatchObject({ adapter: 'jobber', externalIds: { jobberClientId: known.id, jobberPropertyId: property.id } });
    const job = jobber.jobs.get(booked.body.crm.externalIds.jobberJobId)!;
    expect(job).toMatchObject({ propertyId: property.id, lineItems: [{ productOrServiceId: jobber.productOrServices[0]!.id }] });
    expect(jobber.clients.size).toBe(clients);
  });

  it('webhooks: a signed CLIENT_UPDATE is taken and the client read again; a bad signature is 401; a re-sent one is a duplicate', async () => {
    const url = `${inject('apiUrl')}/v1/webhooks/jobber?tenant=${tenant.tenantId}`;
    // In Jobber, the client gets a second property (a rental they own).
    jobber.addProperty(jobber.updateClient(known.id, {}), { street1: '77 Lakeview Dr', city: 'Austin', province: 'TX', postalCode: '78703' });
    const hook = jobber.webhook('CLIENT_UPDATE', known.id);

    const forged = await jobber.sendWebhook(url, {
      body: hook.body,
      signature: jobber.webhook('CLIENT_UPDATE', known.id, undefined, 'not-the-secret').signature,
    });
    expect(forged.status).toBe(401);
    const tampered = await jobber.sendWebhook(url, { body: hook.body.replace('CLIENT_UPDATE', 'CLIENT_CREATE'), signature: hook.signature });
    expect(tampered.status).toBe(401);

    const sent = await jobber.sendWebhook(url, hook);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const again = await jobber.sendWebhook(url, hook);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    const other = await jobber.sendWebhook(url, jobber.webhook('INVOICE_CREATE', 'SW52b2ljZTox'));
    expect(other.body).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    // The same app installed on another Jobber account signs its webhooks with the same secret: not this tenant's, ignored.
    const otherAccount = await jobber.sendWebhook(url, jobber.webhook('CLIENT_UPDATE', known.id, undefined, undefined, 'QWNjb3VudDo5OTk='));
    expect(otherAccount.status, JSON.stringify(otherAccount.body)).toBe(200);
    expect(otherAccount.body).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });

    // The worker reads the client again: the caller's new service address is known before the first question.
    await driveQueueUntil(
      'crm-read-sync',
      async () =>
        ((await tenant.call('POST', '/v1/customers/lookup', { phone: '+15126100000' })).body.customer?.locations ?? []).map((l: { line1: string }) => l.line1),
      (lines) => lines.includes('77 Lakeview Dr'),
      60_000,
    );
    const reads = jobber
      .requestsTo('POST', /^\/api\/graphql$/)
      .filter((r) => String(r.json?.query).includes('JobRelayClient(') && r.json?.variables?.id === known.id);
    expect(reads).toHaveLength(1);
  });
});
