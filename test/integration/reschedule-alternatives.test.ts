/**
 * Issue 21: when a reschedule is refused (409), the alternatives it offers are windows the same
 * request would get: for the technician it named, counting what the job gives back as it moves,
 * and never the window just refused.
 */
import { describe, expect, it } from 'vitest';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant } from './helpers';

function book(tenant: TestTenant, date: string, start: string, phone: string, technicianId: string) {
  const base = bookingRequest();
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } }, technicianId);
}

describe('POST /v1/bookings/{id}/reschedule refused', () => {
  it("offers only windows the job's named technician can take, never the refused one; the first offered is accepted", async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(2, 3); // a Tuesday: tech-01 works
    const mine = await book(tenant, date, '08:00', '(512) 555-0251', 'tech-01');
    // tech-01's 14:00 window is taken (a drain job fills its window); other technicians have 14:00 free.
    await book(tenant, date, '14:00', '(512) 555-0252', 'tech-01');

    const refused = await tenant.call('POST', `/v1/bookings/${mine.bookingId}/reschedule`, {
      window: { date, start: '14:00' },
      technicianId: 'tech-01',
      reason: 'the customer is home in the afternoon',
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    const alternatives = refused.body.alternatives as Array<{ date: string; start: string }>;
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives.filter((w) => w.date === date && w.start === '14:00')).toEqual([]);

    // Each alternative is what the same request gets with that window: the first (nearest) is taken.
    const [first] = alternatives;
    const moved = await tenant.call('POST', `/v1/bookings/${mine.bookingId}/reschedule`, {
      window: { date: first!.date, start: first!.start },
      technicianId: 'tech-01',
      reason: 'an offered window',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date: first!.date, start: first!.start, technicianId: 'tech-01' });
  }, 300_000);
});
