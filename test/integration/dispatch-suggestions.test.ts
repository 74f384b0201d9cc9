/**
 * Re-dispatch after a delay: a technician with two jobs reports (en_route event) an ETA after the
 * first job's window; the suggestions propose moving the next job to another qualified technician
 * in the same window (and rescheduling it), and accepting the move goes through rescheduleBooking:
 * the slot claim moves, both technicians' messages are queued, the timeline says who and why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { demoTechnicians } from '../../local/demo';
import { outboxFor, reportLateEta, sweepSubjects } from './lifecycle-helpers';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant, isWindowClaim } from './helpers';

let tenant: TestTenant;
const date = nextWeekday(3, 3);
let first: any;
let second: any;

async function book(start: string, phone: string, technicianId?: string) {
  const base = bookingRequest();
  const name = start === '08:00' ? 'Ada Lovelace' : 'Grace Hopper';
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, name, phone, email: undefined }, window: { date, start } }, technicianId);
}

beforeAll(async () => {
  tenant = await createTestTenant();
  first = await book('08:00', '(512) 555-0191');
  second = await book('10:00', '(512) 555-0192', first.window.technicianId);
  expect(second.window.technicianId).toBe(first.window.technicianId);
});

describe('dispatch suggestions after a delay', () => {
  it('proposes nothing while everyone is on time', async () => {
    const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
    expect(response.status).toBe(200);
    expect(response.body.suggestions).toEqual([]);
  });

  it('proposes moving the next job or rescheduling it once the technician reports a late ETA, and accepting moves it through rescheduleBooking', async () => {
    await reportLateEta(tenant, first.bookingId, date, '10:40');

    const response = await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`);
    expect(response.status).toBe(200);
    const suggestions = response.body.suggestions;
    const late = first.window.technicianId;
    const move = suggestions.find((s: any) => s.kind === 'move');
    expect(move, JSON.stringify(suggestions)).toBeDefined();
    expect(move).toMatchObject({
      bookingId: second.bookingId,
      reason: { lateBookingId: first.bookingId, technicianId: late, lateMinutes: 40 },
      to: { date, start: '10:00' },
    });
    expect(move.to.technicianId).not.toBe(late);
    const tech = demoTechnicians.find((t) => t.technicianId === move.to.technicianId)!;
    expect(tech.skills).toContain('drains');
    expect(tech.postalCodes).toContain('78701');
    expect(move.customerMessage).toContain('Grace');
    // Customers read the technician's first name.
    expect(move.customerMessage).toContain(tech.name.split(' ')[0]);
    const reschedule = suggestions.find((s: any) => s.kind === 'reschedule');
    expect(reschedule).toMatchObject({ bookingId: second.bookingId });
    expect(`${reschedule.to.date}${reschedule.to.start}` > `${date}10:00`).toBe(true);
    // Deterministic ids: the same read gives the same suggestions.
    expect((await tenant.call('GET', `/v1/dispatch/suggestions?date=${date}`)).body.suggestions).toEqual(suggestions);

    const accepted = await tenant.call('POST', `/v1/dispatch/suggestions/${move.suggestionId}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking.window).toMatchObject({ date, start: '10:00', technicianId: move.to.technicianId });

    // The claim moved: the new technician holds 10:00 for this booking, the late one no longer does.
    const slots = (await listClaims(tenant.tenantId, date, date)).filter((c) => isWindowClaim(c) && c.bookingId === second.bookingId);
    expect(slots.map((c) => [c.technicianId, c.start, c.status])).toEqual([[move.to.technicianId, '10:00', 'BOOKED']]);
    // Both technicians are told (ledger rows queued by rescheduleBooking); the timeline says why.
    const activity = await tenant.call('GET', `/v1/bookings/${second.bookingId}/activity`);
    const text = JSON.stringify(activity.body);
    expect(text).toContain('technician_assigned');
    expect(text).toContain('technician_unassigned');
    expect(text).toContain(move.suggestionId);

    // The customer gets the very message the suggestion showed.
    await sweepSubjects(tenant.tenantId, [second.bookingId], new Date());
    // The setup's move (onto the late technician) told her too, at once (a message due now goes now):
    // the suggestion's is the latest schedule version's.
    const changed = (await outboxFor(tenant.tenantId, second.bookingId)).filter((m) => m.kind === 'technician_changed');
    const latest = Math.max(...changed.map((m) => m.version ?? 1));
    expect(changed.filter((m) => (m.version ?? 1) === latest).map((m) => m.text)).toEqual([move.customerMessage]);

    const board = await tenant.call('GET', `/v1/dispatch/board?date=${date}`);
    const owner = board.body.technicians.find((t: any) => t.jobs.some((j: any) => j.bookingId === second.bookingId));
    expect(owner.technicianId).toBe(move.to.technicianId);

    // Once applied, it no longer applies.
    const again = await tenant.call('POST', `/v1/dispatch/suggestions/${move.suggestionId}/accept`);
    expect(again.status).toBe(409);
  });
});
