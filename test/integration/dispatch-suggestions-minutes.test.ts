/**
 * Issue 21 item 4: re-dispatch suggestions count minutes (dispatch/suggestions.ts fitsMinutes): a
 * technician-window holds a second short job while its minutes fit, and a move is never proposed into
 * a window whose minutes are used up. Through the suggestions route on the local system.
 */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { reportLateEta } from './lifecycle-helpers';
import { bookingRequest, createTestTenant, nextWeekday, settledBooking, type TestTenant } from './helpers';

/** Books (201, or a 202 followed until settled on a loaded machine) and moves the job to `technicianId` when the engine chose someone else. */
async function bookOn(tenant: TestTenant, body: Record<string, unknown>, technicianId: string): Promise<Record<string, any>> {
  const booking = await settledBooking(tenant, body, { 'Idempotency-Key': `test-${ulid()}` });
  expect(['confirmed', 'pending_crm_sync'], JSON.stringify(booking)).toContain(booking.status);
  if (booking.window.technicianId === technicianId) return booking;
  const moved = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { technicianId, reason: 'test setup' });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return moved.body;
}

describe('suggestions count minutes (issue 21 item 4)', () => {
  it('moves the at-risk job to a technician whose window has another short job while the minutes fit, never to one whose minutes are used up', async () => {
    const minutes = await createTestTenant();
    const day = nextWeekday(4, 3);
    const shift = { start: '08:00', end: '17:00' };
    const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };
    // Three technicians alone in one postal code: `late` has two jobs, `shares` one short job at 10:00, `full` a long one.
    for (const id of ['late', 'shares', 'full']) {
      const put = await minutes.call('PUT', `/v1/config/technicians/${id}`, {
        name: `Sugg ${id}`,
        trades: ['plumbing'],
        skills: ['drains'],
        postalCodes: ['78997'],
        shifts: everyDay,
        dailyJobLimit: 8,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    for (const [id, durationMinutes] of [
      ['drain-45', 45],
      ['repair-105', 105],
    ] as const) {
      const put = await minutes.call('PUT', `/v1/config/job-types/${id}`, { name: id, trade: 'plumbing', requiredSkills: ['drains'], durationMinutes });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    const job = (i: number, jobTypeId: string, start: string) => {
      const base = bookingRequest();
      return {
        ...base,
        customer: { ...base.customer, name: `Minutes Caller ${i}`, phone: `512555${7100 + i}`, email: undefined },
        address: { line1: `${i} Share Ln`, city: 'Austin', region: 'TX', postalCode: '78997' },
        jobTypeId,
        window: { date: day, start },
      };
    };
    const first = await bookOn(minutes, job(1, 'drain-45', '08:00'), 'late');
    const second = await bookOn(minutes, job(2, 'drain-45', '10:00'), 'late');
    // 60 of the 120 minutes of `shares`' 10-12 window are taken (45 on site + travel): the 60-minute job still fits.
    await bookOn(minutes, job(3, 'drain-45', '10:00'), 'shares');
    // 120 of `full`'s (105 on site + travel): it does not.
    await bookOn(minutes, job(4, 'repair-105', '10:00'), 'full');
    const board = (await minutes.call('GET', `/v1/dispatch/board?date=${day}`)).body;
    const jobsOf = (id: string) => board.technicians.find((t: any) => t.technicianId === id).jobs.map((j: any) => j.minutes);
    expect(jobsOf('shares')).toEqual([{ '10:00': 60 }]);
    expect(jobsOf('full')).toEqual([{ '10:00': 120 }]);

    await reportLateEta(minutes, first.bookingId, day, '10:40');

    const response = await minutes.call('GET', `/v1/dispatch/suggestions?date=${day}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const moves = response.body.suggestions.filter((s: any) => s.kind === 'move' && s.bookingId === second.bookingId);
    expect(moves.map((s: any) => s.to.technicianId)).toEqual(['shares']);
    expect(moves[0]).toMatchObject({ to: { date: day, start: '10:00' }, reason: { lateBookingId: first.bookingId, technicianId: 'late' } });
  });
});
