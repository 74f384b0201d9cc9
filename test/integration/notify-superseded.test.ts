/**
 * A message overtaken by a newer change is not sent (issue 19 item 3 follow-up). Every writer queues
 * its due-now messages at once, and the worker writes each text from the booking as it is when it
 * sends: a job moved twice before the worker got to the first move's messages would tell the customer
 * (and the technicians) the same thing twice. The first move's rows are settled `superseded`, with a
 * reason the dispatcher reads in the booking's activity. The notify queue is drained only after both
 * moves (this file holds the queue alone: file-locks.ts).
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest, createTestTenant, nextWeekday, waitForTrail, type TestTenant } from './helpers';
import { drain, outboxFor } from './lifecycle-helpers';

const firstName = (technicianId: string) => demoTechnicians.find((t) => t.technicianId === technicianId)!.name.split(' ')[0]!;
/** A plumber of the demo other than the job's: a move of the technician only. */
const otherPlumber = (technicianId: string) => ['tech-01', 'tech-02', 'tech-06'].find((t) => t !== technicianId)!;

const heaterAddress = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };

async function book(tenant: TestTenant, body: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await tenant.call('POST', '/v1/bookings', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  await waitForTrail(response.body.bookingId);
  return response.body;
}

async function move(tenant: TestTenant, bookingId: string, change: Record<string, unknown>): Promise<Record<string, any>> {
  const moved = await tenant.call('POST', `/v1/bookings/${bookingId}/reschedule`, change);
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return moved.body;
}

/** The booking's messages of these kinds as its activity shows them (GET /v1/bookings/{id}/activity). */
async function ledger(tenant: TestTenant, bookingId: string, kinds: string[]): Promise<Array<Record<string, any>>> {
  const activity = await tenant.call('GET', `/v1/bookings/${bookingId}/activity`);
  expect(activity.status).toBe(200);
  return activity.body.messages.filter((m: { kind: string }) => kinds.includes(m.kind));
}

describe('a message overtaken by a newer change', { timeout: 300_000 }, () => {
  it('two quick moves of one job: the customer is told once, of the second; the first move’s text is superseded', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const booking = await book(tenant, bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address: heaterAddress, window: { date, start: '10:00' } }));
    await move(tenant, booking.bookingId, { window: { date, start: '12:00' }, reason: 'customer asked' });
    const second = await move(tenant, booking.bookingId, { window: { date, start: '14:00' }, reason: 'customer asked again' });
    expect(second.window).toMatchObject({ date, start: '14:00' });

    await drain('notify');
    const texts = (await outboxFor(tenant.tenantId, booking.bookingId)).filter((m) => m.kind === 'reschedule_confirmation');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.text).toContain('moved to');
    expect(texts[0]!.text).toContain('2-4 PM');

    const rows = await ledger(tenant, booking.bookingId, ['reschedule_confirmation']);
    expect(rows.map((m) => m.status).sort()).toEqual(['sent', 'superseded']);
    const superseded = rows.find((m) => m.status === 'superseded')!;
    expect(superseded.sentAt).toBeUndefined();
    expect(superseded.reason).toMatch(/changed again before this went out/);
  });

  it('two quick reassignments: the customer and the final technician are told once; the technician it left at once is not told of it', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(2, 4);
    const booking = await book(tenant, bookingRequest({ window: { date, start: '10:00' } }));
    const first = booking.window.technicianId as string;
    const [via, to] = ['tech-01', 'tech-02', 'tech-06'].filter((t) => t !== first);
    await move(tenant, booking.bookingId, { technicianId: via });
    const moved = await move(tenant, booking.bookingId, { technicianId: to });
    expect(moved.window).toMatchObject({ date, start: '10:00', technicianId: to });

    await drain('notify');
    const outbox = await outboxFor(tenant.tenantId, booking.bookingId);
    const of = (kind: string) => outbox.filter((m) => m.kind === kind);
    expect(of('technician_changed')).toHaveLength(1);
    expect(of('technician_assigned').map((m) => m.technicianId)).toEqual([to]);
    // The technician the job was first booked with hears it is off their schedule.
    expect(of('technician_unassigned').map((m) => m.technicianId)).toContain(first);

    const rows = await ledger(tenant, booking.bookingId, ['technician_changed', 'technician_assigned']);
    const superseded = rows.filter((m) => m.status === 'superseded').map((m) => `${m.kind}:${m.technicianId ?? 'customer'}`);
    expect(superseded.sort()).toEqual(['technician_changed:customer', `technician_assigned:${via}`].sort());
  });

  it('a time move then a move of the technician only: the customer is told the new time (with who comes) and who comes', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const booking = await book(tenant, bookingRequest({ window: { date, start: '10:00' } }));
    const timed = await move(tenant, booking.bookingId, { window: { date, start: '12:00' }, reason: 'customer asked' });
    expect(timed.window).toMatchObject({ date, start: '12:00', end: '14:00' });
    const to = otherPlumber(timed.window.technicianId);
    const swapped = await move(tenant, booking.bookingId, { technicianId: to, reason: 'route' });
    expect(swapped.window).toMatchObject({ date, start: '12:00', technicianId: to });

    await drain('notify');
    const outbox = await outboxFor(tenant.tenantId, booking.bookingId);
    const texts = (kind: string) => outbox.filter((m) => m.kind === kind).map((m) => m.text as string);
    // The customer read "10-12" in the confirmation: the time change must reach them, naming who comes now.
    expect(texts('reschedule_confirmation')).toHaveLength(1);
    expect(texts('reschedule_confirmation')[0]).toContain('moved to');
    expect(texts('reschedule_confirmation')[0]).toContain(`12-2 PM with ${firstName(to)}`);
    expect(texts('technician_changed')).toHaveLength(1);
    expect(texts('technician_changed')[0]).toContain(`${firstName(to)} will be your technician`);
    expect(texts('technician_changed')[0]).toContain('still on');
    expect(texts('technician_changed')[0]).toContain('12-2 PM');
    const rows = await ledger(tenant, booking.bookingId, ['reschedule_confirmation', 'technician_changed']);
    expect(rows.filter((m) => m.status === 'superseded')).toEqual([]);
  });

  it('a time move held by quiet hours, then a move of the technician only: the time text still waits for the morning', async () => {
    const local = DateTime.now().setZone('America/Chicago');
    const quietHours = { start: local.minus({ minutes: 30 }).toFormat('HH:mm'), end: local.plus({ minutes: 90 }).toFormat('HH:mm') };
    const tenant = await createTestTenant({ messaging: { sms: { provider: 'outbox' }, email: { provider: 'outbox' }, templates: {}, quietHours } });
    const date = nextWeekday(4, 4);
    const booking = await book(tenant, bookingRequest({ window: { date, start: '10:00' } }));
    const timed = await move(tenant, booking.bookingId, { window: { date, start: '12:00' }, reason: 'customer asked' });
    await drain('notify');
    await move(tenant, booking.bookingId, { technicianId: otherPlumber(timed.window.technicianId), reason: 'route' });
    await drain('notify');

    // Both wait for the end of quiet hours (the sweeper sends them then): neither replaces the other.
    const rows = await ledger(tenant, booking.bookingId, ['reschedule_confirmation', 'technician_changed']);
    expect(rows.map((m) => `${m.kind}:${m.status}`).sort()).toEqual(['reschedule_confirmation:pending', 'technician_changed:pending']);
  });
});
