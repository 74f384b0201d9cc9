/**
 * ScheduleNotifications -> ledger -> sweeper -> notify queue (the SQS server) -> NotifyWorker ->
 * local outbox. Driven by hand with an explicit clock, no waiting on the ticker.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { queues } from '../../functions/registry';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { listOutbox } from '../../functions/notify/store';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { bookingRequest, createTestTenant, CUSTOMER_KINDS, itemsWithPrefix, nextWeekday } from './helpers';

const notifyQueue = queues.find((q) => q.name === 'notify')!;
const sqs = { queueUrl: () => process.env.NOTIFY_QUEUE_URL! } as unknown as LocalSqs;

async function drainNotifyQueue(): Promise<void> {
  while ((await pollOnce(sqs, notifyQueue, 0)) > 0);
}

describe('notifications', () => {
  it('sends the confirmation once, and the reminders when they fall due, exactly once each', async () => {
    const tenant = await createTestTenant();
    const window = { date: nextWeekday(5, 4), start: '10:00' };
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window }));
    expect(booked.status).toBe(201);
    const bookingId = booked.body.bookingId;

    const ledger = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#') && CUSTOMER_KINDS.has(i.kind));
    expect(ledger.map((row) => row.kind).sort()).toEqual(['confirmation', 'reminder_48h', 'reminder_day_of']);

    // Now: only the confirmation is due. Sweeping twice queues it once.
    await sweepDueNotifications(new Date());
    await sweepDueNotifications(new Date());
    await drainNotifyQueue();
    let outbox = (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === bookingId && CUSTOMER_KINDS.has(String(m.kind)));
    expect(outbox.map((m) => m.kind)).toEqual(['confirmation']);
    expect(outbox[0]).toMatchObject({ channel: 'sms', to: '+15125550142' });
    const day = DateTime.fromISO(window.date).setLocale('en-US').toFormat('ccc, LLL d');
    expect(String(outbox[0]!.text)).toContain(`confirmed for ${day}, 10 AM-12 PM`);

    // The morning of the visit: both reminders are due; each goes out once.
    const visitMorning = new Date(`${window.date}T14:00:00Z`);
    await sweepDueNotifications(visitMorning);
    await sweepDueNotifications(visitMorning);
    await drainNotifyQueue();
    outbox = (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === bookingId && CUSTOMER_KINDS.has(String(m.kind)));
    expect(outbox.map((m) => m.kind).sort()).toEqual(['confirmation', 'reminder_48h', 'reminder_day_of']);
  });

  it('queues the confirmation with the booking: it reaches the outbox with no sweep, and a sweep after it sends nothing twice', async () => {
    const tenant = await createTestTenant();
    const window = { date: nextWeekday(5, 4), start: '10:00' };
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window }));
    expect(booked.status).toBe(201);
    const bookingId = booked.body.bookingId;
    const confirmations = async () => (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === bookingId && m.kind === 'confirmation');

    // ScheduleNotifications queued it: the worker (the notify queue's consumer) alone delivers it.
    await expect
      .poll(
        async () => {
          await drainNotifyQueue();
          return (await confirmations()).length;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(1);
    const rows = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
    expect(rows.find((r) => r.kind === 'confirmation')).toMatchObject({ status: 'sent', queuedAt: expect.any(String) });
    // The reminders wait for the sweeper, as before.
    expect(rows.filter((r) => CUSTOMER_KINDS.has(r.kind) && r.kind !== 'confirmation').map((r) => r.status)).toEqual(['pending', 'pending']);

    // The sweeper, the safety net, finds nothing of it to queue again: still one confirmation.
    await sweepDueNotifications(new Date());
    await drainNotifyQueue();
    expect(await confirmations()).toHaveLength(1);
  }, 120_000);
});
