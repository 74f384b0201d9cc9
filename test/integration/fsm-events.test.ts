/**
 * The FSM's word is final for the schedule (issue 15 item 4): a job rescheduled, completed,
 * invoiced, cancelled or marked no-show in the field moves or cancels every pending message of the
 * job, moves or frees its capacity claims, and reconciles the CRM; a redelivered event changes
 * nothing more. Driven through the jobs API and the status-events worker, asserting on the
 * notification ledger, the claims and availability as DynamoDB Local holds them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { getBookingRecord } from '../../functions/booking/store';
import { builtinCrmKeys } from '../../functions/crm/adapters/builtin';
import { documentClient } from '../../functions/shared/clients';
import { bookingRequest, createTestTenant, nextWeekday, type TestTenant, storedClaims } from './helpers';
import { drain, ledgerRows } from './lifecycle-helpers';

/** Only tech-03 (Tue-Sat) fixes water heaters in 78744: one slot per window, so capacity is visible. */
const WATER_HEATER = { jobTypeId: 'plumbing-water-heater-repair', address: { ...bookingRequest().address, postalCode: '78744' } };

/** Books through the API; under load the answer may be 202 (still processing): its status URL then has the outcome. */
async function book(tenant: TestTenant, date: string, start: string, customer?: { name: string; phone: string }): Promise<string> {
  const body = bookingRequest({ ...WATER_HEATER, window: { date, start }, ...(customer ? { customer } : {}) });
  const booked = await tenant.call('POST', '/v1/bookings', body);
  expect([201, 202], JSON.stringify(booked.body)).toContain(booked.status);
  const bookingId = booked.body.bookingId as string;
  await expect.poll(async () => (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body?.status, { timeout: 60_000, interval: 500 }).toBe('confirmed');
  expect((await tenant.call('GET', `/v1/bookings/${bookingId}`)).body).toMatchObject({ window: { date, start, technicianId: 'tech-03' } });
  return bookingId;
}

/** The window starts open that day (undefined while the route is unavailable, e.g. a cold or busy Lambda). */
async function openStarts(tenant: TestTenant, date: string): Promise<string[] | undefined> {
  const response = await tenant.call('GET', `/v1/availability?jobTypeId=${WATER_HEATER.jobTypeId}&postalCode=78744&from=${date}&to=${date}`);
  if (response.status !== 200) return undefined;
  return (response.body.windows as Array<{ start: string }>).map((w) => w.start);
}

const eventually = { timeout: 60_000, interval: 1_000 };

/** The booking's claims; a technician-window counter appears once per claim on it (claimRows). */
async function claimsOf(tenantId: string, bookingId: string): Promise<Array<Record<string, any>>> {
  return (await storedClaims(tenantId)).filter((i) => i.bookingId === bookingId);
}

async function postEvent(tenant: TestTenant, bookingId: string, event: Record<string, unknown>): Promise<void> {
  const posted = await tenant.call('POST', `/v1/jobs/${bookingId}/events`, event);
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
}

const pendingKinds = async (tenantId: string, bookingId: string) =>
  (await ledgerRows(tenantId, bookingId))
    .filter((r) => r.status === 'pending')
    .map((r) => r.kind)
    .sort();

async function crmJob(tenantId: string, bookingId: string): Promise<Record<string, any>> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: builtinCrmKeys.job(tenantId, bookingId), ConsistentRead: true }),
  );
  return Item ?? {};
}

describe('FSM events move or cancel what the job had planned', { timeout: 300_000 }, () => {
  it('completed cancels the pending visit reminders (and invoiced keeps them cancelled), keeping the post-job messages', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const bookingId = await book(tenant, date, '10:00');
    expect(await pendingKinds(tenant.tenantId, bookingId)).toEqual(expect.arrayContaining(['reminder_48h', 'reminder_day_of']));

    // The job was done early (the FSM moved it up and completed it) before its reminders fell due.
    const at = new Date(Date.now() + 60_000).toISOString();
    await postEvent(tenant, bookingId, { eventId: 'fsm-done', type: 'completed', occurredAt: at, data: { technicianNotes: 'Replaced the thermocouple' } });
    await postEvent(tenant, bookingId, { eventId: 'fsm-done', type: 'completed', occurredAt: at }); // redelivered
    await drain('status-events');

    const rows = Object.fromEntries((await ledgerRows(tenant.tenantId, bookingId)).map((r) => [r.sk, r.status]));
    expect(rows['NOTIFY#reminder_48h']).toBe('cancelled');
    expect(rows['NOTIFY#reminder_day_of']).toBe('cancelled');
    expect(await pendingKinds(tenant.tenantId, bookingId)).toEqual(expect.arrayContaining(['review_request', 'thank_you']));
    expect(await pendingKinds(tenant.tenantId, bookingId)).not.toContain('reminder_day_of');

    await postEvent(tenant, bookingId, {
      eventId: 'fsm-inv',
      type: 'invoiced',
      occurredAt: new Date(Date.parse(at) + 60_000).toISOString(),
      data: { amountCents: 18_000 },
    });
    await drain('status-events');
    const pending = await pendingKinds(tenant.tenantId, bookingId);
    expect(pending).not.toContain('reminder_day_of');
    expect(pending).not.toContain('reminder_48h');
    expect(pending).toEqual(expect.arrayContaining(['payment_reminder', 'review_request']));
    expect(await crmJob(tenant.tenantId, bookingId)).toMatchObject({ state: 'invoiced' });
  });

  it('rescheduled with a new window moves the claims and re-plans the reminders for the new window', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const bookingId = await book(tenant, date, '10:00');
    await expect.poll(() => openStarts(tenant, date), eventually).toEqual(['08:00', '12:00', '14:00']);
    const before = await claimsOf(tenant.tenantId, bookingId);
    expect(before.map((c) => c.sk)).toContain(`SLOT#${date}#C#10:00#tech-03`);

    const event = {
      eventId: 'fsm-move',
      type: 'rescheduled',
      occurredAt: new Date().toISOString(),
      data: { window: { date, start: '14:00' }, technicianId: 'tech-03', reason: 'Customer asked for the afternoon' },
    };
    await postEvent(tenant, bookingId, event);
    await postEvent(tenant, bookingId, event); // the FSM sends it twice
    await drain('status-events');

    const booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ status: 'confirmed', jobState: 'rescheduled', window: { date, start: '14:00', end: '16:00', technicianId: 'tech-03' } });
    const after = await claimsOf(tenant.tenantId, bookingId);
    expect(after.map((c) => c.sk)).toContain(`SLOT#${date}#C#14:00#tech-03`);
    expect(after.map((c) => c.sk)).not.toContain(`SLOT#${date}#C#10:00#tech-03`);
    expect(after.every((c) => c.status === 'BOOKED' && c.holdId === booking.holdId)).toBe(true);
    // The window it left is offered again; the one it took is not.
    await expect.poll(() => openStarts(tenant, date), eventually).toEqual(['08:00', '10:00', '12:00']);

    // The reminders of the old window are cancelled; the new schedule's rows are due for 14:00.
    const rows = await ledgerRows(tenant.tenantId, bookingId);
    const old = rows.filter((r) => !r.version || r.version === 1);
    expect(old.filter((r) => r.kind.startsWith('reminder_')).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    // The reschedule confirmation is due now: its writer queued it at once (it may be sent already).
    const fresh = rows.filter((r) => r.version === booking.scheduleVersion && ['pending', 'queued', 'sent'].includes(r.status));
    expect(fresh.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['reminder_48h', 'reminder_day_of', 'reschedule_confirmation']));
    const start = DateTime.fromISO(`${date}T14:00`, { zone: 'America/Chicago' });
    expect(Date.parse(fresh.find((r) => r.kind === 'reminder_48h')!.dueAt)).toBe(start.minus({ hours: 48 }).toMillis());
    // Exactly one set of new rows, however often the event came.
    expect(rows.filter((r) => r.kind === 'reschedule_confirmation')).toHaveLength(1);

    // The CRM hears the new appointment through the mapping table.
    expect((await crmJob(tenant.tenantId, bookingId)).fields).toMatchObject({ next_appointment: `${date} 14:00-16:00` });
    // The timeline says the field moved it.
    const view = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect((view.timeline as Array<{ outcome: string }>).map((t) => t.outcome)).toContain('rescheduled');
  });

  it('rescheduled onto a window another job holds keeps capacity safe and opens a review item', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const first = await book(tenant, date, '10:00');
    const second = await book(tenant, date, '12:00', { name: 'Sam Ortiz', phone: '(512) 555-0199' });
    await postEvent(tenant, first, {
      eventId: 'fsm-clash',
      type: 'rescheduled',
      occurredAt: new Date().toISOString(),
      data: { window: { date, start: '12:00' } },
    });
    await drain('status-events');
    // The FSM's time is the job's time; no slot is claimed twice, the old one is kept until dispatch decides.
    expect(await getBookingRecord(tenant.tenantId, first)).toMatchObject({ window: { date, start: '12:00' } });
    expect((await claimsOf(tenant.tenantId, second)).map((c) => c.sk)).toContain(`SLOT#${date}#C#12:00#tech-03`);
    expect((await claimsOf(tenant.tenantId, first)).map((c) => c.sk)).toContain(`SLOT#${date}#C#10:00#tech-03`);
    const items = (await tenant.call('GET', '/v1/review-items?status=open')).body.items as Array<Record<string, any>>;
    expect(items.some((i) => i.subject?.id === first && i.kind === 'stale_capacity')).toBe(true);
  });

  it('cancelled frees the capacity (availability offers the window again) and cancels the pending reminders', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const bookingId = await book(tenant, date, '10:00');
    await expect.poll(() => openStarts(tenant, date), eventually).toEqual(['08:00', '12:00', '14:00']);
    await postEvent(tenant, bookingId, { eventId: 'fsm-x', type: 'cancelled', occurredAt: new Date().toISOString(), data: { reason: 'Fixed it themselves' } });
    await drain('status-events');
    expect(await claimsOf(tenant.tenantId, bookingId)).toEqual([]);
    await expect.poll(() => openStarts(tenant, date), eventually).toEqual(['08:00', '10:00', '12:00', '14:00']);
    expect(await pendingKinds(tenant.tenantId, bookingId)).not.toEqual(expect.arrayContaining(['reminder_day_of']));
    expect(await crmJob(tenant.tenantId, bookingId)).toMatchObject({ state: 'cancelled', dealStage: 'Closed Lost' });
  });

  it('no_show cancels the visit reminders and plans the follow-up', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 4);
    const bookingId = await book(tenant, date, '10:00');
    await postEvent(tenant, bookingId, { eventId: 'fsm-ns', type: 'no_show', occurredAt: new Date().toISOString() });
    await drain('status-events');
    const pending = await pendingKinds(tenant.tenantId, bookingId);
    expect(pending).toContain('no_show_followup');
    expect(pending).not.toContain('reminder_48h');
    expect(pending).not.toContain('reminder_day_of');
  });
});
