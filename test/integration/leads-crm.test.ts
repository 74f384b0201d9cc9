/**
 * Leads without a booking reach the CRM (issue 15, item 2), on the local system with the HubSpot
 * contract server: a caller who hung up on a hold and a caller triage handed to a person are each
 * written once as a lead (mapping state `lead`, deal stage `Unbooked`) through the same crm-sync
 * outbox as a booking, keyed by the lead: a CRM that is down is retried, one that refuses opens a
 * review item about the lead. A caller known only by phone who books later closes their open leads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { crmSyncWorkOf, ringCrmSync } from '../../functions/crm/outbox-store';
import { sweepHungUpCallers } from '../../functions/leads/hung-up';
import { queues, queueUrlEnv } from '../../functions/registry';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { HubSpotContract } from '../contract-servers/hubspot';
import { bookingRequest, createTestTenant, nextWeekday, setCredential, type TestTenant } from './helpers';

const hs = new HubSpotContract();
const crmSync = queues.find((q) => q.name === 'crm-sync')!;
const crmSyncSqs = { queueUrl: () => process.env[queueUrlEnv('crm-sync')]! } as unknown as LocalSqs;
const SLOW = 240_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A clock past any hold made now (tenant hold minutes are at most 120). */
const afterHolds = () => new Date(Date.now() + 3 * 3_600_000);

beforeAll(() => hs.start());
afterAll(() => hs.stop());

/** Runs the crm-sync worker (as Lambda's event source mapping would) until `done()` holds or the deadline. */
async function driveCrmSync(done: () => boolean | Promise<boolean>, deadlineMs = 150_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('crm-sync did not get there in time');
    if ((await pollOnce(crmSyncSqs, crmSync, 0)) === 0) await sleep(200);
  }
}

/** Runs the crm-sync worker until its queue is empty (nothing visible twice in a row). */
async function drainCrmSync(): Promise<void> {
  let idle = 0;
  while (idle < 2) idle = (await pollOnce(crmSyncSqs, crmSync, 0)) === 0 ? idle + 1 : 0;
}

const dealsOfLead = (leadId: string) => [...hs.deals.values()].filter((d) => d.properties.lead_id === leadId);
const contactsOfPhone = (phoneE164: string) => [...hs.contacts.values()].filter((c) => c.properties.phone === phoneE164);

async function leadsOf(tenant: TestTenant): Promise<Array<Record<string, any>>> {
  const response = await tenant.call('GET', '/v1/leads?limit=200');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items;
}

async function hubspotTenant(): Promise<TestTenant> {
  const tenant = await createTestTenant({ crm: { adapter: 'hubspot', ...hs.settings() } });
  await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: hs.token });
  return tenant;
}

/** A caller who holds a window and hangs up: the sweep, once the hold ran out, makes their lead. */
async function hungUpLead(tenant: TestTenant, name: string, phone: string): Promise<Record<string, any>> {
  const hold = await tenant.call('POST', '/v1/holds', {
    jobTypeId: 'plumbing-drain-clog',
    postalCode: '78701',
    window: { date: nextWeekday(3), start: '08:00' },
    customer: { name, phone },
    address: bookingRequest().address,
    channel: 'voice',
    attribution: { source: 'google_ads', campaign: 'austin-drains-q4' },
    transcript: [{ role: 'customer', text: 'my sink is clogged... let me call you back' }],
  });
  expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  expect(await sweepHungUpCallers(afterHolds(), { tenantId: tenant.tenantId })).toMatchObject({ leads: 1 });
  const [lead] = (await leadsOf(tenant)).filter((l) => l.holdId === hold.body.holdId);
  expect(lead).toMatchObject({ reason: 'hung_up', customerId: expect.any(String) });
  return lead!;
}

/** A request triage cannot place: 400 with the needs_triage item, and the caller kept as a lead. */
async function triageLead(tenant: TestTenant, name: string, phone: string): Promise<Record<string, any>> {
  const { jobTypeId: _omitted, ...withoutJobType } = bookingRequest({
    request: 'I need someone to come look at something',
    transcript: [],
    customer: { name, phone },
    attribution: { source: 'yelp' },
  });
  const response = await tenant.call('POST', '/v1/bookings', withoutJobType);
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  const [lead] = (await leadsOf(tenant)).filter((l) => l.callbackReviewItemId === response.body.reviewItemId);
  expect(lead).toMatchObject({ reason: 'triage_to_person', customerId: expect.any(String) });
  return lead!;
}

describe('a lead without a booking', () => {
  it(
    'of a caller who hung up reaches the CRM once as a lead, after the CRM came back',
    async () => {
      const tenant = await hubspotTenant();
      // The CRM is down for the first write: the outbox keeps it and retries.
      hs.failNext({ status: 503 }, 1, (request) => request.path.includes('/batch/upsert'));
      const lead = await hungUpLead(tenant, 'Hana Gone', '(512) 555-0631');
      const subject = { tenantId: tenant.tenantId, leadId: lead.leadId as string };

      await driveCrmSync(async () => (await crmSyncWorkOf(subject))?.attempts === 1);
      expect(await crmSyncWorkOf(subject)).toMatchObject({ status: 'pending', leadId: lead.leadId, attempts: 1, lastError: expect.any(String) });
      expect(dealsOfLead(lead.leadId)).toEqual([]);
      // The backoff's doorbell, rung now (the worker writes whenever it rings).
      await ringCrmSync({ ...subject, state: 'lead' }, 0);
      await driveCrmSync(() => dealsOfLead(lead.leadId).length > 0);

      const [deal] = dealsOfLead(lead.leadId);
      expect(deal!.properties).toMatchObject({
        dealstage: 'unbooked',
        unbooked_reason: 'hung_up',
        lead_id: lead.leadId,
        customer_name: 'Hana Gone',
        customer_phone: '+15125550631',
        lead_source: 'google_ads',
        campaign: 'austin-drains-q4',
        postal_code: '78701',
      });
      expect(contactsOfPhone('+15125550631')).toEqual([expect.objectContaining({ properties: expect.objectContaining({ firstname: 'Hana' }) })]);
      await expect.poll(async () => (await crmSyncWorkOf(subject))?.status, { timeout: 30_000 }).toBe('done');
      const stored = (await leadsOf(tenant)).find((l) => l.leadId === lead.leadId);
      expect(stored?.crm).toMatchObject({ adapter: 'hubspot', externalIds: { hubspotDealId: deal!.id } });

      // A redelivered doorbell (at-least-once) and another sweep write nothing twice.
      await ringCrmSync({ ...subject, state: 'lead' }, 0);
      expect(await sweepHungUpCallers(afterHolds(), { tenantId: tenant.tenantId })).toMatchObject({ leads: 0 });
      await drainCrmSync();
      expect(dealsOfLead(lead.leadId)).toHaveLength(1);
      expect(contactsOfPhone('+15125550631')).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'of a caller triage handed to a person reaches the CRM once as a lead; a refusal is a review item about the lead',
    async () => {
      const tenant = await hubspotTenant();
      const lead = await triageLead(tenant, 'Tri Age', '(512) 555-0632');
      await driveCrmSync(() => dealsOfLead(lead.leadId).length > 0);
      expect(dealsOfLead(lead.leadId)).toEqual([
        expect.objectContaining({
          properties: expect.objectContaining({
            dealstage: 'unbooked',
            unbooked_reason: 'triage_to_person',
            customer_name: 'Tri Age',
            customer_phone: '+15125550632',
            lead_source: 'yelp',
          }),
        }),
      ]);
      await drainCrmSync();
      expect(dealsOfLead(lead.leadId)).toHaveLength(1);

      // The CRM refuses the next lead (its credentials): a person looks at it at once, named by the lead.
      hs.failNext({ status: 401 }, 1, (request) => request.path.includes('/batch/upsert'));
      const refused = await triageLead(tenant, 'Ref Used', '(512) 555-0633');
      const itemsOf = async () =>
        ((await tenant.call('GET', '/v1/review-items?kind=crm_write_failed&status=open')).body.items as Array<Record<string, any>>).filter(
          (item) => item.subject.type === 'lead' && item.subject.id === refused.leadId,
        );
      await driveCrmSync(async () => (await itemsOf()).length > 0);
      const [item] = await itemsOf();
      expect(item!.redrive).toMatchObject({ type: 'message', queue: 'crm-sync', body: { tenantId: tenant.tenantId, leadId: refused.leadId, state: 'lead' } });
      expect(await crmSyncWorkOf({ tenantId: tenant.tenantId, leadId: refused.leadId })).toMatchObject({ status: 'gave_up' });
      expect(dealsOfLead(refused.leadId)).toEqual([]);
    },
    SLOW,
  );

  it(
    'is the same customer and HubSpot contact when the caller books later, and its deal moves to converted through the outbox',
    async () => {
      const tenant = await hubspotTenant();
      // Two unbooked calls of one caller (the phone written two ways): triage handed each to a person.
      const hungUp = await triageLead(tenant, 'Pho Nely', '(512) 555-0634');
      const triaged = await triageLead(tenant, 'Pho Nely', '512-555-0634');
      // One caller, one customer record: the second lead finds the first one's by phone.
      expect(triaged.customerId).toBe(hungUp.customerId);
      await driveCrmSync(() => dealsOfLead(hungUp.leadId).length > 0 && dealsOfLead(triaged.leadId).length > 0);
      expect(contactsOfPhone('+15125550634')).toHaveLength(1);

      // The deal's first close fails (HubSpot down): the outbox retries it.
      hs.failNext({ status: 503 }, 1, (request) => request.path.includes('/deals/batch/upsert') && JSON.stringify(request.json).includes('booked_booking_id'));
      const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Pho Nely', phone: '+1 512 555 0634' } }), {
        'Idempotency-Key': `leads-crm-${ulid()}`,
      });
      expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
      const bookingId = response.body.bookingId as string;
      await expect
        .poll(async () => (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.status, { timeout: 60_000, interval: 500 })
        .toMatch(/^(confirmed|pending_confirmation)$/);
      // Recognised by phone: the lead's customer, not a new record.
      expect((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.customerId).toBe(hungUp.customerId);

      const served = async () =>
        (await leadsOf(tenant))
          .filter((l) => l.leadId === hungUp.leadId || l.leadId === triaged.leadId)
          .map((l) => `${l.status}:${l.bookedBookingId}`)
          .sort();
      await expect.poll(served, { timeout: 60_000, interval: 500 }).toEqual([`booked:${bookingId}`, `booked:${bookingId}`]);
      // Both lead deals leave the open stages, naming the booking, once (after the 503 was retried).
      const ring = (leadId: string) => ringCrmSync({ tenantId: tenant.tenantId, leadId, state: 'lead_booked' }, 0);
      const converted = () => [hungUp, triaged].every((lead) => dealsOfLead(lead.leadId).every((deal) => deal.properties.dealstage === 'converted'));
      await driveCrmSync(async () => {
        if (converted()) return true;
        await Promise.all([ring(hungUp.leadId), ring(triaged.leadId)]);
        return false;
      });
      for (const lead of [hungUp, triaged]) {
        expect(dealsOfLead(lead.leadId)).toEqual([
          expect.objectContaining({ properties: expect.objectContaining({ dealstage: 'converted', booked_booking_id: bookingId }) }),
        ]);
      }
      await drainCrmSync();
      // One contact for the caller: the booking's deal is on the lead's contact, not a second one.
      expect(contactsOfPhone('+15125550634')).toHaveLength(1);
      const bookingDeal = [...hs.deals.values()].find((d) => d.properties.external_booking_id === bookingId);
      expect(bookingDeal?.properties.dealstage).not.toBe('converted');
    },
    SLOW,
  );

  it(
    'of a caller who gave only a phone closes when that phone books (written another way)',
    async () => {
      const tenant = await hubspotTenant();
      const hold = await tenant.call('POST', '/v1/holds', {
        jobTypeId: 'plumbing-drain-clog',
        postalCode: '78701',
        window: { date: nextWeekday(3), start: '08:00' },
        customer: { phone: '(512) 555-0635' },
        address: bookingRequest().address,
      });
      expect(hold.status, JSON.stringify(hold.body)).toBe(201);
      expect(await sweepHungUpCallers(afterHolds(), { tenantId: tenant.tenantId })).toMatchObject({ leads: 1 });
      const [lead] = (await leadsOf(tenant)).filter((l) => l.holdId === hold.body.holdId);
      expect(lead).toMatchObject({ reason: 'hung_up', phoneE164: '+15125550635' });
      expect(lead!.customerId).toBeUndefined();

      const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Only Phone', phone: '+1 512-555-0635' } }), {
        'Idempotency-Key': `leads-crm-${ulid()}`,
      });
      expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
      await expect.poll(async () => (await leadsOf(tenant)).find((l) => l.leadId === lead!.leadId)?.status, { timeout: 60_000, interval: 500 }).toBe('booked');
    },
    SLOW,
  );
});
