/**
 * Renewals over a simulated 90 days, one explicit clock per day: the daily scan runs twice each day
 * (a re-run must send and charge nothing twice), the day's due messages are swept and sent. Three
 * members: one renews on time, one whose card keeps failing lapses into win-back, one recovers on a
 * payment retry.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createCustomer, emptyProfile, getCustomer } from '../../functions/recognise/store';
import { runRenewals } from '../../functions/renewals/run-day';
import { claimChargeAttempt, getMembership, membershipSubject, putMembership, type Membership } from '../../functions/renewals/store';
import { findOpenReviewItems } from '../../functions/review/store';
import { createTestTenant } from './helpers';
import { chargeAttempts, outboxFor, sweepSubjects } from './lifecycle-helpers';

const START = DateTime.fromISO('2027-01-04T10:00:00', { zone: 'America/Chicago' });
const dayOf = (d: number) => START.plus({ days: d });
const dateOf = (d: number) => dayOf(d).toISODate()!;

async function member(tenantId: string, name: string, phone: string, renewsInDays: number, token: string): Promise<Membership> {
  const customerId = `cust-${name.toLowerCase()}`;
  const at = START.toUTC().toISO()!;
  await createCustomer(
    { tenantId, customerId, name: `${name} Member`, phoneE164: phone, addresses: [], ...emptyProfile(), createdAt: at, updatedAt: at },
    { phone: true, email: false },
  );
  const membership: Membership = {
    tenantId,
    membershipId: `mem-${name.toLowerCase()}`,
    customerId,
    plan: 'Comfort Club',
    priceCents: 18_900,
    termMonths: 12,
    startedOn: dayOf(renewsInDays).minus({ months: 12 }).toISODate()!,
    renewsOn: dateOf(renewsInDays),
    autoRenew: true,
    status: 'active',
    chargeAttempts: 0,
    paymentMethod: { provider: 'local', token },
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await putMembership(membership);
  return membership;
}

describe('renewals', () => {
  it('over 90 days: notices at 60/30/7/0, renewal charge, retries, lapse and win-back, nothing twice', async () => {
    const tenant = await createTestTenant();
    const onTime = await member(tenant.tenantId, 'Avery', '+15125550301', 65, 'tok_ok');
    const lapsing = await member(tenant.tenantId, 'Blake', '+15125550302', 20, 'tok_declined');
    const recovering = await member(tenant.tenantId, 'Casey', '+15125550303', 10, `tok_declined_until_${dateOf(13)}`);
    const subjects = [onTime, lapsing, recovering].map((m) => membershipSubject(m.membershipId, m.renewsOn));

    // kind -> the simulated day it was sent, per member
    const sentOn = new Map<string, Record<string, number>>(subjects.map((s) => [s, {}]));
    for (let day = 0; day <= 90; day++) {
      const at = dayOf(day).toJSDate();
      await runRenewals(at, { tenantIds: [tenant.tenantId] });
      await runRenewals(new Date(at.getTime() + 3_600_000), { tenantIds: [tenant.tenantId] }); // the same day, again
      await sweepSubjects(tenant.tenantId, subjects, new Date(at.getTime() + 3_600_000));
      for (const subject of subjects) {
        for (const message of await outboxFor(tenant.tenantId, subject)) sentOn.get(subject)![message.kind] ??= day;
      }
    }
    const [a, b, c] = subjects.map((s) => sentOn.get(s)!);
    expect(a).toEqual({ renewal_60d: 5, renewal_30d: 35, renewal_7d: 58, renewal_0d: 65, renewal_confirmed: 65 });
    expect(b).toEqual({ renewal_30d: 0, renewal_7d: 13, renewal_0d: 20, renewal_payment_failed: 20, winback_1: 27, winback_2: 41, winback_3: 57 });
    expect(c).toEqual({ renewal_30d: 0, renewal_7d: 3, renewal_0d: 10, renewal_payment_failed: 10, renewal_confirmed: 13 });

    // Every message exactly once, to the member's phone, with the plan and price.
    for (const subject of subjects) {
      const messages = await outboxFor(tenant.tenantId, subject);
      expect(messages.length).toBe(Object.keys(sentOn.get(subject)!).length);
    }
    const notice = (await outboxFor(tenant.tenantId, subjects[0])).find((m) => m.kind === 'renewal_60d')!;
    expect(notice).toMatchObject({ to: '+15125550301' });
    expect(notice.text).toContain('Comfort Club with Lone Star Plumbing & Air renews on');
    expect(notice.text).toContain('$189.00');

    // Charges: once on the day, then retries 1, 3 and 7 days later; never twice for one attempt.
    expect((await chargeAttempts(onTime)).map((x) => x.outcome)).toEqual(['paid']);
    expect((await chargeAttempts(lapsing)).map((x) => x.outcome)).toEqual(['declined', 'declined', 'declined', 'declined']);
    expect((await chargeAttempts(recovering)).map((x) => x.outcome)).toEqual(['declined', 'declined', 'paid']);

    // Where each membership stands, and what recognition shows on the customer.
    expect(await getMembership(tenant.tenantId, onTime.customerId, onTime.membershipId)).toMatchObject({
      status: 'active',
      renewsOn: dayOf(65).plus({ months: 12 }).toISODate(),
    });
    expect(await getMembership(tenant.tenantId, lapsing.customerId, lapsing.membershipId)).toMatchObject({ status: 'lapsed', lapsedOn: dateOf(27) });
    expect(await getMembership(tenant.tenantId, recovering.customerId, recovering.membershipId)).toMatchObject({
      status: 'active',
      renewsOn: dayOf(10).plus({ months: 12 }).toISODate(),
    });
    expect((await getCustomer(tenant.tenantId, lapsing.customerId))!.membership).toMatchObject({ status: 'lapsed', plan: 'Comfort Club' });
    expect((await getCustomer(tenant.tenantId, onTime.customerId))!.membership).toMatchObject({
      status: 'active',
      renewsOn: dayOf(65).plus({ months: 12 }).toISODate(),
    });
  });

  it('memberships through the API: create, change, list; the customer shows its membership', async () => {
    const tenant = await createTestTenant();
    const at = new Date().toISOString();
    await createCustomer(
      {
        tenantId: tenant.tenantId,
        customerId: 'cust-api',
        name: 'Drew Api',
        phoneE164: '+15125550311',
        addresses: [],
        ...emptyProfile(),
        createdAt: at,
        updatedAt: at,
      },
      { phone: true, email: false },
    );
    const path = '/v1/customers/cust-api/memberships';
    const body = { plan: 'Comfort Club', priceCents: 18_900, renewsOn: '2027-06-01', paymentToken: 'tok_ok' };
    expect((await tenant.call('PUT', `${path}/m1`, { ...body, priceCents: -1 })).body.error.field).toBe('priceCents');
    expect((await tenant.call('PUT', '/v1/customers/nobody/memberships/m1', body)).status).toBe(404);
    const created = await tenant.call('PUT', `${path}/m1`, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ membershipId: 'm1', status: 'active', renewsOn: '2027-06-01', termMonths: 12, autoRenew: true });
    expect(created.body.paymentMethod).toBeUndefined();
    const changed = await tenant.call('PUT', `${path}/m1`, { ...body, plan: 'Comfort Club Plus', priceCents: 24_900 });
    expect(changed.status).toBe(200);
    const listed = await tenant.call('GET', path);
    expect(listed.body.items).toEqual([expect.objectContaining({ membershipId: 'm1', plan: 'Comfort Club Plus', priceCents: 24_900 })]);
    expect((await getCustomer(tenant.tenantId, 'cust-api'))!.membership).toMatchObject({ status: 'active', plan: 'Comfort Club Plus', renewsOn: '2027-06-01' });
  });

  it('a charge an earlier run started but never recorded is not charged again blind: a person reviews it', async () => {
    const tenant = await createTestTenant();
    const m = await member(tenant.tenantId, 'Dana', '+15125550304', 0, 'tok_ok');
    await claimChargeAttempt(m, m.renewsOn, 0, dayOf(0).toJSDate()); // the crashed run
    await runRenewals(dayOf(0).toJSDate(), { tenantIds: [tenant.tenantId] });
    expect((await chargeAttempts(m)).map((x) => x.outcome)).toEqual(['pending']);
    expect(await getMembership(tenant.tenantId, m.customerId, m.membershipId)).toMatchObject({ status: 'active', renewsOn: m.renewsOn });
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'membership', id: m.membershipId }, 'workflow_failed');
    expect(items).toHaveLength(1);
    expect(items[0]!.reason).toContain('was started but its outcome was never recorded');
  });
});
