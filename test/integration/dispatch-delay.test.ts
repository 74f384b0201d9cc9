/**
 * A job running long (`POST /v1/jobs/{id}/events` with type `delayed`): the report is recorded on the
 * job without changing its state (latest wins, replays are no-ops), and the technician's next job
 * gets a `swap` suggestion: an on-time technician takes it in its window and the late technician
 * takes that technician's later job. Accepting moves both jobs' claims in one transaction; racing
 * it against a reschedule of one of the jobs leaves every job with exactly its own claims.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getBookingRecord } from '../../functions/booking/store';
import { getHold, listClaims } from '../../functions/capacity/store';
import { demoTechnicians } from '../../local/demo';
import { drain, outboxFor, sweepSubjects } from './lifecycle-helpers';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant, isWindowClaim } from './helpers';

let tenant: TestTenant;
const date = nextWeekday(2, 3);
const raceDate = nextWeekday(4, 3);
const people = { late: 'Ada Lovelace', next: 'Grace Hopper', later: 'Katherine Johnson' };
let lateJob: any; // tech X, 08:00, runs long
let nextJob: any; // tech X, 10:00, at risk
let laterJob: any; // tech Y, 14:00: the swap partner

/** X has 08:00 and 10:00; Y (another drain technician covering the address) has 14:00. */
async function scenario(on: string) {
  const late = await book('08:00', people.late, '(512) 555-0181', undefined, on);
  const x = late.window.technicianId;
  const next = await book('10:00', people.next, '(512) 555-0182', x, on);
  const y = demoTechnicians.find((t) => t.technicianId !== x && t.skills.includes('drains') && t.postalCodes.includes('78701'))!;
  const later = await book('14:00', people.later, '(512) 555-0183', y.technicianId, on);
  expect(later.window.technicianId).toBe(y.technicianId);
  return { late, next, later };
}

async function book(start: string, name: string, phone: string, technicianId?: string, on = date) {
  const base = bookingRequest();
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, name, phone, email: undefined }, window: { date: on, start } }, technicianId);
}

/** Every live booking owns exactly the slot of its window and technician; nothing else holds a slot. */
async function expectClaimsMatchBookings(bookings: string[], on = date) {
  const claims = await listClaims(tenant.tenantId, on, on);
  for (const id of bookings) {
    const booking = (await tenant.call('GET', `/v1/bookings/${id}`)).body;
    const slots = claims.filter((c) => isWindowClaim(c) && c.bookingId === id);
    const days = claims.filter((c) => c.kind === 'techDay' && c.bookingId === id);
    expect(
      slots.map((c) => [c.technicianId, c.start]),
      id,
    ).toEqual([[booking.window.technicianId, booking.window.start]]);
    expect(
      days.map((c) => c.technicianId),
      id,
    ).toEqual([booking.window.technicianId]);
  }
  expect(claims.filter(isWindowClaim)).toHaveLength(bookings.length);
}

const event = (bookingId: string, body: Record<string, unknown>) => tenant.call('POST', `/v1/jobs/${bookingId}/events`, body);

beforeAll(async () => {
  tenant = await createTestTenant();
  ({ late: lateJob, next: nextJob, later: laterJob } = await scenario(date));
});

describe('a job running long', () => {
  it('a delayed event without minutes is a 400 naming data.delayMinutes', async () => {
    const response = await event(lateJob.bookingId, { eventId: 'delay-0', type: 'delayed', occurredAt: new Date().toISOString() });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('data.delayMinutes');
  });

  it('records the delay on the job without changing its state; a replay or an older report changes nothing', async () => {
    const at = Date.now();
    expect(
      (
        await event(lateJob.bookingId, {
          eventId: 'delay-1',
          type: 'delayed',
          occurredAt: new Date(at).toISOString(),
          data: { delayMinutes: 45, reason: 'Main line deeper than expected' },
        })
      ).status,
    ).toBe(202);
    await drain('status-events');
    let booking = (await tenant.call('GET', `/v1/bookings/${lateJob.bookingId}`)).body;
    expect(booking.delay).toMatchObject({ minutes: 45, reason: 'Main line deeper than expected' });
    expect(booking.job).toBeUndefined(); // still booked: a delay is not a lifecycle state

    await event(lateJob.bookingId, { eventId: 'delay-1', type: 'delayed', occurredAt: new Date(at).toISOString(), data: { delayMinutes: 45 } });
    await event(lateJob.bookingId, { eventId: 'delay-old', type: 'delayed', occurredAt: new Date(at - 60_000).toISOString(), data: { delayMinutes: 5 } });
    await drain('status-events');
    booking = (await tenant.call('GET', `/v1/bookings/${lateJob.bookingId}`)).body;
    expect(booking.delay.minutes).toBe(45);
    const outcomes = (await tenant.call('GET', `/v1/bookings/${lateJob.bookingId}/activity`)).body;
    const text = JSON.stringify(outcomes);
    expect(text.match(/running_late/g)).toHaveLength(1);
    expect(text).toContain('ignored_stale');

    // The next job is at risk: dispatch is told at once, once (the replay added nothing).
    await sweepSubjects(tenant.tenantId, [lateJob.bookingId], new Date());
    const alerts = (await outboxFor(tenant.tenantId, lateJob.bookingId)).filter((m) => m.kind === 'delay_alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.to).toBe('+15125550100');
    expect(alerts[0]!.text).toMatch(/^Running late: .+ is 45 min behind on Drain clog/);
  });

  it('proposes swapping the next job with an on-time technician’s later job, with both customers’ messages', async () => {
    const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
    expect(response.status).toBe(200);
    const swap = response.body.suggestions.find((s: any) => s.kind === 'swap');
    expect(swap, JSON.stringify(response.body.suggestions)).toMatchObject({
      bookingId: nextJob.bookingId,
      reason: { lateBookingId: lateJob.bookingId, technicianId: lateJob.window.technicianId, lateMinutes: 45, cause: 'running_long' },
      from: { technicianId: lateJob.window.technicianId, start: '10:00' },
      to: { technicianId: laterJob.window.technicianId, start: '10:00' },
      swapWith: {
        bookingId: laterJob.bookingId,
        from: { technicianId: laterJob.window.technicianId, start: '14:00' },
        to: { technicianId: lateJob.window.technicianId, start: '14:00' },
      },
    });
    expect(swap.customerMessage).toContain('Grace');
    expect(swap.swapWith.customerMessage).toContain('Katherine');
    // The move options are there too: the dispatcher picks.
    expect(response.body.suggestions.some((s: any) => s.kind === 'move')).toBe(true);
  });

  it('accepting the swap moves both jobs in one go: claims, holds, messages to both technicians; accepting again is a 409', async () => {
    const swap = (await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`)).body.suggestions.find((s: any) => s.kind === 'swap');
    const x = lateJob.window.technicianId;
    const y = laterJob.window.technicianId;
    const oldHolds = await Promise.all([nextJob, laterJob].map(async (job) => (await getBookingRecord(tenant.tenantId, job.bookingId))!.holdId!));
    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${swap.suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ start: '10:00', technicianId: y });
    expect(accepted.body.otherBooking.window).toMatchObject({ start: '14:00', technicianId: x });
    await expectClaimsMatchBookings([lateJob.bookingId, nextJob.bookingId, laterJob.bookingId]);

    // The old holds are released, each job's new hold is BOOKED and names it.
    for (const [index, job] of [nextJob, laterJob].entries()) {
      expect((await getHold(tenant.tenantId, oldHolds[index]!))?.status).toBe('RELEASED');
      const record = (await getBookingRecord(tenant.tenantId, job.bookingId))!;
      expect(record.holdId).not.toBe(oldHolds[index]);
      expect(await getHold(tenant.tenantId, record.holdId!)).toMatchObject({
        status: 'BOOKED',
        bookingId: job.bookingId,
        plan: { technicianId: record.window!.technicianId },
      });
      const activity = JSON.stringify((await tenant.call('GET', `/v1/bookings/${job.bookingId}/activity`)).body);
      expect(activity).toContain('technician_assigned');
      expect(activity).toContain('technician_unassigned');
      expect(activity).toContain(swap.suggestionId);
    }
    expect((await tenant.call('POST', `/v1/dispatch/suggestions/${swap.suggestionId}/accept`)).status).toBe(409);
  });

  it('a swap racing a reschedule of one of its jobs: one of them wins and every job keeps exactly its own claims', async () => {
    const jobs = await scenario(raceDate);
    await event(jobs.late.bookingId, { eventId: 'race-delay', type: 'delayed', occurredAt: new Date().toISOString(), data: { delayMinutes: 30 } });
    await drain('status-events');
    const swap = (await tenant.call('GET', `/v1/dispatch/suggestions?date=${raceDate}`)).body.suggestions.find((s: any) => s.kind === 'swap');
    expect(swap?.swapWith?.bookingId).toBe(jobs.later.bookingId);
    const [swapped, rescheduled] = await Promise.all([
      tenant.call('POST', `/v1/dispatch/suggestions/${swap.suggestionId}/accept`),
      tenant.call('POST', `/v1/bookings/${jobs.later.bookingId}/reschedule`, { window: { date: raceDate, start: '12:00' }, reason: 'customer asked' }),
    ]);
    expect([swapped.status, rescheduled.status]).toContain(200);
    expect([200, 409]).toContain(swapped.status);
    expect([200, 409]).toContain(rescheduled.status);
    await expectClaimsMatchBookings([jobs.late.bookingId, jobs.next.bookingId, jobs.later.bookingId], raceDate);
  });
});
