/**
 * Issue 21: whether a move is an emergency's is the booking's (booking/moves.ts isEmergencyMove), for
 * every path: `GET /v1/availability?bookingId=` and `POST /v1/holds` with `bookingId` refuse an
 * `emergency` that is not the booking's (400 naming the field), so neither shows nor holds the
 * emergency reserve for a routine job its reschedule refuses.
 */
import { describe, expect, it } from 'vitest';
import { bookingRequest, bookOnTechnician, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

const full = nextWeekday(3, 3);
const other = nextWeekday(4, 3);

function book(tenant: TestTenant, date: string, start: string, phone: string) {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } });
}

describe('a move is an emergency only when its booking is (issue 21)', () => {
  it("refuses emergency=true for a routine job's move in availability and holds, as its reschedule refuses the emergency reserve", async () => {
    // One technician, daily limit 3 with one kept for emergencies: two routine jobs fill the Wednesday.
    const tenant = await routePlumbingCompany([{ id: 'em-solo', name: 'Sol Solo', postalCodes: ['78701'] }], {
      tenant: { emergencyReserve: 1 },
      dailyJobLimit: 3,
    });
    await book(tenant, full, '08:00', '(512) 555-0331');
    await book(tenant, full, '10:00', '(512) 555-0332');
    const routine = await book(tenant, other, '08:00', '(512) 555-0333');

    const ask = (extra: string) => tenant.call('GET', `/v1/availability?bookingId=${routine.bookingId}&from=${full}&to=${full}${extra}`);
    // What the move may have: nothing on the full Wednesday, whether emergency=false is said or not.
    for (const extra of ['', '&emergency=false']) {
      const shown = await ask(extra);
      expect(shown.status, JSON.stringify(shown.body)).toBe(200);
      expect(shown.body).toMatchObject({ emergency: false, windows: [], reason: 'fully_booked' });
    }
    const refusedMove = await tenant.call('POST', `/v1/bookings/${routine.bookingId}/reschedule`, { window: { date: full, start: '12:00' } });
    expect(refusedMove.status, JSON.stringify(refusedMove.body)).toBe(409);

    // emergency=true is not this move's question: refused, not answered with the emergency reserve.
    const asEmergency = await ask('&emergency=true');
    expect(asEmergency.status, JSON.stringify(asEmergency.body)).toBe(400);
    expect(asEmergency.body.error).toMatchObject({ code: 'invalid_request', field: 'query.emergency' });
    expect(asEmergency.body.error.message).toContain('not an emergency');

    // Nor can a hold for the move take the reserve (its reschedule would then have taken the hold).
    const hold = await tenant.call('POST', '/v1/holds', {
      jobTypeId: 'drain-30',
      postalCode: '78701',
      window: { date: full, start: '12:00' },
      bookingId: routine.bookingId,
      emergency: true,
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(400);
    expect(hold.body.error).toMatchObject({ code: 'invalid_request', field: 'emergency' });
    expect((await tenant.call('GET', `/v1/bookings/${routine.bookingId}`)).body.window).toMatchObject({ date: other, start: '08:00' });
  }, 400_000);
});
