/**
 * Waitlist scenes shared by the files that free a booked window (waitlist-unreachable, change-follow-ups).
 */
import { ulid } from 'ulid';
import { expect } from 'vitest';
import { putJobType } from '../../functions/tenant/store';
import { demoJobTypes } from '../../local/demo';
import { bookingRequest, nextWeekday, refusedBooking, settledBooking, type TestTenant } from './helpers';

/**
 * A day with room for one drain job in the whole company, booked at 10:00 by `first`; two later
 * callers for that window are refused and put on the waitlist, `earlier` first.
 */
export async function fullDayWithTwoWaiting(tenant: TestTenant, callers: [{ name: string; phone: string }, { name: string; phone: string }]) {
  // One drain job a day in the whole company: the next callers of the day find it full.
  const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
  await putJobType(tenant.tenantId, { ...drains, dailyCap: 1 });
  const date = nextWeekday(3);
  const window = { date, start: '10:00' };
  const first = await settledBooking(tenant, bookingRequest({ window }), { 'Idempotency-Key': `wl-${ulid()}` });
  expect(first.window, JSON.stringify(first)).toMatchObject({ date, start: '10:00' });

  const leads = [];
  for (const customer of callers) leads.push(await refusedBooking(tenant, bookingRequest({ window, customer })));
  for (const lead of leads) {
    const waitlisted = await tenant.call('POST', `/v1/leads/${lead.leadId}/waitlist`, { note: 'any cancellation this week' });
    expect(waitlisted.status, JSON.stringify(waitlisted.body)).toBe(200);
  }
  return { date, first, earlier: leads[0]!, later: leads[1]! };
}
