/**
 * Issue 19 item 1: the booking workflow's own nodes — RecogniseCustomer, WriteCrm and
 * ScheduleNotifications — each stay under a ceiling of DynamoDB calls, for a first-time caller and
 * for a caller recognised from an earlier booking, and stay idempotent: run again (a retried
 * request), they create no second customer, CRM record, ledger row or message. The nodes run
 * in-process in the ASL's order against DynamoDB Local with the state the route gives them
 * (booking-calls.test.ts does the same for the capacity nodes); a middleware on the shared DynamoDB
 * client records each node's calls (dynamo-calls.ts). Counts, never timings.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { receivedBookingRecord } from '../../functions/booking/received';
import { bookingKeys, createBookingRecord, getBookingRecord, getBookingWithTimeline } from '../../functions/booking/store';
import { handler as checkCapacity } from '../../functions/capacity/check-capacity.handler';
import { handler as commitSlot } from '../../functions/capacity/commit-slot.handler';
import { handler as softHold } from '../../functions/capacity/soft-hold.handler';
import { handler as writeCrm } from '../../functions/crm/write-crm.handler';
import { handler as scheduleNotifications } from '../../functions/notify/schedule-notifications.handler';
import { handler as recogniseCustomer } from '../../functions/recognise/recognise-customer.handler';
import { getCustomer } from '../../functions/recognise/store';
import { findOpenReviewItems } from '../../functions/review/store';
import { queryPartition } from '../../functions/shared/dynamo';
import type { WorkflowState } from '../../functions/shared/node';
import { resolveJobType } from '../../functions/triage/booking';
import { type Call, counted, reads, readsOf } from './dynamo-calls';
import { bookingRequest, createTestTenant, type TestTenant } from './helpers';
import { routeFacts } from './route-facts';

const context = {} as Context;
const commands = (of: Call[]) => JSON.stringify(of.map((call) => call.command.replace('Command', '')));

/** One booking through the spine's nodes, as the ASL runs them; each node's calls. */
async function runSpine(tenant: TestTenant, customer: Record<string, unknown>) {
  const request = await resolveJobType(tenant.tenantId, CreateBookingRequestSchema.parse(bookingRequest({ customer })));
  const at = new Date();
  const bookingId = ulid(at.getTime());
  await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
  // The facts the route hands the run, with whom the caller's claims named when it read them.
  const facts = await routeFacts(tenant.tenantId, bookingId);
  const state: WorkflowState = { tenantId: tenant.tenantId, bookingId, facts: facts as unknown as Record<string, unknown> };
  const recognised = await counted(() => recogniseCustomer({ ...state }, context));
  state.customer = recognised.result as WorkflowState['customer'];
  state.capacity = await checkCapacity({ ...state }, context);
  expect(state.capacity.decision).toBe('available');
  state.hold = await softHold({ ...state }, context);
  expect(state.hold.next).toBe('WriteCrm');
  const crm = await counted(() => writeCrm({ ...state }, context));
  state.crm = crm.result;
  state.commit = await commitSlot({ ...state }, context);
  expect(state.commit.status).toBe('confirmed');
  const notifications = await counted(() => scheduleNotifications({ ...state }, context));
  return { bookingId, state, calls: { RecogniseCustomer: recognised.calls, WriteCrm: crm.calls, ScheduleNotifications: notifications.calls } };
}

/** The booking's ledger rows (kind, status, dueAt) and its ScheduleNotifications timeline entries. */
async function ledgerAndTimeline(tenantId: string, bookingId: string) {
  const items = await queryPartition(bookingKeys.partition(tenantId, bookingId), { consistent: true });
  const rows = items.filter((item) => String(item.sk).startsWith('NOTIFY#')).map(({ sk, status, dueAt }) => ({ sk, status, dueAt }));
  const scheduled = ((await getBookingWithTimeline(tenantId, bookingId))?.timeline ?? []).filter((entry) => entry.node === 'ScheduleNotifications');
  return { rows, scheduled };
}

// Ceilings per node, in DynamoDB requests (issue 19; before: RecogniseCustomer 5 new / 7 returning,
// WriteCrm 7, ScheduleNotifications one PutItem per row plus one for the timeline; then RecogniseCustomer
// 4 / 5 and WriteCrm 4 / 5). RecogniseCustomer: the booking with the customers the route's read of
// the claims named (one request), the address index, one transaction. WriteCrm: the booking with its
// customer, the caller's leads (by phone; a returning customer's by id too), and the built-in CRM's
// transaction, which records the write on the booking. A read or write that comes back (the claims
// or the customer read twice, a node's writes split again) fails here.
const CEILING = {
  new: { RecogniseCustomer: 3, WriteCrm: 3, ScheduleNotifications: 2 },
  returning: { RecogniseCustomer: 3, WriteCrm: 4, ScheduleNotifications: 2 },
};

describe('the booking nodes RecogniseCustomer, WriteCrm and ScheduleNotifications in few DynamoDB calls (issue 19)', () => {
  it('stay under their ceilings for a new and a returning caller, and a retried node duplicates nothing', async () => {
    const tenant = await createTestTenant();
    const caller = { name: 'Nora Nodes', phone: '5125558192', language: 'es' };

    // A first-time caller: one customer made, with the language the bot heard, in one transaction with the booking's pointer.
    const first = await runSpine(tenant, caller);
    const customerId = first.state.customer!.customerId;
    expect(first.state.customer).toMatchObject({ matched: false, member: false });
    expect(await getCustomer(tenant.tenantId, customerId)).toMatchObject({ name: 'Nora Nodes', language: 'es' });
    for (const [node, calls] of Object.entries(first.calls)) {
      expect(calls.length, `${node} (new caller): ${commands(calls)}`).toBeLessThanOrEqual(CEILING.new[node as keyof typeof CEILING.new]);
    }
    // WriteCrm reads the booking and the customer RecogniseCustomer named in one request.
    expect(
      first.calls.WriteCrm.filter((call) => call.command === 'GetItemCommand'),
      commands(first.calls.WriteCrm),
    ).toEqual([]);
    const booked = await getBookingWithTimeline(tenant.tenantId, first.bookingId);
    expect(booked).toMatchObject({ customerId, status: 'confirmed', crm: { adapter: 'builtin' } });
    expect((booked?.timeline ?? []).map((entry) => `${entry.node}:${entry.outcome}`)).toEqual(
      expect.arrayContaining(['RecogniseCustomer:created', 'WriteCrm:written', 'ScheduleNotifications:scheduled']),
    );
    const ledger = await ledgerAndTimeline(tenant.tenantId, first.bookingId);
    expect(ledger.rows.length).toBeGreaterThan(0);
    expect(ledger.scheduled).toEqual([expect.objectContaining({ detail: expect.objectContaining({ added: ledger.rows.length, dueNow: 1 }) })]);
    expect(ledger.rows.filter((row) => row.status === 'queued')).toHaveLength(1);

    // The same caller again: recognised, and enriched in the same request as the booking's pointer.
    const second = await runSpine(tenant, caller);
    expect(second.state.customer).toEqual({ customerId, matched: true, member: false });
    for (const [node, calls] of Object.entries(second.calls)) {
      expect(calls.length, `${node} (returning caller): ${commands(calls)}`).toBeLessThanOrEqual(CEILING.returning[node as keyof typeof CEILING.returning]);
    }
    // The customer found by the lookup is the one enriched: never read a second time.
    expect(readsOf(second.calls.RecogniseCustomer, 'CUSTOMER'), commands(second.calls.RecogniseCustomer)).toHaveLength(1);

    // The claims the route read are not read again: one request names the booking and the customer.
    expect(
      reads(second.calls.RecogniseCustomer).map((call) => call.command),
      commands(second.calls.RecogniseCustomer),
    ).toEqual(['BatchGetItemCommand', 'QueryCommand']);
    expect(
      second.calls.RecogniseCustomer.some((call) => call.pks.some((pk) => pk.includes('#PHONE#'))),
      commands(second.calls.RecogniseCustomer),
    ).toBe(false);

    // Retried nodes (a retried request re-enters the first booking's run): nothing twice.
    const again = await recogniseCustomer({ tenantId: tenant.tenantId, bookingId: first.bookingId, facts: first.state.facts }, context);
    expect(again).toMatchObject({ customerId });
    await writeCrm({ ...first.state }, context);
    expect(await getBookingRecord(tenant.tenantId, first.bookingId)).toMatchObject({ customerId, crm: { externalIds: booked!.crm!.externalIds } });
    const rescheduled = await counted(() => scheduleNotifications({ ...first.state }, context));
    expect(rescheduled.calls.length, commands(rescheduled.calls)).toBeLessThanOrEqual(CEILING.new.ScheduleNotifications);
    const after = await ledgerAndTimeline(tenant.tenantId, first.bookingId);
    // The rows are as they were (the queued confirmation was not written or queued again); the entry
    // says so. The send worker runs meanwhile: the queued confirmation may have gone (queued -> sent,
    // its dueAt the send's), which is its work, not the retried node's.
    const handedOn = (rows: typeof ledger.rows) =>
      rows.map((row) => (row.status === 'queued' || row.status === 'sent' ? { sk: row.sk, status: 'queued or sent' } : row));
    expect(handedOn(after.rows)).toEqual(handedOn(ledger.rows));
    expect(after.scheduled.at(-1)?.detail).toMatchObject({ added: 0, dueNow: 0 });
  });

  it('a caller with a known phone and another name: a new customer and its suspected_duplicate review item in one request, once', async () => {
    const tenant = await createTestTenant();
    const first = await runSpine(tenant, { name: 'Pat Original', phone: '5125558193' });
    const second = await runSpine(tenant, { name: 'Quinn Other', phone: '5125558193' });
    const newId = second.state.customer!.customerId;
    expect(newId).not.toBe(first.state.customer!.customerId);
    expect(second.state.customer).toMatchObject({ matched: false });
    expect(second.calls.RecogniseCustomer.length, commands(second.calls.RecogniseCustomer)).toBeLessThanOrEqual(CEILING.returning.RecogniseCustomer);
    const open = await findOpenReviewItems(tenant.tenantId, { type: 'customer', id: newId }, 'suspected_duplicate');
    expect(open).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ bookingId: second.bookingId, candidateCustomerId: first.state.customer!.customerId }) }),
    ]);
    expect(await getBookingWithTimeline(tenant.tenantId, second.bookingId)).toMatchObject({ customerId: newId });

    // A retried RecogniseCustomer: the booking names its customer, so no third customer and no second review item.
    expect(await recogniseCustomer({ tenantId: tenant.tenantId, bookingId: second.bookingId }, context)).toMatchObject({ customerId: newId });
    expect(await findOpenReviewItems(tenant.tenantId, { type: 'customer', id: newId }, 'suspected_duplicate')).toHaveLength(1);
  });

  it('claims the route read that another booking took meanwhile: the create is refused, and the caller is recognised again from fresh reads, one customer', async () => {
    const tenant = await createTestTenant();
    const caller = { name: 'Rita Race', phone: '5125558195' };
    // Two bookings of the same first-time caller; the route read both callers' claims before either ran (no customer yet).
    // At two addresses: the second is found by its phone alone (the address index names nobody there).
    const requestOf = async (line1: string) => {
      const { address, ...rest } = bookingRequest({ customer: caller });
      return resolveJobType(tenant.tenantId, CreateBookingRequestSchema.parse({ ...rest, address: { ...address, line1 } }));
    };
    const at = new Date();
    const ids = [ulid(at.getTime()), ulid(at.getTime())];
    for (const [index, bookingId] of ids.entries()) {
      await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request: await requestOf(`${index + 1}0 Race Ave`), at }));
    }
    const states: WorkflowState[] = [];
    for (const bookingId of ids) {
      const facts = await routeFacts(tenant.tenantId, bookingId);
      expect(facts.claims).toEqual({ phone: null });
      states.push({ tenantId: tenant.tenantId, bookingId, facts: facts as unknown as Record<string, unknown> });
    }
    const first = (await recogniseCustomer(states[0]!, context)) as WorkflowState['customer'];
    expect(first).toMatchObject({ matched: false });
    // The second run's facts say "no customer has this phone": its create is refused by the claim, and it reads again.
    const second = await counted(() => recogniseCustomer(states[1]!, context));
    expect(second.result).toEqual({ customerId: first!.customerId, matched: true, member: false });
    expect(
      second.calls.some((call) => call.pks.some((pk) => pk.includes('#PHONE#'))),
      commands(second.calls),
    ).toBe(true);
    expect(await getBookingRecord(tenant.tenantId, ids[1]!)).toMatchObject({ customerId: first!.customerId });
    // Retried (a redriven run with the same stale facts): the booking names its customer, nothing is made.
    expect(await recogniseCustomer(states[1]!, context)).toMatchObject({ customerId: first!.customerId });
    const customers = (await queryPartition(`T#${tenant.tenantId}#PHONE#+15125558195`, { consistent: true })).map((item) => item.customerId);
    expect(customers).toEqual([first!.customerId]);
    expect(await getCustomer(tenant.tenantId, first!.customerId)).toMatchObject({ name: 'Rita Race' });
  });
});
