/**
 * A change to a booked job is never made with nobody told (booking/follow-up-store.ts): a cancellation
 * or reschedule whose run fails (or dies) after its transaction leaves a follow-up item, and the
 * recovery sweep tells the customer and the technician, notes the timeline, updates the CRM and offers
 * the freed window to a waiting caller, each once. The changes run in this process so that a failure
 * can be put in their way (dynamo-faults.ts); what they leave is read through the public API and the table.
 */
import { ulid } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import { cancelBooking, rescheduleBooking } from '../../functions/booking/changes';
import { acceptBooking, dismissBooking } from '../../functions/booking/decide';
import { sweepRecovery } from '../../functions/booking/recover-stuck';
import { FOLLOW_UP_TAKEOVER_MS } from '../../functions/booking/follow-up-store';
import { putTenant } from '../../functions/tenant/store';
import { demoTenant } from '../../local/demo';
import { bookingRequest, createTestTenant, itemsWithPrefix, nextWeekday, settledBooking, type TestTenant } from './helpers';
import { withDynamoFault } from './dynamo-faults';
import { fullDayWithTwoWaiting } from './waitlist-helpers';

const CALLERS: Parameters<typeof fullDayWithTwoWaiting>[1] = [
  { name: 'Emery Stone', phone: '(512) 555-0191' },
  { name: 'Finley Ward', phone: '(512) 555-0192' },
];
import { handler as statusEventsHandler } from '../../functions/lifecycle/status-events.handler';
import { sqsRecord } from '../../local/pollers';

const tenantsHere: string[] = [];
afterAll(async () => {
  await Promise.all(tenantsHere.map((tenantId) => putTenant(demoTenant(tenantId))));
});

const throttling = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });

async function partition(tenant: TestTenant, bookingId: string) {
  return itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`);
}
const rowsOf = (items: Array<Record<string, any>>, kind: string) => items.filter((row) => String(row.sk).startsWith('NOTIFY#') && row.kind === kind);
const followUpsOf = (items: Array<Record<string, any>>) => items.filter((row) => String(row.sk).startsWith('FOLLOW_UP#'));

async function leadsById(tenant: TestTenant) {
  return new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l]));
}

/** After the change's own run had its time: the sweep takes over. */
const takeover = (from: Date, times = 1) => new Date(from.getTime() + times * (FOLLOW_UP_TAKEOVER_MS + 60_000));

describe('a change whose run fails after it is written: the recovery sweep does what it owes', () => {
  it('a cancellation: the customer and technician are told, the timeline and CRM say so, the freed window goes to the first waiting caller, once', async () => {
    const tenant = await createTestTenant();
    tenantsHere.push(tenant.tenantId);
    const { date, first, earlier, later } = await fullDayWithTwoWaiting(tenant, CALLERS);
    const at = new Date();
    // DynamoDB refuses the cancellation text's row: the run stops after its transaction.
    const run = await withDynamoFault(
      { when: (input) => input.includes(tenant.tenantId) && input.includes('"kind":"cancellation"'), error: throttling },
      1,
      () => cancelBooking(tenant.tenantId, first.bookingId, 'customer fixed it', 'test', at),
    );
    expect(run.refused).toBe(1);
    // The change is made and answered as made; what it owes is on record, not yet done.
    expect(run.result?.status).toBe('cancelled');
    let items = await partition(tenant, first.bookingId);
    expect(rowsOf(items, 'cancellation')).toEqual([]);
    expect(followUpsOf(items)).toHaveLength(1);
    expect((await leadsById(tenant)).get(earlier.leadId)).toMatchObject({ status: 'waitlisted' });
    // The booking's activity says what is not done yet, and from when the sweep takes it over.
    const activity = async () => (await tenant.call('GET', `/v1/bookings/${first.bookingId}/activity`)).body;
    expect((await activity()).owed).toEqual([
      {
        change: 'cancelled',
        name: 'cancellation',
        at: at.toISOString(),
        dueAt: new Date(at.getTime() + FOLLOW_UP_TAKEOVER_MS).toISOString(),
        what: 'telling the customer, the technician and the CRM, and offering the window to a waiting caller',
      },
    ]);

    // Before the run's time is up the sweep leaves it alone; then it takes over.
    expect((await sweepRecovery(new Date(at.getTime() + 60_000), { tenantId: tenant.tenantId })).followUps).toEqual({});
    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });

    items = await partition(tenant, first.bookingId);
    expect(rowsOf(items, 'cancellation')).toHaveLength(1);
    expect(rowsOf(items, 'technician_unassigned')).toHaveLength(1);
    expect(followUpsOf(items)).toEqual([]);
    expect((await activity()).owed).toEqual([]);
    const booking = (await tenant.call('GET', `/v1/bookings/${first.bookingId}`)).body;
    expect(booking.timeline.filter((e: any) => e.outcome === 'cancelled')).toHaveLength(1);
    // The CRM has the job cancelled (crm/write.ts records the state it wrote on the booking).
    expect(items.find((row) => row.sk === 'BOOKING')?.crm).toMatchObject({ state: 'cancelled' });
    const leads = await leadsById(tenant);
    expect(leads.get(earlier.leadId)).toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '10:00', freedBy: first.bookingId }) });
    expect(leads.get(later.leadId)).toMatchObject({ status: 'waitlisted' });

    // Done once: a later sweep finds nothing owed.
    expect((await sweepRecovery(takeover(at, 3), { tenantId: tenant.tenantId })).followUps).toEqual({});
  }, 240_000);

  it('a run that offered the window and died before it finished: the sweep offers it to nobody else', async () => {
    const tenant = await createTestTenant();
    tenantsHere.push(tenant.tenantId);
    const { date, first, earlier, later } = await fullDayWithTwoWaiting(tenant, CALLERS);
    const at = new Date();
    // Everything is done but taking the follow-up off the record.
    const run = await withDynamoFault(
      { when: (input) => input.includes(tenant.tenantId) && input.includes('FOLLOW_UP#') && !input.includes('TransactItems'), error: throttling },
      1,
      () => cancelBooking(tenant.tenantId, first.bookingId, 'customer fixed it', 'test', at),
    );
    expect(run.refused).toBe(1);
    const owed = followUpsOf(await partition(tenant, first.bookingId));
    expect(owed).toMatchObject([{ offeredLeadId: earlier.leadId }]);

    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });
    const leads = await leadsById(tenant);
    expect(leads.get(earlier.leadId)).toMatchObject({ status: 'offered', offers: 1, offer: expect.objectContaining({ date, freedBy: first.bookingId }) });
    expect(leads.get(later.leadId)).toMatchObject({ status: 'waitlisted' });
    const items = await partition(tenant, first.bookingId);
    expect(rowsOf(items, 'cancellation')).toHaveLength(1);
    expect(followUpsOf(items)).toEqual([]);
  }, 240_000);

  it('a reschedule: the customer hears the new time once, the timeline says so', async () => {
    const tenant = await createTestTenant();
    tenantsHere.push(tenant.tenantId);
    const date = nextWeekday(4);
    const booking = await settledBooking(tenant, bookingRequest({ window: { date, start: '08:00' } }), { 'Idempotency-Key': `fu-${ulid()}` });
    const at = new Date();
    const run = await withDynamoFault(
      { when: (input) => input.includes(tenant.tenantId) && input.includes('"kind":"reschedule_confirmation"'), error: throttling },
      1,
      () => rescheduleBooking(tenant.tenantId, booking.bookingId, { window: { date, start: '14:00' }, reason: 'customer asked' }, 'test', at),
    );
    expect(run.refused).toBe(1);
    expect(run.result?.window).toMatchObject({ date, start: '14:00' });
    expect(rowsOf(await partition(tenant, booking.bookingId), 'reschedule_confirmation')).toEqual([]);

    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });
    const items = await partition(tenant, booking.bookingId);
    expect(rowsOf(items, 'reschedule_confirmation')).toHaveLength(1);
    expect(followUpsOf(items)).toEqual([]);
    const read = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body;
    expect(read.timeline.filter((e: any) => e.outcome === 'rescheduled')).toMatchObject([
      { detail: { from: expect.objectContaining({ start: '08:00' }), to: expect.objectContaining({ start: '14:00' }) } },
    ]);
  }, 240_000);

  it('a job cancelled in the field whose worker stops right after the cancellation: the sweep offers the window to the first waiting caller', async () => {
    const tenant = await createTestTenant();
    tenantsHere.push(tenant.tenantId);
    const { date, first, earlier, later } = await fullDayWithTwoWaiting(tenant, CALLERS);
    const at = new Date();
    // The field service system's event, as the status-events queue delivers it to its worker (here, in this process).
    const message = {
      tenantId: tenant.tenantId,
      bookingId: first.bookingId,
      source: 'api',
      receivedAt: at.toISOString(),
      event: { eventId: 'fsm-cancel', type: 'cancelled', occurredAt: at.toISOString(), data: { reason: 'Customer fixed it themselves' } },
    };
    const record = {
      Records: [
        sqsRecord(
          {
            MessageId: 'm-1',
            ReceiptHandle: 'r',
            Body: JSON.stringify(message),
            Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', ApproximateFirstReceiveTimestamp: '0' },
          },
          'jobrelay-status-events',
        ),
      ],
    };
    // The worker stops right after the cancellation's transaction: every later call of this company's fails.
    let cancelled = false;
    await withDynamoFault(
      {
        when: (input) => {
          if (input.includes('"cancelled_in_field"')) {
            cancelled = true;
            return false;
          }
          return cancelled && input.includes(tenant.tenantId);
        },
        error: throttling,
      },
      Number.POSITIVE_INFINITY,
      () => statusEventsHandler(record as never).catch((error: Error) => error),
    );
    expect(cancelled).toBe(true);
    expect((await tenant.call('GET', `/v1/bookings/${first.bookingId}`)).body).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_in_field' });
    expect((await leadsById(tenant)).get(earlier.leadId)).toMatchObject({ status: 'waitlisted' });

    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });
    const leads = await leadsById(tenant);
    expect(leads.get(earlier.leadId)).toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '10:00', freedBy: first.bookingId }) });
    expect(leads.get(later.leadId)).toMatchObject({ status: 'waitlisted' });
    expect(followUpsOf(await partition(tenant, first.bookingId))).toEqual([]);
  }, 240_000);

  /** A booking from a source whose bookings wait for a dispatcher (attribution.test.ts), and its open approval items. */
  async function pendingBooking() {
    const tenant = await createTestTenant({ sourceSettings: { google_ads: { requiresAcceptance: true } } } as never);
    tenantsHere.push(tenant.tenantId);
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date: nextWeekday(2, 3), start: '10:00' } }));
    expect(booked.body.status, JSON.stringify(booked.body)).toBe('pending_approval');
    const bookingId = booked.body.bookingId as string;
    const approvals = async () =>
      ((await tenant.call('GET', '/v1/review-items?kind=pending_approval&status=open')).body.items as Array<Record<string, any>>).filter(
        (i) => i.subject.id === bookingId,
      );
    expect(await approvals()).toHaveLength(1);
    return { tenant, bookingId, approvals, dispatcher: { tenantId: tenant.tenantId, keyId: 'k-dispatch', keyName: 'Dispatch desk', scopes: [] } };
  }

  it('an acceptance: the customer gets the confirmation, the CRM has it booked, the approval item closes', async () => {
    const { tenant, bookingId, approvals, dispatcher } = await pendingBooking();
    const at = new Date();
    // The run stops after the acceptance's transaction: its timeline entry is refused.
    const run = await withDynamoFault(
      { when: (input) => input.includes(tenant.tenantId) && input.includes('#AcceptBooking#accepted'), error: throttling },
      1,
      () => acceptBooking(dispatcher, bookingId),
    );
    expect(run.refused).toBe(1);
    expect(run.result).toMatchObject({ status: 'confirmed' });
    expect(rowsOf(await partition(tenant, bookingId), 'confirmation')).toEqual([]);
    expect(await approvals()).toHaveLength(1);

    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });
    const items = await partition(tenant, bookingId);
    expect(rowsOf(items, 'confirmation')).toHaveLength(1);
    expect(items.find((row) => row.sk === 'BOOKING')?.crm).toMatchObject({ state: 'booked' });
    expect(await approvals()).toEqual([]);
    expect(followUpsOf(items)).toEqual([]);
    const read = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(read.timeline.filter((e: any) => e.outcome === 'accepted')).toMatchObject([{ detail: { by: 'Dispatch desk (key k-dispatch)' } }]);
  }, 240_000);

  it('a dismissal: its approval item is closed and the timeline says so', async () => {
    const { tenant, bookingId, approvals, dispatcher } = await pendingBooking();
    const at = new Date();
    // The run stops after the dismissal's transaction: its timeline entry is refused.
    const run = await withDynamoFault(
      { when: (input) => input.includes(tenant.tenantId) && input.includes('#DismissBooking#dismissed'), error: throttling },
      1,
      () => dismissBooking(dispatcher, bookingId, { reason: 'Duplicate of a phone booking' }),
    );
    expect(run.refused).toBe(1);
    expect(run.result).toMatchObject({ status: 'dismissed' });
    expect(await approvals()).toHaveLength(1);

    expect((await sweepRecovery(takeover(at), { tenantId: tenant.tenantId })).followUps).toEqual({ done: 1 });
    expect(await approvals()).toEqual([]);
    const read = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(read.timeline.filter((e: any) => e.outcome === 'dismissed')).toMatchObject([
      { detail: { by: 'Dispatch desk (key k-dispatch)', reason: 'Duplicate of a phone booking', slot: 'RELEASED' } },
    ]);
    expect(followUpsOf(await partition(tenant, bookingId))).toEqual([]);
  }, 240_000);

  it('follow-ups that keep failing go to a person after three sweeps, naming the booking', async () => {
    const tenant = await createTestTenant();
    tenantsHere.push(tenant.tenantId);
    const booking = await settledBooking(tenant, bookingRequest({ window: { date: nextWeekday(5), start: '08:00' } }), { 'Idempotency-Key': `fu-${ulid()}` });
    const at = new Date();
    await withDynamoFault({ when: (input) => input.includes(tenant.tenantId) && input.includes('"kind":"cancellation"'), error: throttling }, 10, async () => {
      await cancelBooking(tenant.tenantId, booking.bookingId, 'duplicate', 'test', at);
      expect((await sweepRecovery(takeover(at, 1), { tenantId: tenant.tenantId })).followUps).toEqual({});
      expect((await sweepRecovery(takeover(at, 2), { tenantId: tenant.tenantId })).followUps).toEqual({});
      expect((await sweepRecovery(takeover(at, 3), { tenantId: tenant.tenantId })).followUps).toEqual({ to_review: 1 });
    });
    const items = (await tenant.call('GET', '/v1/review-items?status=open')).body.items as Array<Record<string, any>>;
    const item = items.find((i) => i.subject.type === 'booking' && i.subject.id === booking.bookingId && i.kind === 'workflow_failed');
    expect(item?.reason, JSON.stringify(items)).toMatch(
      /^The booking was cancelled, but telling the customer, the technician and the CRM, and offering the window to a waiting caller failed 3 times \(ThrottlingException: .*\): check the booking's messages, the CRM and the waitlist, and tell the customer\.$/,
    );
    expect(followUpsOf(await partition(tenant, booking.bookingId))).toEqual([]);
  }, 240_000);
});
