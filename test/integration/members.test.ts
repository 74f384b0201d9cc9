/**
 * Members first (issue 15 item 5): a member's booking carries the plan to the technician, the
 * dispatcher and the CRM; the tenant's member reserve keeps some of each technician's daily jobs
 * for members (non-members are never offered them, and cannot book them); a member's completed
 * visit counts against the plan's included visits, once however often the event comes.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { builtinCrmKeys } from '../../functions/crm/adapters/builtin';
import { documentClient } from '../../functions/shared/clients';
import { createTestTenant, nextWeekday, waitForTrail, type TestTenant, waterHeaterRequest } from './helpers';
import { drain, outboxFor, sweepSubjects } from './lifecycle-helpers';

/** Only tech-03 (Tue-Sat, daily limit 4) fixes water heaters in 78744: four windows, one technician. */
const JOB = 'plumbing-water-heater-repair';

const request = waterHeaterRequest;

/** The window starts open that day, in the customer's view when given (undefined while the route is unavailable, e.g. a busy Lambda). */
async function openStarts(tenant: TestTenant, date: string, customerId?: string): Promise<string[] | undefined> {
  const who = customerId ? `&customerId=${customerId}` : '';
  const response = await tenant.call('GET', `/v1/availability?jobTypeId=${JOB}&postalCode=78744&from=${date}&to=${date}${who}`);
  if (response.status !== 200) return undefined;
  return (response.body.windows as Array<{ start: string }>).map((w) => w.start);
}

const eventually = { timeout: 60_000, interval: 1_000 };

/** Books through the API; under load the answer may be 202 (still processing): its status URL then has the outcome. */
async function book(tenant: TestTenant, body: Record<string, unknown>): Promise<{ bookingId: string; customerId: string; status: string }> {
  const booked = await tenant.call('POST', '/v1/bookings', body);
  expect([200, 201, 202, 409], JSON.stringify(booked.body)).toContain(booked.status);
  const bookingId = booked.body.bookingId as string | undefined;
  if (!bookingId) return { bookingId: '', customerId: '', status: booked.body.status ?? booked.body.error?.code };
  let view: Record<string, any> = booked.body;
  await expect
    .poll(
      async () => {
        view = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body ?? {};
        return ['received', undefined].includes(view.status);
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(false);
  return { bookingId, customerId: view.customerId, status: view.status };
}

async function crmFields(tenantId: string, bookingId: string): Promise<Record<string, unknown>> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: builtinCrmKeys.job(tenantId, bookingId), ConsistentRead: true }),
  );
  return (Item?.fields ?? {}) as Record<string, unknown>;
}

describe('members first', { timeout: 400_000 }, () => {
  it('the member reserve is kept for members; their booking carries the plan; a completed visit counts against the plan', async () => {
    const tenant = await createTestTenant({ memberReserve: 1 });
    const date = nextWeekday(3, 4);
    const member = { name: 'Pat Member', phone: '(512) 555-0177', line1: '400 Member Way' };

    // The member's first visit (token 1), then they join the plan.
    const first = await book(tenant, request(member, date, '08:00'));
    expect(first.status).toBe('confirmed');
    const customerId = first.customerId;
    const renewsOn = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
    const joined = await tenant.call('PUT', `/v1/customers/${customerId}/memberships/mem-1`, {
      plan: 'Comfort Club',
      priceCents: 19_900,
      renewsOn,
      includedVisits: 2,
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body).toMatchObject({ plan: 'Comfort Club', includedVisits: 2, visitsUsed: 0 });

    // Two non-members take tokens 2 and 3: with a limit of 4 and one reserved, non-members are full.
    for (const [i, start] of ['10:00', '12:00'].entries()) {
      const other = { name: `Other Caller${i}`, phone: `(512) 555-01${60 + i}`, line1: `${10 + i} Other St` };
      expect((await book(tenant, request(other, date, start))).status).toBe('confirmed');
    }
    await expect.poll(() => openStarts(tenant, date), eventually).toEqual([]);
    await expect.poll(() => openStarts(tenant, date, customerId), eventually).toEqual(['14:00']);
    const refused = await book(tenant, request({ name: 'Late Caller', phone: '(512) 555-0170', line1: '9 Late Ln' }, date, '14:00'));
    expect(refused.status).not.toBe('confirmed');

    // The member gets the reserved job, and the plan travels with it.
    const { bookingId, status } = await book(tenant, request(member, date, '14:00', { allowDuplicate: true, notes: 'Second heater in the garage' }));
    expect(status).toBe('confirmed');
    expect((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body).toMatchObject({ window: { start: '14:00', technicianId: 'tech-03' } });
    expect(await crmFields(tenant.tenantId, bookingId)).toMatchObject({ membership: 'Comfort Club', membership_status: 'active' });

    await waitForTrail(bookingId, 90_000);
    await sweepSubjects(tenant.tenantId, [bookingId], new Date());
    const outbox = await outboxFor(tenant.tenantId, bookingId);
    expect(outbox.find((m) => m.kind === 'technician_job')?.text).toContain('Comfort Club');
    expect(outbox.find((m) => m.kind === 'dispatcher_alert')?.text).toContain('Comfort Club');

    // Completed (sent twice): one visit used of the two included.
    const done = { eventId: 'fsm-member-done', type: 'completed', occurredAt: new Date(Date.now() + 60_000).toISOString() };
    expect((await tenant.call('POST', `/v1/jobs/${bookingId}/events`, done)).status).toBe(202);
    expect((await tenant.call('POST', `/v1/jobs/${bookingId}/events`, done)).status).toBe(202);
    await drain('status-events');
    const memberships = (await tenant.call('GET', `/v1/customers/${customerId}/memberships`)).body.items;
    expect(memberships).toEqual([expect.objectContaining({ membershipId: 'mem-1', includedVisits: 2, visitsUsed: 1 })]);
  });

  it('a non-member booking writes no plan to the CRM', async () => {
    const tenant = await createTestTenant();
    const { bookingId } = await book(tenant, request({ name: 'Nomi Nonmember', phone: '(512) 555-0181', line1: '5 Plain St' }, nextWeekday(4, 4), '10:00'));
    const fields = await crmFields(tenant.tenantId, bookingId);
    expect(fields.membership).toBeUndefined();
    expect(fields.membership_status).toBe('none');
  });
});
