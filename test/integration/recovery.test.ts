/**
 * Issue 12, items 1-4: a booking id is reserved before any work and a retry resumes it; the recovery
 * sweep finishes or hands to a person what a dead run left; a lost hold after the CRM write is
 * compensated in the CRM; a lost outbox doorbell is rung again.
 * "A run died here" is laid out with the real code: the reservation as the route writes it, the
 * booking record, and the workflow's own node handlers run up to the node where the crash fell.
 * (test/integration/crash.test.ts kills a whole local system with SIGKILL instead.) The sweep is
 * called with an injected clock and narrowed to this file's tenant, as the files share one system.
 */
import { sqsRecord } from '../../local/pollers';
import type { Context, SQSEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepRecovery } from '../../functions/booking/recover-stuck';
import { bookingRequestHash, getReservation, reserveBooking } from '../../functions/booking/reservation-store';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { receivedBookingRecord } from '../../functions/booking/received';
import { createBookingRecord, getBookingRecord } from '../../functions/booking/store';
import { handler as checkCapacity } from '../../functions/capacity/check-capacity.handler';
import { handler as softHold } from '../../functions/capacity/soft-hold.handler';
import { getHold } from '../../functions/capacity/store';
import { crmSyncKeys, getCrmSyncWork, listDueCrmSyncWork } from '../../functions/crm/outbox-store';
import { handler as crmSyncWorker } from '../../functions/crm/sync.handler';
import { handler as writeCrm } from '../../functions/crm/write-crm.handler';
import { handler as recogniseCustomer } from '../../functions/recognise/recognise-customer.handler';
import { handler as recordReviewItem } from '../../functions/review/record-review-item.handler';
import { documentClient } from '../../functions/shared/clients';
import type { WorkflowState } from '../../functions/shared/node';
import { resolveJobType } from '../../functions/triage/booking';
import { WebhookContract } from '../contract-servers/webhook';
import { bookingRequest, createTestTenant, itemsWithPrefix, partitionItems, setCredential, tenantBookings, type TestTenant, storedClaims } from './helpers';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { duePartition, FIRST_REQUEUE_AFTER_MS, listOutbox, putLedgerRows, REQUEUE_AFTER_MS } from '../../functions/notify/store';
import { handler as notifyWorker } from '../../functions/notify/send.handler';

const context = {} as Context;
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** What the route reserves and stores for `body` under `key` before its run dies (at `at`). */
async function deadRun(tenant: TestTenant, key: string, body: Record<string, unknown>, options: { at: Date; record: boolean }) {
  const request = await resolveJobType(tenant.tenantId, CreateBookingRequestSchema.parse(body));
  const bookingId = ulid(options.at.getTime());
  const reserved = await reserveBooking(tenant.tenantId, key, bookingRequestHash(request), bookingId, options.at);
  expect(reserved.reserved).toBe(true);
  if (options.record) {
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at: options.at, reservationKey: key }));
  }
  return bookingId;
}

/** The booking workflow's nodes, run in order as the ASL does, up to (and including) `last`. */
async function runNodesUntil(tenantId: string, bookingId: string, last: 'SoftHold' | 'WriteCrm'): Promise<WorkflowState> {
  const state: WorkflowState = { tenantId, bookingId };
  state.customer = (await recogniseCustomer(state, context)) as WorkflowState['customer'];
  state.capacity = await checkCapacity(state, context);
  state.hold = await softHold(state, context);
  expect(state.hold).toMatchObject({ held: true });
  if (last === 'WriteCrm') state.crm = (await writeCrm(state, context)) as WorkflowState['crm'];
  return state;
}

/** A well-behaved client: while the answer is 202 (still running) or 409 in progress, it waits and retries with its key. */
async function postUntilAnswered(tenant: TestTenant, body: unknown, key: string) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const answer = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': key });
    if (answer.status !== 202 && !(answer.status === 409 && answer.body?.error?.code === 'request_in_progress')) return answer;
    await new Promise((r) => setTimeout(r, Math.min(5, Number(answer.headers.get('retry-after') ?? 1)) * 1000));
  }
  throw new Error(`${key}: no final answer`);
}

async function bookingsOf(tenant: TestTenant) {
  return tenantBookings(tenant.tenantId);
}

// The built-in CRM's records are one partition (crm/adapters/builtin.ts): read it, not a Scan of the whole table.
const crmJobs = async (tenant: TestTenant) => (await partitionItems(`T#${tenant.tenantId}#CRM`)).filter((item) => item.type === 'CrmJob');

/** Delivers the doorbell of every due outbox row of the tenant to the worker (as SQS would). */
async function deliverDueCrmSync(tenantId: string, by: Date): Promise<number> {
  const due = await listDueCrmSyncWork(by, 100, tenantId);
  if (!due.length) return 0;
  const event: SQSEvent = {
    Records: due.map((work, index) =>
      sqsRecord(
        {
          MessageId: `test-${ulid()}-${index}`,
          ReceiptHandle: 'test',
          Body: JSON.stringify({
            tenantId: work.tenantId,
            bookingId: work.bookingId,
            ...(work.state ? { state: work.state } : {}),
            requestedAt: work.requestedAt,
          }),
        },
        'jobrelay-crm-sync',
      ),
    ),
  };
  await crmSyncWorker(event);
  return due.length;
}

describe('a booking id reserved before any work', () => {
  it('a retry while the first run is alive gets 409 with the booking id and Retry-After, and books nothing', async () => {
    const tenant = await createTestTenant();
    const body = bookingRequest({ customer: { name: 'Ina Flight', phone: '5125558100' } });
    const bookingId = await deadRun(tenant, 'in-flight-1', body, { at: new Date(), record: true });
    const retry = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': 'in-flight-1' });
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ error: { code: 'request_in_progress', field: 'Idempotency-Key' }, bookingId, status: `/v1/bookings/${bookingId}` });
    expect(Number(retry.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(retry.headers.get('retry-after'))).toBeLessThanOrEqual(35);
    expect(await bookingsOf(tenant)).toHaveLength(1);
  });

  it('a retry after the first run died resumes the same booking, and its replay answers the same', { timeout: 180_000 }, async () => {
    const tenant = await createTestTenant();
    const body = bookingRequest({ customer: { name: 'Cora Shed', phone: '5125558101' } });
    // The run died right after reserving (before it wrote the booking), its lease long gone.
    const bookingId = await deadRun(tenant, 'died-early', body, { at: minutes(-2), record: false });
    const resumed = await postUntilAnswered(tenant, body, 'died-early');
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(201);
    expect(resumed.body).toMatchObject({ bookingId, status: 'confirmed' });
    const replay = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': 'died-early' });
    expect(replay.body).toEqual(resumed.body);
    expect(await bookingsOf(tenant)).toHaveLength(1);
    expect(await crmJobs(tenant)).toHaveLength(1);
    // The same key with another body is still refused.
    const other = await tenant.call('POST', '/v1/bookings', { ...body, notes: 'different' }, { 'Idempotency-Key': 'died-early' });
    expect(other.status).toBe(422);
  });
});

describe('recovery sweep', () => {
  it('finishes a booking whose run died after holding its slot (and a retried key then answers with it)', { timeout: 180_000 }, async () => {
    const tenant = await createTestTenant();
    const body = bookingRequest({ customer: { name: 'Hal Dover', phone: '5125558102' } });
    const bookingId = await deadRun(tenant, 'died-after-hold', body, { at: minutes(-1), record: true });
    await runNodesUntil(tenant.tenantId, bookingId, 'SoftHold');
    const before = await getBookingRecord(tenant.tenantId, bookingId);
    expect(before).toMatchObject({ status: 'received', holdId: expect.any(String) });

    const sweep = await sweepRecovery(minutes(3), { tenantId: tenant.tenantId });
    // Confirmed: out of the index, or (its job trail, started by the run, not closed yet) looked at
    // again after the trail deadline (booking/recovery.ts TRAIL_DEADLINE_MS, 15 minutes).
    expect([{ settled: 1 }, { later: 1 }]).toContainEqual(sweep.bookings);
    const after = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(after).toMatchObject({ bookingId, status: 'confirmed', window: before!.window });
    expect(await getHold(tenant.tenantId, before!.holdId!)).toMatchObject({ status: 'BOOKED', bookingId });
    expect(after.timeline.map((e: { node: string; outcome: string }) => `${e.node}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['RecoverySweep:redriven', 'CheckCapacity:hold_kept', 'CommitSlot:booked']),
    );
    expect(await crmJobs(tenant)).toHaveLength(1);
    // Out of the index (or not due before the trail deadline): the next sweep has nothing to do.
    expect(await sweepRecovery(minutes(10), { tenantId: tenant.tenantId })).toEqual({ bookings: {}, crmDoorbells: 0, followUps: {} });
    // The caller's retry gets that booking, not a new one.
    const retry = await postUntilAnswered(tenant, body, 'died-after-hold');
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ bookingId, status: 'confirmed' });
    expect(await bookingsOf(tenant)).toHaveLength(1);
    expect((await getReservation(tenant.tenantId, 'died-after-hold'))?.status).toBe('completed');
  });

  it('a booking that lost its hold after the CRM write goes to a person: slot released, dispatch told, CRM record cancelled', {
    timeout: 180_000,
  }, async () => {
    const tenant = await createTestTenant();
    const body = bookingRequest({ customer: { name: 'Lou Stslot', phone: '5125558103' } });
    const bookingId = await deadRun(tenant, 'lost-hold', body, { at: minutes(-1), record: true });
    const state = await runNodesUntil(tenant.tenantId, bookingId, 'WriteCrm');
    // CommitSlot failed (the workflow's Catch path ran): pending_confirmation, the slot never committed.
    await recordReviewItem({ ...state, failures: { CommitSlot: { Error: 'TransientError', Cause: 'DynamoDB throttled the commit' } } }, context);
    const before = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(before).toMatchObject({ status: 'pending_confirmation', crm: { state: 'booked' } });
    const hold = (await getHold(tenant.tenantId, before.holdId!))!;
    expect(hold.status).toBe('HELD');

    // While the hold lives, the sweep waits; once it expired, a person gets the booking.
    expect((await sweepRecovery(minutes(3), { tenantId: tenant.tenantId })).bookings).toEqual({ later: 1 });
    const sweep = await sweepRecovery(new Date((hold.expiresAt! + 60) * 1000), { tenantId: tenant.tenantId });
    expect(sweep.bookings).toEqual({ handed_to_person: 1 });

    const after = (await getBookingRecord(tenant.tenantId, bookingId))!;
    expect(after).toMatchObject({ status: 'pending_confirmation', statusReason: 'hold_expired' });
    expect(await getHold(tenant.tenantId, before.holdId!)).toMatchObject({ status: 'RELEASED' });
    const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.holdId === before.holdId);
    expect(claims).toEqual([]);
    const items = (await tenant.call('GET', '/v1/review-items?kind=booking_stuck&status=open')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: bookingId } });
    expect(items[0].reason).toMatch(/lost its slot/);
    const ledger = await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`);
    expect(ledger.filter((row) => row.sk === 'NOTIFY#dispatcher_callback')).toHaveLength(1);

    // Compensation: the CRM's job for it is cancelled through the mapping table, once.
    expect(await getCrmSyncWork(tenant.tenantId, bookingId, 'cancelled')).toMatchObject({ status: 'pending' });
    expect(await deliverDueCrmSync(tenant.tenantId, minutes(30))).toBe(1);
    const [job, ...more] = await crmJobs(tenant);
    expect(more).toEqual([]);
    expect(job).toMatchObject({ bookingId, state: 'cancelled', dealStage: 'Closed Lost' });
    expect(await getCrmSyncWork(tenant.tenantId, bookingId, 'cancelled')).toMatchObject({ status: 'done' });
    // Settled: another sweep does nothing more (no second item, no second message to dispatch).
    expect(await sweepRecovery(minutes(60), { tenantId: tenant.tenantId })).toEqual({ bookings: {}, crmDoorbells: 0, followUps: {} });
  });
});

describe('durable CRM outbox', () => {
  const webhook = new WebhookContract();
  beforeAll(async () => void (await webhook.start()));
  afterAll(() => webhook.stop());

  it('a lost doorbell is rung again by the sweep; a pending_crm_sync booking with no outbox work is queued again', async () => {
    const tenant = await createTestTenant({ crm: { adapter: 'webhook', url: `${webhook.url}/crm`, timeoutMs: 2_000 } });
    await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: webhook.secret });
    webhook.startOutage({ status: 503 });
    const created = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ola Bell', phone: '5125558104' } }));
    expect(created.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
    const bookingId = created.body.bookingId as string;
    const work = await getCrmSyncWork(tenant.tenantId, bookingId);
    expect(work).toMatchObject({ status: 'pending', firstFailedAt: expect.any(String) });

    // Its doorbell (30 s delay) is taken as lost 5 minutes after it was due: the sweep rings again.
    expect((await sweepRecovery(minutes(1), { tenantId: tenant.tenantId })).crmDoorbells).toBe(0);
    expect((await sweepRecovery(minutes(6), { tenantId: tenant.tenantId })).crmDoorbells).toBe(1);
    expect(await getCrmSyncWork(tenant.tenantId, bookingId)).toMatchObject({ status: 'pending', rungAt: expect.any(String) });

    // A booking whose outbox row is gone (written before the outbox was durable): queued again.
    await documentClient().send(new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: crmSyncKeys.work(tenant.tenantId, bookingId, undefined) }));
    // (The booking's own next look is 30 minutes after the sweep found its outbox work pending.)
    const requeue = await sweepRecovery(minutes(40), { tenantId: tenant.tenantId });
    expect(requeue.bookings).toEqual({ requeued_crm: 1 });
    expect(await getCrmSyncWork(tenant.tenantId, bookingId)).toMatchObject({ status: 'pending' });

    webhook.recover();
    expect(await deliverDueCrmSync(tenant.tenantId, minutes(50))).toBe(1);
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ status: 'confirmed', statusReason: 'crm_synced_after_outage' });
    expect([...webhook.records.values()].filter((r) => r.bookingId === bookingId)).toHaveLength(1);
  });
});

describe('durable notification ledger', () => {
  it('a message queued when the process died (its queue lost) is queued again by the sweeper and sent once', async () => {
    const tenant = await createTestTenant();
    const created = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Mia Sent', phone: '5125558105' } }));
    expect(created.status).toBe(201);
    const bookingId = created.body.bookingId as string;
    // A row written queued as ScheduleNotifications writes a message due now, whose doorbell then died
    // with the in-memory queue. (A row of its own, version 2: the booking's own confirmation is rung
    // at booking, and another test file's worker may send it meanwhile.)
    const row = { tenantId: tenant.tenantId, bookingId, kind: 'confirmation' as const, version: 2 };
    const queuedAt = new Date();
    const written = await putLedgerRows(tenant.tenantId, bookingId, [{ kind: 'confirmation', channel: 'sms', dueAt: queuedAt.toISOString(), version: 2 }], {
      queuedAt,
    });
    expect(written).toHaveLength(1);
    const ledgerRow = async () => (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).find((i) => i.sk === 'NOTIFY#confirmation#v2')!;
    expect(await ledgerRow()).toMatchObject({ status: 'queued', duePk: duePartition(tenant.tenantId) });

    // Not before its grace (a minute for a row its writer rang: notify-requeue.test.ts): a slow message is not a lost one.
    const requeuedAt = new Date(Date.now() + REQUEUE_AFTER_MS + 60_000);
    await sweepDueNotifications(new Date(queuedAt.getTime() + FIRST_REQUEUE_AFTER_MS - 1_000));
    expect((await ledgerRow()).requeues ?? 0).toBe(0);
    await sweepDueNotifications(requeuedAt);
    const requeued = await ledgerRow();
    expect(requeued).toMatchObject({ status: 'queued', requeues: 1 });

    // Delivered twice, the requeue's message (the sweep's ring, now the row's) and the lost doorbell
    // turning up after all (its writer's ring): sent once.
    const event = (id: string, ring: string): SQSEvent => ({
      Records: [sqsRecord({ MessageId: id, ReceiptHandle: 'test', Body: JSON.stringify({ ...row, ring }) }, 'jobrelay-notify')],
    });
    await notifyWorker(event('n1', requeued.ring));
    await notifyWorker(event('n2', written[0]!.ring!));
    expect(await ledgerRow()).toMatchObject({ status: 'sent' });
    // Out of the due shards (a message the local outbox sent stays listed in the tenant's outbox).
    expect((await ledgerRow()).duePk).not.toBe(duePartition(tenant.tenantId));
    const sent = (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === bookingId && m.kind === 'confirmation' && m.version === 2);
    expect(sent).toHaveLength(1);
  });
});
