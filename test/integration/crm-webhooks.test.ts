/**
 * Incremental read sync by vendor webhooks (issue 17 item 2): the contract servers send signed
 * webhooks to `POST /v1/webhooks/{provider}/crm?tenant=<id>`; each is verified (401 otherwise),
 * answered at once, deduplicated by event, and the changed customers are read again by the
 * crm-read-sync worker (driven here with the local poller) so the next lookup knows them.
 */
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues, queueUrlEnv } from '../../functions/registry';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { HousecallProContract } from '../contract-servers/housecallpro';
import { HubSpotContract } from '../contract-servers/hubspot';
import { callApi, createTestTenant, driveQueueUntil, setCredential, type TestTenant } from './helpers';

const hs = new HubSpotContract();
const hcp = new HousecallProContract();
const readSyncQueue = queues.find((q) => q.name === 'crm-read-sync')!;
const sqs = { queueUrl: () => process.env[queueUrlEnv('crm-read-sync')]! } as unknown as LocalSqs;

beforeAll(async () => {
  await Promise.all([hs.start(), hcp.start()]);
});
afterAll(() => Promise.all([hs.stop(), hcp.stop()]));

const webhookUrl = (provider: string, tenant: TestTenant) => `${inject('apiUrl')}/v1/webhooks/${provider}/crm?tenant=${tenant.tenantId}`;

/** Runs the crm-read-sync worker until the lookup by this phone satisfies `done`. */
function lookupOnceSynced(tenant: TestTenant, phone: string, done: (body: any) => boolean): Promise<any> {
  return driveQueueUntil('crm-read-sync', async () => (await tenant.call('POST', '/v1/customers/lookup', { phone })).body, done, 60_000);
}

describe('HubSpot webhooks (X-HubSpot-Signature-v3)', { timeout: 120_000 }, () => {
  it('a contact change is verified, answered at once, and the contact is read again: the caller is recognised with the new phone and membership', async () => {
    const [, changed] = hs.seedContacts(3, { firstPhone: 8_400_000, namePrefix: 'Hooked' });
    const tenant = await createTestTenant({ crm: { adapter: 'hubspot', ...hs.settings(5_000) } as never });
    await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: hs.token });
    await setCredential(tenant, 'job-events/hubspot', { signingKey: hs.webhookSecret });

    // The contact changes in HubSpot: a new mobile phone and a membership.
    changed!.properties.mobilephone = '+15128499001';
    changed!.properties.jobrelay_membership_status = 'active';
    changed!.properties.jobrelay_membership_plan = 'Gold Plan';
    changed!.updatedAt = new Date().toISOString();
    const sent = await hs.sendWebhook(webhookUrl('hubspot', tenant), [
      { subscriptionType: 'contact.propertyChange', objectId: Number(changed!.id), propertyName: 'mobilephone', propertyValue: '+15128499001' },
      { subscriptionType: 'deal.creation', objectId: 99 },
    ]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ accepted: 1, duplicates: 0, ignored: 1 });

    const lookup = await lookupOnceSynced(tenant, '+15128499001', (body) => body.match === 'matched');
    expect(lookup.customer).toMatchObject({ name: `Hooked Contact${changed!.id}`, membership: { status: 'active', plan: 'Gold Plan' } });
    expect(hs.requestsTo('POST', /\/contacts\/batch\/read$/)).toHaveLength(1);
    expect(hs.requestsTo('POST', /\/contacts\/batch\/read$/)[0]!.json.inputs).toEqual([{ id: changed!.id }]);

    // HubSpot delivers the same events again (at least once): taken once.
    const again = await hs.deliver(webhookUrl('hubspot', tenant), JSON.stringify(sent.events));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, ignored: 1 });
    await pollOnce(sqs, readSyncQueue, 0);
    expect(hs.requestsTo('POST', /\/contacts\/batch\/read$/)).toHaveLength(1);
  });

  it('a wrong signature, a replayed timestamp, another provider or an unknown tenant: the same 401; an unknown provider is a 400 naming it', async () => {
    const tenant = await createTestTenant({ crm: { adapter: 'hubspot', ...hs.settings(5_000) } as never });
    await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: hs.token });
    await setCredential(tenant, 'job-events/hubspot', { signingKey: hs.webhookSecret });
    const event = [{ subscriptionType: 'contact.creation', objectId: 1 }];
    const forged = await hs.sendWebhook(webhookUrl('hubspot', tenant), event, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('unauthorized');
    const replayed = await hs.sendWebhook(webhookUrl('hubspot', tenant), event, { timestampMs: Date.now() - 6 * 60_000 });
    expect(replayed.status).toBe(401);
    // Signed for another URL (another tenant's): refused.
    const other = await createTestTenant();
    const elsewhere = await hs.deliver(webhookUrl('hubspot', tenant), JSON.stringify(event), { signedUrl: webhookUrl('hubspot', other) });
    expect(elsewhere.status).toBe(401);
    const wrongCrm = await hcp.sendWebhook(webhookUrl('housecallpro', tenant), { event: 'customer.updated', customer: { id: 'cus_1' } });
    expect(wrongCrm.status).toBe(401);
    const unknown = await callApi('POST', `/v1/webhooks/zoho/crm?tenant=${tenant.tenantId}`, { body: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('path.provider');
  });
});

describe('Housecall Pro webhooks (Api-Signature, inferred)', { timeout: 120_000 }, () => {
  it('customer.updated is verified and deduplicated; the customer is read again by id', async () => {
    const [customer] = hcp.seedCustomers(1, { firstPhone: 9_400_000, namePrefix: 'Pro' });
    const tenant = await createTestTenant({ crm: { adapter: 'housecallpro', apiUrl: hcp.url, timeoutMs: 5_000 } });
    await setCredential(tenant, 'crm', { adapter: 'housecallpro', apiKey: hcp.apiKey });
    await setCredential(tenant, 'job-events/housecallpro', { signingKey: hcp.webhookSecret });

    const updated = hcp.touchCustomer(customer!.id, { mobile_number: '5129499002', last_name: 'Renamed' });
    const event = { event: 'customer.updated', customer: { ...updated } };
    const sent = await hcp.sendWebhook(webhookUrl('housecallpro', tenant), event);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const lookup = await lookupOnceSynced(tenant, '+15129499002', (body) => body.match === 'matched');
    expect(lookup.customer.name).toBe('Pro Renamed');
    expect(hcp.requestsTo('GET', new RegExp(`^/customers/${customer!.id}$`))).toHaveLength(1);

    const again = await hcp.sendWebhook(webhookUrl('housecallpro', tenant), event);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    const forged = await hcp.sendWebhook(webhookUrl('housecallpro', tenant), event, { secret: 'wrong' });
    expect(forged.status).toBe(401);
  });
});
