/**
 * Changing a booked job through the public API: reschedule moves the claim atomically (the new
 * window is claimed before the old one is released) and the reminders with it; reassignment notifies
 * both technicians; cancel releases capacity, cancels pending messages and updates the CRM.
 */
import { describe, expect, it } from 'vitest';
import { demoTechnicians } from '../../local/demo';
import { deliverDue } from './lifecycle-helpers';
import {
  bookingRequest,
  createTestTenant,
  CUSTOMER_KINDS,
  itemsWithPrefix,
  partitionItems,
  nextWeekday,
  waitForTrail,
  type TestTenant,
  isWindowClaim,
  storedClaims,
} from './helpers';

const heaterAddress = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };

async function bookHeater(tenant: TestTenant, window: { date: string; start: string }, notes = 'heater') {
  const response = await tenant.call(
    'POST',
    '/v1/bookings',
    bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address: heaterAddress, window, notes }),
  );
  expect(response.status).toBe(201);
  await waitForTrail(response.body.bookingId);
  return response.body;
}

const slotsOf = async (tenant: TestTenant, bookingId: string) =>
  (await storedClaims(tenant.tenantId)).filter((c) => isWindowClaim(c) && c.bookingId === bookingId);
const ledgerOf = async (tenant: TestTenant, bookingId: string) =>
  (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
const customerRows = async (tenant: TestTenant, bookingId: string) => (await ledgerOf(tenant, bookingId)).filter((r) => CUSTOMER_KINDS.has(r.kind));

describe('POST /v1/bookings/{id}/reschedule', () => {
  it('moves the booking, its claim and its reminders to the new window', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const booking = await bookHeater(tenant, { date, start: '10:00' });
    const moved = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { window: { date, start: '14:00' }, reason: 'customer asked' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'confirmed', window: { date, start: '14:00', end: '16:00', technicianId: 'tech-03' } });
    const steps = moved.body.timeline.filter((e: { node: string }) => e.node === 'RescheduleBooking').map((e: { outcome: string }) => e.outcome);
    // The move, then its CRM write.
    expect(steps).toEqual(['rescheduled', 'written']);

    const slots = await slotsOf(tenant, booking.bookingId);
    expect(slots.map((s) => `${s.date} ${s.start} ${s.status}`)).toEqual([`${date} 14:00 BOOKED`]);
    const availability = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${date}&to=${date}`);
    expect(availability.body.windows.map((w: { start: string }) => w.start)).toContain('10:00');

    const ledger = await customerRows(tenant, booking.bookingId);
    const pending = ledger
      .filter((row) => row.status === 'pending')
      .map((row) => `${row.kind}@v${row.version ?? 1}`)
      .sort();
    expect(pending).toEqual(['reminder_48h@v2', 'reminder_day_of@v2']);
    // The move's confirmation is due now: its writer queued it at once (it may be sent already).
    expect(['queued', 'sent']).toContain(ledger.find((row) => row.kind === 'reschedule_confirmation' && row.version === 2)?.status);
    expect(
      ledger
        .filter((row) => row.status === 'cancelled')
        .map((row) => row.kind)
        .sort(),
    ).toEqual(['reminder_48h', 'reminder_day_of']);
    // The first confirmation went with the booking (queued at once): it is not taken back.
    expect(['queued', 'sent']).toContain(ledger.find((row) => row.kind === 'confirmation')?.status);

    const crm = (await partitionItems(`T#${tenant.tenantId}#CRM`)).find((i) => i.sk === `JOB#${booking.bookingId}`);
    expect(crm?.state).toBe('rescheduled');
  });

  it('a window that cannot be had is 409 with alternatives, and the booking keeps what it had', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(4, 4);
    const mine = await bookHeater(tenant, { date, start: '08:00' });
    await bookHeater(tenant, { date, start: '12:00' }, 'someone else');
    const response = await tenant.call('POST', `/v1/bookings/${mine.bookingId}/reschedule`, { window: { date, start: '12:00' } });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('window_unavailable');
    expect(response.body.alternatives.length).toBeGreaterThan(0);
    const after = await tenant.call('GET', `/v1/bookings/${mine.bookingId}`);
    expect(after.body.window.start).toBe('08:00');
    expect((await slotsOf(tenant, mine.bookingId)).map((s) => s.start)).toEqual(['08:00']);
  });

  it('of two concurrent reschedules of one booking exactly one wins, and no capacity leaks', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(5, 4);
    const booking = await bookHeater(tenant, { date, start: '08:00' });
    const [a, b] = await Promise.all([
      tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { window: { date, start: '10:00' } }),
      tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { window: { date, start: '12:00' } }),
    ]);
    // Concurrent: one 200, one clean 409. (A loaded machine may serve them one after the other: then
    // both move the booking in turn.) Either way the claims are exactly the booking's final window.
    expect([a.status, b.status]).toContain(200);
    for (const r of [a, b]) expect([200, 409]).toContain(r.status);
    const winner = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body;
    const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.date === date);
    expect(claims.filter(isWindowClaim).map((c) => c.start)).toEqual([winner.window.start]);
    expect(claims.filter((c) => c.kind === 'techDay')).toHaveLength(1);
  });

  it('reassigns to another technician in the same window and tells both', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(2, 4);
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date, start: '10:00' } }));
    await waitForTrail(booked.body.bookingId);
    const from = booked.body.window.technicianId;
    const candidates = ['tech-01', 'tech-02', 'tech-06'].filter((t) => t !== from);
    const moved = await tenant.call('POST', `/v1/bookings/${booked.body.bookingId}/reschedule`, { technicianId: candidates[0] });
    expect(moved.status).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '10:00', technicianId: candidates[0] });
    expect(moved.body.timeline.some((e: { node: string; outcome: string }) => e.node === 'RescheduleBooking' && e.outcome === 'reassigned')).toBe(true);

    await deliverDue();
    const outbox = await tenant.call('GET', `/v1/outbox?bookingId=${booked.body.bookingId}`);
    const toTechs = outbox.body.messages.filter((m: { kind: string }) => ['technician_assigned', 'technician_unassigned'].includes(m.kind));
    expect(toTechs.map((m: { kind: string; technicianId: string }) => `${m.kind}:${m.technicianId}`).sort()).toEqual(
      [`technician_assigned:${candidates[0]}`, `technician_unassigned:${from}`].sort(),
    );
    expect(toTechs.every((m: { to: string }) => /^\+1512555\d{4}$/.test(m.to))).toBe(true);
    // The customer hears who comes now (same window), not that the visit moved.
    const newTech = demoTechnicians.find((t) => t.technicianId === candidates[0])!;
    const toCustomer = outbox.body.messages.filter((m: { kind: string }) => m.kind === 'technician_changed');
    expect(toCustomer).toHaveLength(1);
    expect(toCustomer[0].text).toContain(`${newTech.name.split(' ')[0]} will be your technician`);
    expect(outbox.body.messages.some((m: { kind: string }) => m.kind === 'reschedule_confirmation')).toBe(false);
  });

  it('400 when nothing to change is given', async () => {
    const tenant = await createTestTenant();
    const booking = await bookHeater(tenant, { date: nextWeekday(6, 4), start: '08:00' });
    const response = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { reason: 'no idea' });
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('window');
  });
});

describe('POST /v1/bookings/{id}/cancel', () => {
  it('releases the slot, cancels pending messages, tells the customer and the CRM, once', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 5);
    const booking = await bookHeater(tenant, { date, start: '10:00' });
    const cancelled = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/cancel`, { reason: 'customer fixed it' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'customer fixed it' });
    expect(await slotsOf(tenant, booking.bookingId)).toEqual([]);
    const availability = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${date}&to=${date}`);
    expect(availability.body.windows.map((w: { start: string }) => w.start)).toContain('10:00');
    const ledger = await ledgerOf(tenant, booking.bookingId);
    // What the cancel wrote is due now: pending, or already queued (or sent) if the sweeper ticked
    // meanwhile. Every other message still waiting (reminders) is cancelled.
    const told = ['cancellation', 'technician_unassigned'];
    expect(
      ledger
        .filter((r) => told.includes(r.kind) && ['pending', 'queued', 'sent'].includes(r.status))
        .map((r) => r.kind)
        .sort(),
    ).toEqual(told);
    expect(ledger.filter((r) => r.status === 'pending' && !told.includes(r.kind)).map((r) => r.kind)).toEqual([]);
    const crm = (await partitionItems(`T#${tenant.tenantId}#CRM`)).find((i) => i.sk === `JOB#${booking.bookingId}`);
    expect(crm?.state).toBe('cancelled');

    const again = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/cancel`, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect((await tenant.call('POST', `/v1/bookings/${booking.bookingId}/cancel`, {})).status).toBe(400);
  });
});
