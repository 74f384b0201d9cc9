/**
 * Messages due now go now (issue 19 item 3), for every writer, not only the booking's confirmation
 * and the trail's alerts: a cancellation's text to the customer and the technician's "unassigned"
 * alert reach the provider through the notify queue alone, with no sweep (the local system's ticker
 * is off in tests: nothing else would queue them); a retried writer and the sweeper after it send
 * nothing twice; and a message the queue did not take is still sent by the next sweep (the safety net).
 */
import { describe, expect, it } from 'vitest';
import { addLedgerRows } from '../../functions/notify/queue-now';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { bookingRequest, createTestTenant, itemsWithPrefix, nextWeekday, settledBooking, waitForTrail, type TestTenant } from './helpers';
import { drain, ledgerRows, outboxFor } from './lifecycle-helpers';

const heaterAddress = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };

async function bookHeater(tenant: TestTenant, window: { date: string; start: string }): Promise<Record<string, any>> {
  const booking = await settledBooking(tenant, bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address: heaterAddress, window }), {});
  expect(booking.status, JSON.stringify(booking)).toBe('confirmed');
  await waitForTrail(booking.bookingId);
  return booking;
}

/** What the provider has for the booking, of these kinds: `kind:to`, sorted. */
async function sent(tenantId: string, bookingId: string, kinds: string[]): Promise<string[]> {
  return (await outboxFor(tenantId, bookingId))
    .filter((m) => kinds.includes(String(m.kind)))
    .map((m) => `${m.kind}:${m.to}`)
    .sort();
}

describe('messages due now', { timeout: 300_000 }, () => {
  it('a cancellation texts the customer and tells the technician with no sweep; a retried writer or a sweep after sends nothing twice', async () => {
    const tenant = await createTestTenant();
    const booking = await bookHeater(tenant, { date: nextWeekday(2, 4), start: '10:00' });
    expect(booking.window.technicianId).toBe('tech-03');
    const cancelled = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/cancel`, { reason: 'customer fixed it' });
    expect(cancelled.status).toBe(200);

    // No sweep: the notify queue's worker alone hands both to the provider.
    await drain('notify');
    const told = ['cancellation', 'technician_unassigned'];
    // The example's customer, (512) 555-0142, and tech-03.
    expect(await sent(tenant.tenantId, booking.bookingId, told)).toEqual(['cancellation:+15125550142', 'technician_unassigned:+15125552003']);

    // The cancel's writer runs again (a retried Lambda): its rows exist, nothing is written or queued.
    const rows = (await ledgerRows(tenant.tenantId, booking.bookingId)).filter((r) => told.includes(r.kind));
    const again = rows.map(({ kind, channel, dueAt, technicianId, version }) => ({ kind, channel, dueAt, technicianId, version }));
    expect(await addLedgerRows(tenant.tenantId, booking.bookingId, again, { at: new Date() })).toBe(0);
    await sweepDueNotifications(new Date());
    await drain('notify');
    expect(await sent(tenant.tenantId, booking.bookingId, told)).toHaveLength(2);
  });

  it('a message the notify queue did not take goes back to pending and the next sweep sends it', async () => {
    const tenant = await createTestTenant();
    const booking = await bookHeater(tenant, { date: nextWeekday(4, 4), start: '12:00' });
    const queueUrl = process.env.NOTIFY_QUEUE_URL!;
    const at = new Date();
    const row = { kind: 'technician_assigned' as const, channel: 'sms' as const, dueAt: at.toISOString(), technicianId: 'tech-03', version: 7 };
    // The queue refuses (here: a queue that does not exist); the row is written all the same.
    process.env.NOTIFY_QUEUE_URL = `${queueUrl}-missing`;
    try {
      expect(await addLedgerRows(tenant.tenantId, booking.bookingId, [row], { at })).toBe(1);
    } finally {
      process.env.NOTIFY_QUEUE_URL = queueUrl;
    }
    const written = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${booking.bookingId}`)).find((i) => i.sk === 'NOTIFY#technician_assigned#tech-03#v7');
    expect(written).toMatchObject({ status: 'pending', dueAt: at.toISOString() });

    await sweepDueNotifications(new Date());
    await drain('notify');
    expect(await sent(tenant.tenantId, booking.bookingId, ['technician_assigned'])).toEqual(['technician_assigned:+15125552003']);
  });
});
