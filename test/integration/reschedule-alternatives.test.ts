/**
 * Issue 21: when a reschedule is refused (409), the alternatives it offers are windows the same
 * request would get: for the technician it named, counting what the job gives back as it moves,
 * never the window just refused, and never the window the job is in (with its place given back it
 * looks open; offering it is pointless).
 */
import { describe, expect, it } from 'vitest';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, routePlumbingCompany, settledBooking, type TestTenant } from './helpers';

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

  it('with no technician named, never offers the window the job is already in', async () => {
    // One technician working 08:00-12:00 only: 14:00 is never open; the windows nearest it are that day's 10:00 and 08:00.
    const tenant = await routePlumbingCompany([{ id: 'solo', name: 'Morning Solo', postalCodes: ['78701'] }]);
    const mornings = { start: '08:00', end: '12:00' };
    const put = await tenant.call('PUT', '/v1/config/technicians/solo', {
      name: 'Morning Solo',
      trades: ['route-plumbing'],
      skills: ['drains'],
      postalCodes: ['78701'],
      shifts: { mon: mornings, tue: mornings, wed: mornings, thu: mornings, fri: mornings, sat: mornings, sun: mornings },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const date = nextWeekday(2, 3);
    const base = bookingRequest({ jobTypeId: 'drain-30' });
    const job = await settledBooking(
      tenant,
      {
        ...base,
        customer: { ...base.customer, phone: '(512) 555-0253', email: undefined },
        address: { ...base.address, postalCode: '78701' },
        window: { date, start: '10:00' },
      },
      { 'Idempotency-Key': `alt-current-${date}` },
    );
    expect(job.window, JSON.stringify(job)).toMatchObject({ date, start: '10:00', technicianId: 'solo' });

    const refused = await tenant.call('POST', `/v1/bookings/${job.bookingId}/reschedule`, {
      window: { date, start: '14:00' },
      reason: 'the customer is home in the afternoon',
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    const alternatives = refused.body.alternatives as Array<{ date: string; start: string }>;
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives.filter((w) => w.date === date && (w.start === '10:00' || w.start === '14:00'))).toEqual([]);
    expect(alternatives[0]).toMatchObject({ date, start: '08:00' });

    // A hold for the move (POST /v1/holds with bookingId) refused the same way offers the same.
    const hold = await tenant.call('POST', '/v1/holds', {
      jobTypeId: 'drain-30',
      postalCode: '78701',
      window: { date, start: '14:00' },
      bookingId: job.bookingId,
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(409);
    expect(hold.body.alternatives).toEqual(alternatives);
  }, 300_000);
});
