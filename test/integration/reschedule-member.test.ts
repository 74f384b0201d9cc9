/**
 * Issue 21: a member's booked job may move into the member reserve, as a member's new booking may
 * (members first, issue 15). One rule for every path that moves it or offers it windows: what
 * `GET /v1/availability?bookingId=` shows, what `POST /v1/holds` with `bookingId` holds and what
 * `POST /v1/bookings/{id}/reschedule` accepts all count the booking's customer, whoever asks.
 * A dispatcher's reassignment counts it too (booking/reassign.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  bookingRequest,
  bookOnTechnician,
  createTestTenant,
  makeMember,
  nextWeekday,
  routePlumbingCompany,
  type TestTenant,
  waterHeaterRequest,
} from './helpers';

const JOB = 'plumbing-water-heater-repair';

const request = waterHeaterRequest;

/** The window starts a booked job could move to on `date`, as availability shows them (`extra`: more of the query). */
async function moveStarts(tenant: TestTenant, bookingId: string, date: string, extra = ''): Promise<string[]> {
  const response = await tenant.call('GET', `/v1/availability?bookingId=${bookingId}&from=${date}&to=${date}${extra}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.windows as Array<{ start: string }>).map((w) => w.start);
}

describe("a member's move may take the member reserve (issue 21)", () => {
  // Only tech-03 (Tue-Sat, daily limit 4) fixes water heaters in 78744; one of the four is kept for
  // members. Three non-members fill the rest of a Wednesday.
  it('availability for the move shows the reserved window, a hold for the move takes it and the reschedule accepts it; a non-member is refused it everywhere', async () => {
    const tenant = await createTestTenant({ memberReserve: 1 });
    const full = nextWeekday(3, 4); // a Wednesday: tech-03 works
    const other = nextWeekday(4, 4); // the Thursday after

    // A member's job and a non-member's job on the Thursday.
    const member = await bookOnTechnician(tenant, request({ name: 'Pat Member', phone: '(512) 555-0271', line1: '400 Member Way' }, other, '08:00'));
    await makeMember(tenant, member.customerId);
    const nonMember = await bookOnTechnician(tenant, request({ name: 'Nat Other', phone: '(512) 555-0272', line1: '12 Other St' }, other, '10:00'));

    // Three non-members fill the Wednesday as far as non-members may (limit 4, one kept for members).
    for (const [i, start] of ['08:00', '10:00', '12:00'].entries()) {
      await bookOnTechnician(tenant, request({ name: `Caller${i} Filling`, phone: `(512) 555-028${i}`, line1: `${20 + i} Full St` }, full, start));
    }

    // The member's job sees the reserved 14:00; the non-member's sees nothing, even when the member's id is sent.
    expect(await moveStarts(tenant, member.bookingId, full)).toEqual(['14:00']);
    expect(await moveStarts(tenant, nonMember.bookingId, full)).toEqual([]);
    expect(await moveStarts(tenant, nonMember.bookingId, full, `&customerId=${member.customerId}`)).toEqual([]);

    // A hold for the non-member's move is refused that window; the reschedule too.
    const hold = { jobTypeId: JOB, postalCode: '78744', window: { date: full, start: '14:00' } };
    const refusedHold = await tenant.call('POST', '/v1/holds', { ...hold, bookingId: nonMember.bookingId, customerId: member.customerId });
    expect(refusedHold.status, JSON.stringify(refusedHold.body)).toBe(409);
    const refused = await tenant.call('POST', `/v1/bookings/${nonMember.bookingId}/reschedule`, { window: { date: full, start: '14:00' } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);

    // The member's: a hold for the move takes it (then released), and the reschedule takes it.
    const held = await tenant.call('POST', '/v1/holds', { ...hold, bookingId: member.bookingId });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    expect(held.body.window).toMatchObject({ date: full, start: '14:00', technicianId: 'tech-03' });
    expect((await tenant.call('DELETE', `/v1/holds/${held.body.holdId}`)).status).toBe(200);
    const moved = await tenant.call('POST', `/v1/bookings/${member.bookingId}/reschedule`, {
      window: { date: full, start: '14:00' },
      reason: 'the member is home on Wednesday afternoon',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date: full, start: '14:00', technicianId: 'tech-03' });
  }, 400_000);

  it("dispatch may reassign a member's job into a technician's member reserve, and no other job", async () => {
    const tenant = await routePlumbingCompany(
      [
        { id: 'mr-full', name: 'Fay Full', postalCodes: ['78701'] },
        { id: 'mr-free', name: 'Fred Free', postalCodes: ['78701'] },
      ],
      { tenant: { memberReserve: 1 }, dailyJobLimit: 4 },
    );
    const date = nextWeekday(3, 3);
    const book = (start: string, phone: string, name: string, technicianId: string) => {
      const base = bookingRequest({ jobTypeId: 'drain-30' });
      return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, name, phone, email: undefined }, window: { date, start } }, technicianId);
    };
    // mr-full has three jobs: with a limit of 4 and one kept for members, full for non-members.
    for (const [i, start] of ['08:00', '10:00', '12:00'].entries()) await book(start, `(512) 555-030${i}`, `Filler${i} Caller`, 'mr-full');
    const member = await book('14:00', '(512) 555-0305', 'Pat Member', 'mr-free');
    await makeMember(tenant, member.customerId);
    const nonMember = await book('14:00', '(512) 555-0306', 'Nat Other', 'mr-free');

    const toFull = (jobId: string) => tenant.call('POST', '/v1/dispatch/reassign', { date, assignments: [{ jobId, technicianId: 'mr-full' }] });
    const refused = await toFull(nonMember.bookingId);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.message).toContain('daily limit');
    const applied = await toFull(member.bookingId);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.applied).toEqual([{ jobId: member.bookingId, technicianId: 'mr-full' }]);
  }, 400_000);
});
