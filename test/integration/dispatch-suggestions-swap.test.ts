/**
 * Issue 21: a dispatch "swap" suggestion (two jobs exchange technicians) is one its accept takes.
 * Accepting goes through reassignTechnicians, which counts each technician's daily places with the
 * job leaving given back and the reserves kept (a routine job never takes the member reserve a
 * member's job leaves); the suggestion asks the same rule (booking/reassign.ts), so it never proposes
 * a swap the accept refuses, and proposes it once the job may take that place.
 */
import { describe, expect, it } from 'vitest';
import { reportLateEta } from './lifecycle-helpers';
import { bookingRequest, bookOnTechnician, makeMember, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

const date = nextWeekday(3, 3);

function book(tenant: TestTenant, start: string, phone: string, name: string, technicianId: string) {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, name, phone, email: undefined }, window: { date, start } }, technicianId);
}

describe('a dispatch swap suggestion counts daily places as its accept does (issue 21)', () => {
  it("never proposes a swap that puts a routine job in the member reserve a member's job leaves; once its customer is a member it does, and accepting swaps both", async () => {
    // Daily limit 3, one kept for members.
    const tenant = await routePlumbingCompany(
      [
        { id: 'sw-late', name: 'Lou Late', postalCodes: ['78701'] },
        { id: 'sw-ontime', name: 'Otto Ontime', postalCodes: ['78701'] },
      ],
      { tenant: { memberReserve: 1 }, dailyJobLimit: 3 },
    );
    // `sw-ontime`: two routine jobs before noon, then a member's job at 14:00 in the member reserve.
    const member = await book(tenant, '14:00', '(512) 555-0341', 'Mia Member', 'sw-late');
    await makeMember(tenant, member.customerId);
    await book(tenant, '08:00', '(512) 555-0342', 'Filler One', 'sw-ontime');
    await book(tenant, '10:00', '(512) 555-0343', 'Filler Two', 'sw-ontime');
    const moved = await tenant.call('POST', `/v1/bookings/${member.bookingId}/reschedule`, { technicianId: 'sw-ontime', reason: 'test setup' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // `sw-late`: 08:00, then a routine job at 10:00 put at risk by the first running late.
    const first = await book(tenant, '08:00', '(512) 555-0344', 'Ada First', 'sw-late');
    const second = await book(tenant, '10:00', '(512) 555-0345', 'Grace Second', 'sw-late');
    await reportLateEta(tenant, first.bookingId, date, '10:40');

    const swaps = async () => {
      const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.suggestions.filter((s: any) => s.kind === 'swap');
    };
    // The only later job of the on-time technician is the member's: taking its place would put the
    // routine job in the member reserve. The swap is refused, so it is not proposed.
    expect(await swaps()).toEqual([]);
    const refused = await tenant.call('POST', '/v1/dispatch/reassign', {
      date,
      assignments: [
        { jobId: second.bookingId, technicianId: 'sw-ontime' },
        { jobId: member.bookingId, technicianId: 'sw-late' },
      ],
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.message).toContain('daily limit');

    // The at-risk job's customer becomes a member: it may take that place, and the swap is proposed.
    await makeMember(tenant, second.customerId);
    const [swap, ...more] = await swaps();
    expect(more).toEqual([]);
    expect(swap).toMatchObject({
      bookingId: second.bookingId,
      to: { technicianId: 'sw-ontime', start: '10:00' },
      swapWith: { bookingId: member.bookingId, to: { technicianId: 'sw-late', start: '14:00' } },
    });
    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${swap.suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ date, start: '10:00', technicianId: 'sw-ontime' });
    expect(accepted.body.otherBooking.window).toMatchObject({ date, start: '14:00', technicianId: 'sw-late' });
  }, 400_000);
});
