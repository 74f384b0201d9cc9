/**
 * Issue 21: a job at a daily limit can still be moved to another window of its own day. It already
 * holds one of the day's tokens (its technician's daily job limit, its job type's daily cap), and
 * the move hands that token from the old hold to the new one in the transaction that commits the
 * new window, so the day's count does not change. Another job for that day is still refused.
 */
import { describe, expect, it } from 'vitest';
import { putJobType } from '../../functions/tenant/store';
import { demoJobTypes } from '../../local/demo';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, storedClaims, type TestTenant } from './helpers';

/** A drain job on `date` in the window starting `start` (its own caller), on `technicianId` when given. */
function book(tenant: TestTenant, date: string, start: string, phone: string, technicianId?: string) {
  const base = bookingRequest();
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } }, technicianId);
}

describe('POST /v1/bookings/{id}/reschedule at a daily limit', () => {
  it("moves a job to another window of its technician's full day; the day still counts two jobs and takes no third", async () => {
    const tenant = await createTestTenant({ defaultDailyJobLimit: 2 });
    const date = nextWeekday(2, 3); // a Tuesday: tech-01 works
    await book(tenant, date, '08:00', '(512) 555-0231', 'tech-01');
    const second = await book(tenant, date, '10:00', '(512) 555-0232', 'tech-01');
    const dayTokens = async () => (await storedClaims(tenant.tenantId)).filter((c) => c.kind === 'techDay' && c.technicianId === 'tech-01' && c.date === date);
    const before = (await dayTokens()).find((t) => t.bookingId === second.bookingId);
    expect(before).toBeDefined();

    const moved = await tenant.call('POST', `/v1/bookings/${second.bookingId}/reschedule`, {
      window: { date, start: '14:00' },
      technicianId: 'tech-01',
      reason: 'the customer is home in the afternoon',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '14:00', technicianId: 'tech-01' });
    const tokens = await dayTokens();
    expect(tokens).toHaveLength(2);
    // The moved job's token is the one it had (same index), now its new hold's: handed over, not claimed again.
    const mine = tokens.find((t) => t.bookingId === second.bookingId);
    expect(mine).toMatchObject({ index: before!.index, status: 'BOOKED' });
    expect(mine!.holdId).not.toBe(before!.holdId);

    // Still full: another job of that day cannot be moved to tech-01.
    const other = await book(tenant, date, '12:00', '(512) 555-0233');
    expect(other.window.technicianId).not.toBe('tech-01');
    const refused = await tenant.call('POST', `/v1/bookings/${other.bookingId}/reschedule`, { technicianId: 'tech-01' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    // And the moved job can move again within the day (its token goes with it each time).
    const back = await tenant.call('POST', `/v1/bookings/${second.bookingId}/reschedule`, { window: { date, start: '10:00' }, technicianId: 'tech-01' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.window).toMatchObject({ date, start: '10:00', technicianId: 'tech-01' });
    expect(await dayTokens()).toHaveLength(2);
  }, 300_000);

  it("moves a job to another window of a day its job type's daily cap has filled; the day takes no third job of that type", async () => {
    const tenant = await createTestTenant();
    const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
    await putJobType(tenant.tenantId, { ...drains, dailyCap: 2 });
    const date = nextWeekday(3, 3);
    await book(tenant, date, '08:00', '(512) 555-0241');
    const second = await book(tenant, date, '10:00', '(512) 555-0242');
    const capTokens = async () =>
      (await storedClaims(tenant.tenantId)).filter((c) => c.kind === 'jobTypeDay' && c.jobTypeId === 'plumbing-drain-clog' && c.date === date);
    expect(await capTokens()).toHaveLength(2);

    const moved = await tenant.call('POST', `/v1/bookings/${second.bookingId}/reschedule`, {
      window: { date, start: '14:00' },
      reason: 'the customer is home in the afternoon',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '14:00' });
    const tokens = await capTokens();
    expect(tokens).toHaveLength(2);
    expect(tokens.some((t) => t.bookingId === second.bookingId)).toBe(true);

    // The cap still holds: a third drain job that day is refused.
    const base = bookingRequest();
    const third = await tenant.call(
      'POST',
      '/v1/bookings',
      { ...base, customer: { ...base.customer, phone: '(512) 555-0243', email: undefined }, window: { date, start: '12:00' } },
      { 'Idempotency-Key': `cap-${second.bookingId}` },
    );
    expect(third.status, JSON.stringify(third.body)).toBe(409);
  }, 300_000);
});
