/**
 * The job lifecycle end to end: a booking made through the public API walks confirmed -> dispatched
 * -> en_route -> completed -> invoiced -> paid with events from the jobs API and the signed FSM
 * webhook, through the status-events queue and StatusEventsWorker, checking every message, CRM field
 * and state along the way; then the same events replayed twice and shuffled give the same end state.
 * Time is explicit: events carry their own times, and rows are swept with explicit clocks.
 */
import { sqsRecord } from '../../local/pollers';
import { describe, expect, it } from 'vitest';
import { getBookingRecord } from '../../functions/booking/store';
import { builtinCrmKeys } from '../../functions/crm/adapters/builtin';
import { signWebhook } from '../../functions/crm/adapters/webhook';
import { getCustomer } from '../../functions/recognise/store';
import { documentClient } from '../../functions/shared/clients';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as statusEventsHandler } from '../../functions/lifecycle/status-events.handler';
import { findOpenReviewItems } from '../../functions/review/store';
import { putJobType, putTenant } from '../../functions/tenant/store';
import { demoJobTypes, demoTenant } from '../../local/demo';
import { bookingRequest, callApi, createTestTenant, nextWeekday, setCredential, type TestTenant, storedClaims } from './helpers';
import { drain, ledgerRows, outboxFor, sweepSubjects } from './lifecycle-helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function crmJob(tenantId: string, bookingId: string): Promise<Record<string, any>> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: builtinCrmKeys.job(tenantId, bookingId), ConsistentRead: true }),
  );
  return Item ?? {};
}

async function setup(): Promise<{ tenant: TestTenant; bookingId: string; date: string }> {
  const tenant = await createTestTenant({ reviewRequestDelayHours: 2, paymentReminderDays: [3, 7, 14] } as never);
  const drainClog = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
  await putJobType(tenant.tenantId, { ...drainClog, rebookAfterDays: 90, maintenanceIntervalMonths: 12 });
  const date = nextWeekday(3, 3);
  const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date, start: '10:00' } }));
  expect(booked.status).toBe(201);
  expect(booked.body.status).toBe('confirmed');
  return { tenant, bookingId: booked.body.bookingId, date };
}

/** The field's events for a visit on `date` (10:00-12:00 Chicago = 16:00-18:00 UTC in winter, 15:00-17:00 in summer). */
function fieldEvents(date: string) {
  const at = (hhmmZ: string, days = 0) => new Date(Date.parse(`${date}T${hhmmZ}:00Z`) + days * DAY).toISOString();
  return [
    { eventId: 'fsm-1', type: 'dispatched', occurredAt: at('14:00'), data: { technicianId: 'tech-01', technicianName: 'Maria Gonzales', eta: at('16:30') } },
    { eventId: 'fsm-2', type: 'en_route', occurredAt: at('16:00'), data: { eta: at('16:25') } },
    {
      eventId: 'fsm-3',
      type: 'completed',
      occurredAt: at('17:30'),
      data: {
        technicianNotes: 'Cleared kitchen line, camera showed grease build-up',
        equipmentNotes: 'Garbage disposal InSinkErator Badger 5, worn',
        equipment: [{ kind: 'garbage disposal', make: 'InSinkErator', model: 'Badger 5' }],
      },
    },
    {
      eventId: 'fsm-4',
      type: 'invoiced',
      occurredAt: at('18:00'),
      data: {
        amountCents: 24_500,
        lineItems: [
          { description: 'Drain clearing', amountCents: 19_500 },
          { description: 'Camera inspection', amountCents: 5_000 },
        ],
      },
    },
    { eventId: 'fsm-5', type: 'paid', occurredAt: at('18:00', 4), data: { amountCents: 24_500 } },
  ] as const;
}

describe('job lifecycle from the field', () => {
  it('walks a booking from confirmed to paid: states, CRM fields, customer facts and every message', async () => {
    const { tenant, bookingId, date } = await setup();
    const events = fieldEvents(date);
    // Every message to the customer (the job trail also tells the technician and the dispatcher).
    const kinds = async () =>
      (await outboxFor(tenant.tenantId, bookingId))
        .filter((m) => m.to === '+15125550142')
        .map((m) => m.kind)
        .sort();
    const text = async (kind: string) => String((await outboxFor(tenant.tenantId, bookingId)).find((m) => m.kind === kind)?.text);

    // Booked: the confirmation goes out.
    await sweepSubjects(tenant.tenantId, [bookingId], new Date());
    expect(await kinds()).toEqual(['confirmation']);

    // Bad input is a 400 naming the field; an unknown job a 404.
    const bad = await tenant.call('POST', `/v1/jobs/${bookingId}/events`, { ...events[0], type: 'teleported' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('type');
    expect((await tenant.call('POST', '/v1/jobs/NOPE/events', events[0])).status).toBe(404);

    // Dispatched (jobs API): CRM gets technician and ETA; the ETA message names them.
    const posted = await tenant.call('POST', `/v1/jobs/${bookingId}/events`, events[0]);
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ accepted: true, bookingId, eventId: 'fsm-1' });
    await drain('status-events');
    let booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ jobState: 'dispatched', jobVersion: 1, lastEventId: 'fsm-1', technicianName: 'Maria Gonzales' });
    let crm = await crmJob(tenant.tenantId, bookingId);
    expect(crm).toMatchObject({ state: 'dispatched', dealStage: 'Dispatched' });
    expect(crm.fields).toMatchObject({
      assigned_technician: 'Maria Gonzales',
      eta: events[0].data.eta,
      external_booking_id: bookingId,
      job_type: 'Drain clog',
    });
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(events[0].occurredAt));
    // The visit's own reminders fell due before dispatch too (48 h before, and 07:00 on the day).
    expect(await kinds()).toEqual(['confirmation', 'eta', 'reminder_48h', 'reminder_day_of']);
    expect(await text('eta')).toMatch(/Maria from Lone Star Plumbing & Air is scheduled to arrive around \w{3}, \w{3} \d{1,2}, \d{1,2}:30 (AM|PM)/);

    // En route, through the signed FSM webhook: a bad signature is 401, a good one is queued.
    const secret = 'whsec_fieldedge_test';
    await setCredential(tenant, 'job-events/fieldedge', { signingKey: secret });
    const body = JSON.stringify({ jobId: bookingId, ...events[1] });
    const ts = Math.floor(Date.now() / 1000);
    const webhook = (signature: string, timestamp = ts) =>
      callApi('POST', `/v1/webhooks/fieldedge/job-events?tenant=${tenant.tenantId}`, {
        rawBody: body,
        headers: { 'x-jobrelay-timestamp': String(timestamp), 'x-jobrelay-signature': signature },
      });
    expect((await webhook('v1=deadbeef')).status).toBe(401);
    expect((await webhook(signWebhook(secret, ts - 3600, body), ts - 3600)).status).toBe(401); // outside the replay window
    expect((await webhook(signWebhook('another-tenants-secret', ts, body))).status).toBe(401);
    const accepted = await webhook(signWebhook(secret, ts, body));
    expect(accepted.status).toBe(202);
    await drain('status-events');
    booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ jobState: 'en_route', jobVersion: 2, lastEventId: 'fsm-2' });
    crm = await crmJob(tenant.tenantId, bookingId);
    expect(crm).toMatchObject({ state: 'en_route', dealStage: 'Dispatched' });
    expect(crm.fields.eta).toBe(new Date(events[1].data.eta).toISOString());
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(events[1].occurredAt));
    expect(await kinds()).toEqual(['confirmation', 'eta', 'on_the_way', 'reminder_48h', 'reminder_day_of']);
    expect(await text('on_the_way')).toContain('Maria from Lone Star Plumbing & Air is on the way, arriving around');

    // Completed: service history and equipment on the customer, thank-you now, review request 2 h later.
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, events[2]);
    await drain('status-events');
    booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ jobState: 'completed', completedAt: events[2].occurredAt });
    const customer = (await getCustomer(tenant.tenantId, booking.customerId!))!;
    expect(customer.serviceHistory).toEqual([
      expect.objectContaining({
        bookingId,
        date,
        jobType: 'Drain clog',
        equipmentNotes: events[2].data.equipmentNotes,
        technicianNotes: events[2].data.technicianNotes,
      }),
    ]);
    expect(customer.equipment).toEqual([expect.objectContaining({ kind: 'garbage disposal', make: 'InSinkErator' })]);
    const nextYear = `${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;
    expect(customer.nextMaintenanceDue).toBe(nextYear);
    crm = await crmJob(tenant.tenantId, bookingId);
    expect(crm).toMatchObject({ state: 'completed', dealStage: 'Completed' });
    expect(crm.fields).toMatchObject({
      service_history_entry: events[2].occurredAt,
      equipment_notes: events[2].data.equipmentNotes,
      technician_notes: events[2].data.technicianNotes,
    });
    const completedAt = Date.parse(events[2].occurredAt);
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(completedAt + HOUR));
    expect(await kinds()).toEqual(['confirmation', 'eta', 'on_the_way', 'reminder_48h', 'reminder_day_of', 'thank_you']);
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(completedAt + 2 * HOUR));
    expect(await kinds()).toEqual(['confirmation', 'eta', 'on_the_way', 'reminder_48h', 'reminder_day_of', 'review_request', 'thank_you']);
    const rows = Object.fromEntries((await ledgerRows(tenant.tenantId, bookingId)).map((r) => [r.kind, r]));
    expect(rows.rebooking_followup.dueAt.slice(0, 10)).toBe(new Date(completedAt + 90 * DAY).toISOString().slice(0, 10));
    expect(rows.maintenance_due.status).toBe('pending');

    // Invoiced: amount stored, first payment reminder 3 days later quotes it.
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, events[3]);
    await drain('status-events');
    booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ jobState: 'invoiced', invoicedAmountCents: 24_500, invoicedAt: events[3].occurredAt });
    crm = await crmJob(tenant.tenantId, bookingId);
    expect(crm.fields).toMatchObject({ balance: '$245.00', line_items: 'Drain clearing: $195.00; Camera inspection: $50.00' });
    const invoicedAt = Date.parse(events[3].occurredAt);
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(invoicedAt + 3 * DAY));
    expect(await kinds()).toContain('payment_reminder');
    expect(await text('payment_reminder')).toContain('($245.00)');

    // Paid: revenue on the booking, account status and last-paid date on the customer and in the CRM; later reminders cancelled.
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, events[4]);
    await drain('status-events');
    booking = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(booking).toMatchObject({ jobState: 'paid', jobVersion: 5, paidAt: events[4].occurredAt, paidAmountCents: 24_500, status: 'confirmed' });
    expect((await getCustomer(tenant.tenantId, booking.customerId!))!.account).toEqual({
      status: 'current',
      lastPaidAt: events[4].occurredAt,
      lastPaidAmountCents: 24_500,
      balanceCents: 0,
    });
    crm = await crmJob(tenant.tenantId, bookingId);
    expect(crm).toMatchObject({ state: 'paid', dealStage: 'Closed Won' });
    expect(crm.fields).toMatchObject({ account_status: 'current', last_paid_date: events[4].occurredAt });
    const { Item: contact } = await documentClient().send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: builtinCrmKeys.contact(tenant.tenantId, booking.customerId!), ConsistentRead: true }),
    );
    // The contact keeps its customer fields through every lifecycle write.
    expect(contact?.fields).toMatchObject({ customer_name: 'Jordan Rivera', customer_phone: '+15125550142' });
    const after = Object.fromEntries((await ledgerRows(tenant.tenantId, bookingId)).map((r) => [r.kind, r.status]));
    expect(after).toMatchObject({ payment_reminder: 'sent', payment_reminder_2: 'cancelled', payment_reminder_final: 'cancelled' });

    // Months later: the rebooking follow-up goes out; no payment reminder ever again.
    await sweepSubjects(tenant.tenantId, [bookingId], new Date(completedAt + 91 * DAY));
    expect(await kinds()).toEqual([
      'confirmation',
      'eta',
      'on_the_way',
      'payment_reminder',
      'rebooking_followup',
      'reminder_48h',
      'reminder_day_of',
      'review_request',
      'thank_you',
    ]);

    // A late duplicate and an out-of-order event change nothing.
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, events[0]);
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, { ...events[0], eventId: 'fsm-late' });
    await drain('status-events');
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ jobState: 'paid', jobVersion: 5 });
    const view = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(view.job).toEqual({
      state: 'paid',
      version: 5,
      lastEventAt: events[4].occurredAt,
      lastEventId: 'fsm-5',
      completedAt: events[2].occurredAt,
      invoicedAmountCents: 24_500,
      paidAt: events[4].occurredAt,
      paidAmountCents: 24_500,
    });
    const timeline = view.timeline as Array<{ node: string; outcome: string }>;
    expect(timeline.filter((t) => t.node === 'StatusEventsWorker').map((t) => t.outcome)).toContain('ignored_stale');
  });

  it('replaying the events twice and shuffled ends in the same state', async () => {
    const first = await setup();
    const second = await setup();
    const events = fieldEvents(first.date);
    for (const event of events) await first.tenant.call('POST', `/v1/jobs/${first.bookingId}/events`, event);
    await drain('status-events');

    // Twice each, in an order that puts paid first and dispatched last; applied in batches.
    const shuffled = [events[4], events[2], events[0], events[3], events[1], events[1], events[4], events[0], events[3], events[2]];
    for (const event of shuffled) await second.tenant.call('POST', `/v1/jobs/${second.bookingId}/events`, event);
    await drain('status-events');

    const pick = (b: Record<string, any>) => ({
      jobState: b.jobState,
      lastEventId: b.lastEventId,
      lastEventAt: b.lastEventAt,
      paidAt: b.paidAt,
      paidAmountCents: b.paidAmountCents,
    });
    const a = (await getBookingRecord(first.tenant.tenantId, first.bookingId))!;
    const b = (await getBookingRecord(second.tenant.tenantId, second.bookingId))!;
    expect(pick(b)).toEqual(pick(a));
    expect(pick(a)).toMatchObject({ jobState: 'paid', lastEventId: 'fsm-5', paidAmountCents: 24_500 });
    // Each event id applied at most once.
    expect(b.jobVersion).toBeLessThanOrEqual(events.length);
  });

  it('a job cancelled in the field gives its window back and the booking says cancelled', async () => {
    const { tenant, bookingId, date } = await setup();
    const claims = () => storedClaims(tenant.tenantId).then((items) => items.filter((i) => i.bookingId === bookingId));
    expect(await claims()).not.toHaveLength(0);
    const event = { eventId: 'fsm-cancel', type: 'cancelled', occurredAt: new Date().toISOString(), data: { reason: 'Customer fixed it themselves' } };
    expect((await tenant.call('POST', `/v1/jobs/${bookingId}/events`, event)).status).toBe(202);
    await tenant.call('POST', `/v1/jobs/${bookingId}/events`, event); // the FSM sends it twice
    await drain('status-events');
    expect(await claims()).toEqual([]);
    const after = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(after).toMatchObject({ status: 'cancelled', statusReason: 'cancelled_in_field', job: { state: 'cancelled' } });
    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    expect(JSON.stringify(board)).not.toContain(bookingId);
  });
});

describe('a job event that keeps failing', () => {
  it('opens a review item on the last receive; its redrive re-runs the actions and resolves it', async () => {
    const { tenant, bookingId, date } = await setup();
    const event = fieldEvents(date)[0];
    // The tenant's CRM goes down (a webhook nobody answers).
    await putTenant({ ...demoTenant(tenant.tenantId), crm: { adapter: 'webhook', url: 'http://127.0.0.1:9/crm', timeoutMs: 200 } });
    await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: 'whsec_lifecycle_dead_crm' });
    const message = { tenantId: tenant.tenantId, bookingId, source: 'api', receivedAt: new Date().toISOString(), event: { ...event, data: { ...event.data } } };
    const record = (receiveCount: number) => ({
      Records: [
        sqsRecord(
          {
            MessageId: `m-${receiveCount}`,
            ReceiptHandle: 'r',
            Body: JSON.stringify(message),
            Attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', ApproximateFirstReceiveTimestamp: '0' },
          },
          'jobrelay-status-events',
        ),
      ],
    });

    // A batch whose every record failed is thrown back whole (Powertools), so SQS retries it.
    await expect(statusEventsHandler(record(4) as never)).rejects.toThrow(/All records failed/);
    const workerItems = async () =>
      (await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: bookingId }, 'workflow_failed')).filter(
        (i) => i.payload?.node === 'StatusEventsWorker',
      );
    expect(await workerItems()).toHaveLength(0);
    await expect(statusEventsHandler(record(5) as never)).rejects.toThrow(/All records failed/);
    // The state is applied (version-checked once); the actions are what failed.
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ jobState: 'dispatched', jobVersion: 1, lastEventId: 'fsm-1' });
    const open = await workerItems();
    expect(open).toHaveLength(1);
    expect(open[0]!.reason).toContain('job event fsm-1 (dispatched) failed 5 times');
    expect(open[0]!.redrive).toMatchObject({ type: 'message', queue: 'status-events' });

    // The CRM is back; the redriven message runs the actions once and closes the item.
    await putTenant(demoTenant(tenant.tenantId));
    expect(await statusEventsHandler(record(1) as never)).toEqual({ batchItemFailures: [] });
    expect(await crmJob(tenant.tenantId, bookingId)).toMatchObject({ state: 'dispatched', dealStage: 'Dispatched' });
    expect((await ledgerRows(tenant.tenantId, bookingId)).map((r) => r.kind)).toContain('eta');
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ jobVersion: 1, jobEffectsEventId: 'fsm-1' });
    expect(await workerItems()).toHaveLength(0);
  });
});
