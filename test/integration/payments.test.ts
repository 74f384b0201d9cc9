/**
 * Production is real by default (issue 13): renewals charge through Stripe (a contract server that
 * answers as Stripe's PaymentIntents API does, incl. card_declined and 5xx); in AWS a tenant with
 * no payment, SMS or email provider gets a `setup_required` review item, never a fake charge or a
 * message kept in an outbox (the message side: messages-setup.test.ts). "In AWS" here is this test process without JOBRELAY_STAGE=local, the
 * one setting the local runtime sets (functions/shared/stage.ts).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, emptyProfile } from '../../functions/recognise/store';
import { RENEWALS_LOCAL_HOUR, runRenewals } from '../../functions/renewals/run-day';
import { getMembership, putMembership, type Membership } from '../../functions/renewals/store';
import { findOpenReviewItems } from '../../functions/review/store';
import { demoTenant } from '../../local/demo';
import { StripeContract } from '../contract-servers/stripe';
import { createTestTenant, inAws, setCredential, type TestTenant } from './helpers';
import { chargeAttempts } from './lifecycle-helpers';

const stripe = new StripeContract('sk_test_jobrelay_contract');
beforeAll(async () => {
  await stripe.start();
});
afterAll(async () => {
  await stripe.stop();
});

// 10:00 in Austin on the renewal day.
const DAY = DateTime.fromISO('2027-03-01T10:00:00', { zone: 'America/Chicago' });

async function stripeTenant(): Promise<TestTenant> {
  const tenant = await createTestTenant({ payments: { provider: 'stripe', apiUrl: stripe.url, currency: 'usd', timeoutMs: 2_000 } });
  await setCredential(tenant, 'payments', { provider: 'stripe', secretKey: stripe.secretKey });
  return tenant;
}

async function member(tenantId: string, name: string, paymentMethod: Membership['paymentMethod']): Promise<Membership> {
  const customerId = `cust-${name.toLowerCase()}`;
  const at = DAY.toUTC().toISO()!;
  await createCustomer(
    { tenantId, customerId, name: `${name} Member`, phoneE164: '+15125550350', addresses: [], ...emptyProfile(), createdAt: at, updatedAt: at },
    { phone: true, email: false },
  );
  const membership: Membership = {
    tenantId,
    membershipId: `mem-${name.toLowerCase()}`,
    customerId,
    plan: 'Comfort Club',
    priceCents: 18_900,
    termMonths: 12,
    startedOn: DAY.minus({ months: 12 }).toISODate()!,
    renewsOn: DAY.toISODate()!,
    autoRenew: true,
    status: 'active',
    chargeAttempts: 0,
    paymentMethod,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await putMembership(membership);
  return membership;
}

const intentsOf = (m: Membership) => stripe.paymentIntents.filter((p) => p.metadata.membership === m.membershipId);

describe('renewals through Stripe', () => {
  it('charges the saved card off session with an idempotency key, once however often the scan runs', async () => {
    const tenant = await stripeTenant();
    const m = await member(tenant.tenantId, 'Stripe', { provider: 'stripe', token: 'pm_card_visa', customerRef: 'cus_smoke123' });
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    await inAws(() => runRenewals(DAY.plus({ hours: 1 }).toJSDate(), { tenantIds: [tenant.tenantId] }));

    expect(intentsOf(m)).toEqual([
      expect.objectContaining({ amount: 18_900, currency: 'usd', customer: 'cus_smoke123', payment_method: 'pm_card_visa', status: 'succeeded' }),
    ]);
    const [request] = stripe.requestsTo('POST', /^\/v1\/payment_intents$/).filter((r) => r.body.includes(m.membershipId));
    expect(request!.headers['idempotency-key']).toBe(`${tenant.tenantId}:${m.membershipId}:${m.renewsOn}:0`);
    expect(new URLSearchParams(request!.body).get('off_session')).toBe('true');
    // No name, phone or address reaches the processor.
    expect(request!.body).not.toContain('Member');
    expect(request!.body).not.toContain('5125550350');

    const [attempt] = await chargeAttempts(m);
    expect(attempt).toMatchObject({ outcome: 'paid', chargeId: intentsOf(m)[0]!.id });
    expect(await getMembership(tenant.tenantId, m.customerId, m.membershipId)).toMatchObject({
      status: 'active',
      renewsOn: DAY.plus({ months: 12 }).toISODate(),
      lastChargeId: intentsOf(m)[0]!.id,
    });
  });

  it('a declined card (402 card_declined) is a decline with its reason: past due, retried on the cadence', async () => {
    const tenant = await stripeTenant();
    const m = await member(tenant.tenantId, 'Declined', { provider: 'stripe', token: 'pm_card_chargeDeclinedInsufficientFunds', customerRef: 'cus_declined1' });
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    expect((await chargeAttempts(m)).map((a) => [a.outcome, a.reason])).toEqual([['declined', 'insufficient_funds']]);
    expect(await getMembership(tenant.tenantId, m.customerId, m.membershipId)).toMatchObject({ status: 'past_due', chargeAttempts: 1 });
  });

  it('a 5xx is retried with the same idempotency key: one charge, not two', async () => {
    const tenant = await stripeTenant();
    const m = await member(tenant.tenantId, 'Flaky', { provider: 'stripe', token: 'pm_card_visa', customerRef: 'cus_flaky1' });
    stripe.failNext({ status: 500 }, 1, (r) => r.body.includes(m.membershipId));
    // The processor did the work but the answer was lost: the retry with the same key replays it.
    stripe.failNext({ lostReply: true }, 1, (r) => r.body.includes(m.membershipId));
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    const requests = stripe.requestsTo('POST', /^\/v1\/payment_intents$/).filter((r) => r.body.includes(m.membershipId));
    expect(requests.map((r) => r.answered)).toEqual([500, 'timeout', 200]);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(intentsOf(m).filter((p) => p.status === 'succeeded')).toHaveLength(1);
    expect((await chargeAttempts(m)).map((a) => a.outcome)).toEqual(['paid']);
  });

  it('an outage leaves the attempt for a person, never charges blind on a later run', async () => {
    const tenant = await stripeTenant();
    const m = await member(tenant.tenantId, 'Outage', { provider: 'stripe', token: 'pm_card_visa', customerRef: 'cus_outage1' });
    stripe.failNext({ status: 503 }, 3, (r) => r.body.includes(m.membershipId));
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    await inAws(() => runRenewals(DAY.plus({ hours: 1 }).toJSDate(), { tenantIds: [tenant.tenantId] }));
    expect(intentsOf(m)).toEqual([]);
    expect((await chargeAttempts(m)).map((a) => a.outcome)).toEqual(['pending']);
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'membership', id: m.membershipId }, 'workflow_failed');
    expect(items).toHaveLength(1);
  });
});

describe('the hourly scan renews each tenant at 09:00 its time', () => {
  it("takes a tenant only in its 9 o'clock hour", async () => {
    const tenant = await createTestTenant(); // America/Chicago, local payments (local runtime)
    const m = await member(tenant.tenantId, 'Hourly', { provider: 'local', token: 'tok_ok' });
    const eightAm = DAY.set({ hour: 8, minute: 0 }).toJSDate();
    const nineAm = DAY.set({ hour: RENEWALS_LOCAL_HOUR, minute: 0 }).toJSDate();
    expect((await runRenewals(eightAm, { tenantIds: [tenant.tenantId], localHour: RENEWALS_LOCAL_HOUR })).memberships).toBe(0);
    expect(await chargeAttempts(m)).toEqual([]);
    expect((await runRenewals(nineAm, { tenantIds: [tenant.tenantId], localHour: RENEWALS_LOCAL_HOUR })).renewed).toBe(1);
    // 09:00 in Austin is 15:00 UTC in March: a tenant in another zone would not be taken then.
    expect(DateTime.fromJSDate(nineAm).toUTC().hour).toBe(15);
  });
});

describe('in AWS, a provider the tenant has not set up is a setup item, not a fake', () => {
  it('renewals: no payment provider set -> nothing claimed or charged, one setup_required item however often it runs', async () => {
    const tenant = await createTestTenant();
    const m = await member(tenant.tenantId, 'Unset', { provider: 'none', token: 'pm_card_visa', customerRef: 'cus_unset1' });
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    await inAws(() => runRenewals(DAY.plus({ hours: 1 }).toJSDate(), { tenantIds: [tenant.tenantId] }));
    expect(await chargeAttempts(m)).toEqual([]);
    expect(await getMembership(tenant.tenantId, m.customerId, m.membershipId)).toMatchObject({ status: 'active', renewsOn: m.renewsOn });
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'setup', id: 'payments' }, 'setup_required');
    expect(items).toHaveLength(1);
    expect(items[0]!.reason).toContain('PUT /v1/config/credentials/payments');
  });

  it('renewals: Stripe chosen but its secret key never set -> setup_required, nothing charged', async () => {
    const tenant = await createTestTenant({ payments: { provider: 'stripe', apiUrl: stripe.url, currency: 'usd', timeoutMs: 2_000 } });
    const m = await member(tenant.tenantId, 'NoKey', { provider: 'stripe', token: 'pm_card_visa', customerRef: 'cus_nokey1' });
    await inAws(() => runRenewals(DAY.toJSDate(), { tenantIds: [tenant.tenantId] }));
    expect(intentsOf(m)).toEqual([]);
    expect(await findOpenReviewItems(tenant.tenantId, { type: 'setup', id: 'payments' }, 'setup_required')).toHaveLength(1);
  });

  it('GET /v1/config/company: locally no warnings (outbox and local payments are the defaults); the same tenant in AWS has three', async () => {
    const tenant = await createTestTenant();
    const company = await tenant.call('GET', '/v1/config/company');
    expect(company.status).toBe(200);
    expect(company.body.warnings).toEqual([]);
    const { setupWarnings } = await import('../../functions/tenant/setup');
    expect(setupWarnings(demoTenant(tenant.tenantId), false).map((w) => w.field)).toEqual(['messaging.sms', 'messaging.email', 'payments']);
    // Explicit per tenant: a tenant that chose the outbox and local payments keeps them in AWS too.
    const explicit = {
      ...demoTenant(tenant.tenantId),
      messaging: { sms: { provider: 'outbox' as const }, email: { provider: 'outbox' as const }, templates: {} },
      payments: { provider: 'local' as const },
    };
    expect(setupWarnings(explicit, false)).toEqual([]);
  });
});
