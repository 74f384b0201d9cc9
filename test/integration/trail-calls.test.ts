/**
 * Issue 19 item 1: the job trail and the messages it sends make few DynamoDB calls. The booking's
 * spine nodes run in-process (as in booking-calls.test.ts), then the trail's steps in the ASL's
 * order with the state the ASL gives each (ResultPath), then the NotifyWorker's use case on the
 * booking's three messages (confirmation, technician, dispatcher); a middleware on the shared
 * DynamoDB client records each one's calls. Asserted: call ceilings per step and per message (counts,
 * never timings), no step after AssignTechnician reads the booking when its facts are in the state,
 * the booking is written once by the whole trail (CloseTrail) and a retried CloseTrail writes nothing
 * again, the worker reads a message's row, booking, tenant and parties in one request (the ids its
 * writer put on the row) and never lists every technician, records a message in one conditional write
 * (no transaction), and a message delivered twice is sent once; NotifyTeam's two messages fail apart;
 * NotifyTeam writes its rows `queued` (it queues them itself: no sweeper write) and a retried one only
 * finds them there.
 * The messages are the test's own rows (version 2, written `queued` and sent here at once, long before
 * their first requeue deadline, a minute on): no other file's sweep or drain lists them.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { readBookingFacts } from '../../functions/booking/facts';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { receivedBookingRecord } from '../../functions/booking/received';
import { bookingKeys, createBookingRecord, getBookingWithTimeline } from '../../functions/booking/store';
import { handler as checkCapacity } from '../../functions/capacity/check-capacity.handler';
import { handler as commitSlot } from '../../functions/capacity/commit-slot.handler';
import { handler as softHold } from '../../functions/capacity/soft-hold.handler';
import { sendNotification } from '../../functions/notify/send';
import { listOutbox, notifyKeys, putLedgerRows } from '../../functions/notify/store';
import { queryPrefix } from '../../functions/shared/dynamo';
import { handler as recogniseCustomer } from '../../functions/recognise/recognise-customer.handler';
import type { WorkflowState } from '../../functions/shared/node';
import { handler as assignTechnician } from '../../functions/trail/assign-technician.handler';
import { handler as closeTrail } from '../../functions/trail/close-trail.handler';
import { handler as materialsCheck } from '../../functions/trail/materials-check.handler';
import { handler as notifyTeam } from '../../functions/trail/notify-team.handler';
import { handler as prepChecklist } from '../../functions/trail/prep-checklist.handler';
import { listTechnicians } from '../../functions/tenant/store';
import { resolveJobType } from '../../functions/triage/booking';
import { type Call, counted, reads } from './dynamo-calls';
import { bookingRequest, createTestTenant } from './helpers';

const context = {} as Context;

const READ_COMMANDS = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)Command$/;
const describeCalls = (of: Call[]) => JSON.stringify(of.map((call) => call.command.replace('Command', '')));
const writes = (of: Call[]) => of.filter((call) => !READ_COMMANDS.test(call.command));

describe('the job trail and its messages in few DynamoDB calls (issue 19)', () => {
  it('each trail step and each message stays under its ceiling, later steps use AssignTechnician’s facts, a message delivered twice is sent once', async () => {
    const tenant = await createTestTenant();
    const request = await resolveJobType(
      tenant.tenantId,
      CreateBookingRequestSchema.parse(bookingRequest({ customer: { name: 'Tess Trail', phone: '5125558191' } })),
    );
    const at = new Date();
    const bookingId = ulid(at.getTime());
    // The booking as the route stores it, then the spine's nodes up to its commit.
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
    const facts = await readBookingFacts(tenant.tenantId, bookingId);
    const spine: WorkflowState = { tenantId: tenant.tenantId, bookingId, facts: facts as unknown as Record<string, unknown> };
    spine.customer = (await recogniseCustomer(spine, context)) as WorkflowState['customer'];
    spine.capacity = await checkCapacity(spine, context);
    spine.hold = await softHold(spine, context);
    expect(await commitSlot(spine, context)).toMatchObject({ status: 'confirmed' });

    // The trail, as the booking workflow starts it: { tenantId, bookingId }, each step's result at its ResultPath.
    const trail: WorkflowState = { tenantId: tenant.tenantId, bookingId };
    const assigned = await counted(() => assignTechnician(trail, context));
    expect(assigned.result).toMatchObject({ changed: false, technicianId: spine.hold.technicianId });
    trail.assignment = assigned.result;
    const toTeam = await counted(() => notifyTeam(trail, context));
    trail.notices = toTeam.result;
    expect(toTeam.result).toMatchObject({ NotifyTechnician: { technicianId: spine.hold.technicianId }, NotifyDispatcher: { notified: ['dispatcher_alert'] } });
    const checklist = await counted(() => prepChecklist(trail, context));
    trail.checklist = checklist.result;
    const materials = await counted(() => materialsCheck(trail, context));
    trail.materials = materials.result;
    const closed = await counted(() => closeTrail(trail, context));
    expect(closed.result).toEqual({ failedSteps: [] });

    // What the trail wrote is what it wrote when each step wrote its own: every step's entry in order,
    // the technician on the trail's record, the checklist and parts on the job.
    const trailSteps = (timeline: Array<{ node: string; outcome: string }> | undefined) =>
      (timeline ?? []).filter((e) => !spineNodes.has(e.node)).map((e) => `${e.node}:${e.outcome}`);
    const spineNodes = new Set(['Received', 'RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'CommitSlot']);
    const booking = await getBookingWithTimeline(tenant.tenantId, bookingId);
    const expected = [
      'AssignTechnician:kept',
      'NotifyTechnician:queued',
      'NotifyDispatcher:queued',
      `PrepChecklist:${checklist.result.items ? 'created' : 'none'}`,
      `MaterialsCheck:${materials.result.parts ? 'listed' : 'none'}`,
      'CloseTrail:closed',
    ];
    expect(trailSteps(booking?.timeline)).toEqual(expected);
    const record = (await queryPrefix(bookingKeys.partition(tenant.tenantId, bookingId), 'BOOKING', { consistent: true }))[0];
    expect(record?.trail).toMatchObject({ assignedTechnicianId: spine.hold.technicianId, failedSteps: [] });
    expect(record?.checklist ?? []).toHaveLength(checklist.result.items);
    expect(record?.materials ?? []).toHaveLength(materials.result.parts);

    // A retried CloseTrail (or a duplicate run's) finds the trail closed: no write, no entry again.
    const closedAgain = await counted(() => closeTrail(trail, context));
    expect(closedAgain.result).toEqual({ failedSteps: [], alreadyClosed: true });
    expect(writes(closedAgain.calls).filter((call) => call.command !== 'UpdateItemCommand')).toEqual([]);
    // NotifyTeam queued its messages itself (they are due now): the rows are written `queued`, so no
    // sweeper writes them again (its markQueued: one write per message before), and the doorbell rang.
    const teamRows = async () => queryPrefix(bookingKeys.partition(tenant.tenantId, bookingId), notifyKeys.ledgerPrefix, { consistent: true });
    const rowsBefore = await teamRows();
    expect(rowsBefore.map((row) => row.kind).sort()).toEqual(['dispatcher_alert', 'technician_job']);
    // Queued (or sent already: another file's drain may have delivered them), never left pending for the sweeper.
    for (const row of rowsBefore) expect(row).toMatchObject({ status: expect.stringMatching(/^(queued|sent)$/), queuedAt: expect.any(String) });
    // A retried NotifyTeam adds no row (each is put only where none exists) and so queues nothing: its
    // two conditional puts fail, nothing else (not the due marker).
    const retried = await counted(() => notifyTeam(trail, context));
    expect(retried.calls.map((call) => call.command)).toEqual(['PutItemCommand', 'PutItemCommand']);
    expect((await teamRows()).length).toBe(rowsBefore.length);
    expect(trailSteps((await getBookingWithTimeline(tenant.tenantId, bookingId))?.timeline)).toEqual(expected);

    // Ceilings (were 7, 3, 5, 3-4, 3-4, 3 calls, then 3, 3-4, 1, 1, 2): the booking is written once,
    // by CloseTrail, with every step's decision and timeline entry (one UpdateItem, no read first).
    // AssignTechnician: its two reads. NotifyTeam (was NotifyTechnician and NotifyDispatcher): the
    // two ledger rows and the due marker (notify/store.ts markDueShards). PrepChecklist and
    // MaterialsCheck decide on AssignTechnician's facts: no call.
    expect(assigned.calls.length, describeCalls(assigned.calls)).toBeLessThanOrEqual(2);
    expect(writes(assigned.calls), describeCalls(assigned.calls)).toEqual([]);
    expect(reads(toTeam.calls), describeCalls(toTeam.calls)).toEqual([]);
    const bookingPk = bookingKeys.partition(tenant.tenantId, bookingId);
    expect(
      writes(toTeam.calls).filter((call) => call.pks.includes(bookingPk) && call.command !== 'PutItemCommand'),
      describeCalls(toTeam.calls),
    ).toEqual([]);
    expect(toTeam.calls.length, describeCalls(toTeam.calls)).toBeLessThanOrEqual(3);
    for (const step of [checklist, materials]) expect(step.calls, describeCalls(step.calls)).toEqual([]);
    expect(closed.calls.map((call) => call.command)).toEqual(['UpdateItemCommand']);

    // NotifyTeam's rows name the ids the worker reads with them: the customer, job type and technician.
    const technicianId = spine.hold.technicianId;
    const teamRowItems = await queryPrefix(bookingKeys.partition(tenant.tenantId, bookingId), notifyKeys.ledgerPrefix, { consistent: true });
    const parties = { customerId: spine.customer!.customerId, jobTypeId: request.jobTypeId, technicianId };
    expect(teamRowItems.map((row) => row.parties)).toEqual([parties, parties]);

    // The NotifyWorker's use case on the booking's three messages (our own rows: see the file's comment),
    // queued as their writers queue them (with the parties), and one whose parties are not the
    // booking's any more (another technician; no customer named): its text is still the booking's.
    const rows = [
      { kind: 'confirmation' as const, version: 2, parties },
      { kind: 'technician_job' as const, technicianId, version: 2, parties },
      { kind: 'dispatcher_alert' as const, version: 2, parties },
      { kind: 'confirmation' as const, version: 3, parties: { jobTypeId: request.jobTypeId, technicianId: 'tech-who-left' } },
    ];
    const written = await putLedgerRows(
      tenant.tenantId,
      bookingId,
      rows.map(({ parties: _parties, ...row }) => ({ ...row, channel: 'sms' as const, dueAt: at.toISOString() })),
      { queuedAt: new Date() },
    );
    for (const row of rows) {
      // The doorbell its writer rings: with the row's ring (store.ts howToTake: the row's own message sends without a claim).
      const { ring } = written.find((w) => w.kind === row.kind && w.version === row.version)!;
      const message = { tenantId: tenant.tenantId, bookingId, ...row, ring };
      const sent = await counted(() => sendNotification(message));
      // Was 7 (six reads, the technicians a Query of all of them, and the sending transaction), then
      // 3 with a transaction of two items (4 billed writes), then two reads and one conditional write:
      // now one read (row, booking, tenant and parties) and the write; a party it did not name, one more read.
      const current = 'customerId' in row.parties;
      expect(sent.calls.length, describeCalls(sent.calls)).toBeLessThanOrEqual(current ? 2 : 3);
      expect(sent.calls.filter((call) => call.command === 'QueryCommand')).toEqual([]);
      expect(
        sent.calls.filter((call) => !READ_COMMANDS.test(call.command)).map((call) => call.command),
        describeCalls(sent.calls),
      ).toEqual(['UpdateItemCommand']);
      // Delivered twice: one read finds the row sent, nothing more.
      const again = await counted(() => sendNotification(message));
      expect(again.calls.length, describeCalls(again.calls)).toBe(1);
    }
    const outbox = (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === bookingId && m.version === 2);
    expect(outbox.map((m) => m.kind).sort()).toEqual(['confirmation', 'dispatcher_alert', 'technician_job']);
    const stale = (await listOutbox(tenant.tenantId)).find((m) => m.bookingId === bookingId && m.version === 3);
    expect(stale?.text).toBe(outbox.find((m) => m.kind === 'confirmation')?.text);
    // Each says what it said when the worker read every party on its own.
    const text = (kind: string) => String(outbox.find((m) => m.kind === kind)?.text);
    const technician = (await listTechnicians(tenant.tenantId)).find((t) => t.technicianId === technicianId);
    expect(text('confirmation')).toContain('Tess');
    expect(text('confirmation')).toContain(`${technician?.name.split(' ')[0]} will be your technician`);
    expect(outbox.find((m) => m.kind === 'technician_job')?.to).toBe(technician?.phone);
    expect(text('technician_job')).toContain('Tess Trail');
    expect(outbox.find((m) => m.kind === 'dispatcher_alert')?.to).toBe('+15125550100');
  });

  it('NotifyTeam keeps an exception path per message: no technician to notify, dispatch is still told, and CloseTrail opens the review item under NotifyTechnician', async () => {
    const tenant = await createTestTenant();
    const request = await resolveJobType(
      tenant.tenantId,
      CreateBookingRequestSchema.parse(bookingRequest({ customer: { name: 'Nora Notech', phone: '5125558192' } })),
    );
    const at = new Date();
    const bookingId = ulid(at.getTime());
    // Received, never committed: no window, so no technician.
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
    const trail: WorkflowState = { tenantId: tenant.tenantId, bookingId };
    const notices = (await notifyTeam(trail, context)) as { NotifyDispatcher?: unknown; failures?: Record<string, { Error: string }> };
    expect(notices.NotifyDispatcher).toEqual({ notified: ['dispatcher_alert'] });
    expect(notices.failures?.NotifyTechnician?.Error).toBe('InvariantError');
    trail.notices = notices;
    expect(await closeTrail(trail, context)).toEqual({ failedSteps: ['NotifyTechnician'] });
    const booking = await getBookingWithTimeline(tenant.tenantId, bookingId);
    expect(booking?.timeline?.map((e) => `${e.node}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['NotifyDispatcher:queued', 'CloseTrail:closed_with_failures']),
    );
    const review = (await tenant.call('GET', '/v1/review-items?kind=workflow_failed')).body.items as Array<{ reason: string; subject: { id: string } }>;
    expect(review.filter((item) => item.subject.id === bookingId).map((item) => item.reason)).toEqual([
      expect.stringContaining('Job trail step NotifyTechnician failed (InvariantError: The booking has no technician to notify'),
    ]);
  });
});
