/**
 * Issue 21: a dispatch "move" suggestion (the same window, another technician) is one the move
 * accepts: it asks booking/moves.ts techniciansToMoveTo, the engine read the reschedule naming that
 * technician makes, so the daily places kept in reserve count as they do there. A technician whose
 * only free place is the emergency reserve is not proposed for a routine job; a member's job may be
 * moved into a technician's member reserve, as its reschedule may.
 */
import { describe, expect, it } from 'vitest';
import { reportLateEta } from './lifecycle-helpers';
import { bookingRequest, bookOnTechnician, makeMember, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

const date = nextWeekday(3, 3);

function book(tenant: TestTenant, start: string, phone: string, name: string, technicianId: string) {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, name, phone, email: undefined }, window: { date, start } }, technicianId);
}

/**
 * The day of each test: `<prefix>-late` has jobs at 08:00 and 10:00 (`first`, `second`: the customer
 * named `secondName`), `<prefix>-reserve` at 12:00 and 14:00 (with a limit of 3 and one place kept,
 * their day is full but for the reserve).
 */
async function lateDay(tenant: TestTenant, prefix: string, phones: string, secondName: string) {
  const first = await book(tenant, '08:00', `(512) 555-${phones}1`, 'Ada First', `${prefix}-late`);
  const second = await book(tenant, '10:00', `(512) 555-${phones}2`, secondName, `${prefix}-late`);
  await book(tenant, '12:00', `(512) 555-${phones}3`, 'Filler One', `${prefix}-reserve`);
  await book(tenant, '14:00', `(512) 555-${phones}4`, 'Filler Two', `${prefix}-reserve`);
  return { first, second };
}

/** The move suggestions for the day, after the late technician's first job ran late (ETA 10:40, the next job at 10:00). */
async function movesFor(tenant: TestTenant, lateBookingId: string): Promise<any[]> {
  await reportLateEta(tenant, lateBookingId, date, '10:40');
  const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.suggestions.filter((s: any) => s.kind === 'move');
}

describe('a dispatch move suggestion counts the daily reserves as the move does (issue 21)', () => {
  it('never proposes a technician whose only free place is the emergency reserve for a routine job; the one it proposes takes the job', async () => {
    // Daily limit 3, one kept for emergencies: two routine jobs fill a technician's day.
    const tenant = await routePlumbingCompany(
      [
        { id: 'rs-late', name: 'Lou Late', postalCodes: ['78701'] },
        { id: 'rs-reserve', name: 'Rae Reserve', postalCodes: ['78701'] },
        { id: 'rs-free', name: 'Fran Free', postalCodes: ['78701'] },
      ],
      { tenant: { emergencyReserve: 1 }, dailyJobLimit: 3 },
    );
    const { first, second } = await lateDay(tenant, 'rs', '031', 'Grace Second');

    const moves = await movesFor(tenant, first.bookingId);
    expect(moves.map((m) => m.to.technicianId)).toEqual(['rs-free']);
    // The reschedule it stands for refuses rs-reserve, as the suggestion does.
    const refused = await tenant.call('POST', `/v1/bookings/${second.bookingId}/reschedule`, { technicianId: 'rs-reserve' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);

    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${moves[0].suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ date, start: '10:00', technicianId: 'rs-free' });
  }, 400_000);

  it("proposes a technician's member reserve for a member's job, and accepting it moves the job there", async () => {
    // Daily limit 3, one kept for members: two jobs fill a technician's day for everyone else.
    const tenant = await routePlumbingCompany(
      [
        { id: 'rm-late', name: 'Lou Late', postalCodes: ['78701'] },
        { id: 'rm-reserve', name: 'Rae Reserve', postalCodes: ['78701'] },
      ],
      { tenant: { memberReserve: 1 }, dailyJobLimit: 3 },
    );
    const { first, second: member } = await lateDay(tenant, 'rm', '032', 'Pat Member');
    await makeMember(tenant, member.customerId);

    const moves = await movesFor(tenant, first.bookingId);
    expect(moves.map((m) => [m.bookingId, m.to.technicianId])).toEqual([[member.bookingId, 'rm-reserve']]);
    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${moves[0].suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ date, start: '10:00', technicianId: 'rm-reserve' });
  }, 400_000);
});
