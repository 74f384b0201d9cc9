/**
 * Issue 19 item 1: the booking nodes use what the workflow state carries instead of reading it again.
 * The nodes run in-process in the ASL's order against DynamoDB Local, with the state the route gives
 * them ($.facts, booking/facts.ts); a middleware on the shared DynamoDB client records each node's
 * calls. Asserted: CommitSlot never reads the booking (SoftHold's $.hold and the run's facts say
 * what to commit), CheckCapacity and SoftHold never read the customer (RecogniseCustomer's $.customer says
 * whether they are a member), SoftHold claims from CheckCapacity's read in one transaction with the
 * booking's write, CommitSlot commits the keys SoftHold passed on and sets the booking's status in
 * one transaction and answers with the fields the run wrote as that write left them (laid over the
 * stored booking: the booking as stored), RecogniseCustomer does not read the claims the route read,
 * retried nodes do nothing twice, a plan gone stale between the two is refused by
 * storage (SoftHold reads again), and the four nodes stay under a ceiling of calls. No timing.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { readBookingFacts, runChangesOf } from '../../functions/booking/facts';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { receivedBookingRecord } from '../../functions/booking/received';
import { type BookingRecord, createBookingRecord, getBookingRecord, toPublicBooking } from '../../functions/booking/store';
import { handler as checkCapacity } from '../../functions/capacity/check-capacity.handler';
import { handler as commitSlot } from '../../functions/capacity/commit-slot.handler';
import { handler as softHold } from '../../functions/capacity/soft-hold.handler';
import { claimHold, getHold } from '../../functions/capacity/store';
import { handler as recogniseCustomer } from '../../functions/recognise/recognise-customer.handler';
import type { WorkflowState } from '../../functions/shared/node';
import { resolveJobType } from '../../functions/triage/booking';
import { type Call, counted, readsOf } from './dynamo-calls';
import { bookingRequest, createTestTenant } from './helpers';
import { routeFacts } from './route-facts';
import { type DynamoFault, withDynamoFault } from './dynamo-faults';
import { documentClient } from '../../functions/shared/clients';
import type { ApiError } from '../../functions/shared/errors';
import { readTenantConfig } from '../../functions/tenant/config-cache';
import { getTenant, listTechnicians, putTechnician, putTenant, TECHNICIANS_VERSION, tenantKeys } from '../../functions/tenant/store';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { demoTechnicians } from '../../local/demo';

const context = {} as Context;
const commands = (of: Call[]) => of.map((call) => call.command.replace(/Command$/, ''));

describe('booking nodes use the workflow state (issue 19)', () => {
  it('CommitSlot never reads the booking, the capacity nodes never read the customer, and the spine nodes stay under a ceiling', async () => {
    const tenant = await createTestTenant();
    const request = await resolveJobType(
      tenant.tenantId,
      CreateBookingRequestSchema.parse(bookingRequest({ customer: { name: 'Cal Count', phone: '5125558190' } })),
    );
    const at = new Date();
    const bookingId = ulid(at.getTime());
    // The booking as the route stores it, and the facts it hands the run.
    const stored = receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at });
    await createBookingRecord(stored);
    const facts = await routeFacts(tenant.tenantId, bookingId);
    const state: WorkflowState = { tenantId: tenant.tenantId, bookingId, facts: facts as unknown as Record<string, unknown> };

    const recognised = await counted(() => recogniseCustomer(state, context));
    state.customer = recognised.result as WorkflowState['customer'];
    expect(state.customer).toMatchObject({ member: false });
    const checked = await counted(() => checkCapacity(state, context));
    state.capacity = checked.result;
    expect(state.capacity.decision).toBe('available');
    const held = await counted(() => softHold(state, context));
    state.hold = held.result;
    expect(state.hold).toMatchObject({ held: true, window: { date: state.capacity.date, start: state.capacity.start } });
    const committed = await counted(() => commitSlot(state, context));

    // The booking is what it would be had CommitSlot read it: confirmed on the held window.
    const booking = await getBookingRecord(tenant.tenantId, bookingId);
    expect(booking).toMatchObject({ status: 'confirmed', holdId: state.hold.holdId, window: state.hold.window });
    // The fields the run wrote, as CommitSlot's write left them (known from the run's state, not
    // returned by the write): laid over the booking the route stored, the answer is the booking as stored.
    expect(committed.result).toEqual({ status: 'confirmed', window: state.hold.window, booking: runChangesOf(booking!) });
    expect(toPublicBooking({ ...stored, ...committed.result.booking } as BookingRecord)).toEqual(toPublicBooking(booking!));

    expect(readsOf(committed.calls, 'BOOKING')).toEqual([]);
    expect(readsOf(checked.calls, 'CUSTOMER')).toEqual([]);
    expect(readsOf(held.calls, 'CUSTOMER')).toEqual([]);
    // SoftHold claims from CheckCapacity's read (no Query of its own) and writes the booking in the
    // claim's transaction: one call. CommitSlot commits the keys SoftHold passed on (no read of the
    // hold) and sets the booking's status in the same transaction: one call.
    expect(commands(held.calls)).toEqual(['TransactWriteItems']);
    expect(commands(committed.calls)).toEqual(['TransactWriteItems']);
    // RecogniseCustomer reads the booking (with the customers the route's read of the claims named:
    // none here) and the address index, and writes once: the claims are not read again.
    expect(commands(recognised.calls)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    // Before issue 19's SPINE work these four nodes took 13 calls (SoftHold 4, CommitSlot 3), then 9; a node
    // that starts re-reading the booking, the configuration, the job type, the customer or capacity pushes it up.
    const all = [...recognised.calls, ...checked.calls, ...held.calls, ...committed.calls];
    expect(all.length, JSON.stringify(all.map((call) => call.command))).toBeLessThanOrEqual(7);

    // Retried (a resumed run reads its facts again): SoftHold keeps the hold, CommitSlot finds it committed; nothing twice.
    const resumed = { ...state, hold: undefined, facts: (await readBookingFacts(tenant.tenantId, bookingId)) as unknown as Record<string, unknown> };
    expect(await softHold(resumed, context)).toMatchObject({ held: true, holdId: state.hold.holdId, window: state.hold.window });
    expect(await commitSlot(state, context)).toEqual({ status: 'confirmed', window: state.hold.window, booking: null });
    expect(await getHold(tenant.tenantId, state.hold.holdId!)).toMatchObject({ status: 'BOOKED', bookingId });
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ status: 'confirmed', holdId: state.hold.holdId, window: state.hold.window });
  });

  it('SoftHold claims from what CheckCapacity read; when other claims took those candidates meanwhile, storage refuses and it reads again', async () => {
    const tenant = await createTestTenant();
    const request = await resolveJobType(
      tenant.tenantId,
      CreateBookingRequestSchema.parse(bookingRequest({ customer: { name: 'Stella Stale', phone: '5125558194' } })),
    );
    const at = new Date();
    const bookingId = ulid(at.getTime());
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
    const facts = await readBookingFacts(tenant.tenantId, bookingId);
    const state: WorkflowState = { tenantId: tenant.tenantId, bookingId, facts: facts as unknown as Record<string, unknown> };
    state.customer = (await recogniseCustomer(state, context)) as WorkflowState['customer'];
    state.capacity = await checkCapacity(state, context);
    const candidates = state.capacity.candidates ?? [];
    expect(candidates.length).toBeGreaterThan(0);

    // Between CheckCapacity and SoftHold, other bookings claim every candidate CheckCapacity chose.
    for (const [index, plan] of candidates.entries()) {
      const other = {
        tenantId: tenant.tenantId,
        holdId: `hold-other-${index}-${bookingId}`,
        plan,
        emergency: false,
        source: 'api' as const,
        createdAt: at.toISOString(),
      };
      expect(await claimHold({ ...other, expiresAt: Math.floor(Date.now() / 1000) + 900 }, new Date())).toBe('won');
    }

    const held = await counted(() => softHold(state, context));
    const hold = held.result;
    expect(hold).toMatchObject({ held: true, next: 'WriteCrm' });
    // Storage refused the stale plans: SoftHold read capacity again and held a slot nobody else holds.
    expect(held.calls.filter((call) => call.command === 'QueryCommand').length, commands(held.calls).join()).toBeGreaterThan(0);
    const taken = new Set(candidates.map((plan) => `${plan.date} ${plan.start} ${plan.technicianId}`));
    expect(taken.has(`${hold.window!.date} ${hold.window!.start} ${hold.technicianId}`)).toBe(false);
    expect(await getBookingRecord(tenant.tenantId, bookingId)).toMatchObject({ holdId: hold.holdId, window: hold.window });
  });

  it('CheckCapacity reads the technicians once per configuration version; a technician changed through the API is read again by the next booking', async () => {
    const tenant = await createTestTenant();
    const technicianQueries = (of: Call[]) => of.filter((call) => call.queried === `T#${tenant.tenantId}`);
    /** A booking's run as far as CheckCapacity, with the facts the route reads for it now. */
    const checkNewBooking = async (phone: string) => {
      const request = await resolveJobType(tenant.tenantId, CreateBookingRequestSchema.parse(bookingRequest({ customer: { name: 'Tess Tech', phone } })));
      const at = new Date();
      const bookingId = ulid(at.getTime());
      await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
      const state: WorkflowState = {
        tenantId: tenant.tenantId,
        bookingId,
        facts: (await routeFacts(tenant.tenantId, bookingId)) as unknown as Record<string, unknown>,
      };
      state.customer = (await recogniseCustomer(state, context)) as WorkflowState['customer'];
      return counted(() => checkCapacity(state, context));
    };

    const first = await checkNewBooking('5125558301');
    expect(first.result.decision).toBe('available');
    expect(technicianQueries(first.calls)).toHaveLength(1);
    // The next booking names the same configuration version: the technicians this process read serve it.
    const second = await checkNewBooking('5125558302');
    expect(second.result.decision).toBe('available');
    expect(technicianQueries(second.calls), commands(second.calls).join()).toEqual([]);

    // Every technician removed through the API: the route's next read names a new version, and the
    // node reads the technicians again: no window is offered on a technician who is gone.
    const listed = await tenant.call('GET', '/v1/config/technicians');
    const technicians = (listed.body as { items: Array<{ technicianId: string }> }).items;
    expect(technicians.length).toBeGreaterThan(0);
    for (const { technicianId } of technicians) expect((await tenant.call('DELETE', `/v1/config/technicians/${technicianId}`)).status).toBe(204);
    const third = await checkNewBooking('5125558303');
    expect(technicianQueries(third.calls)).toHaveLength(1);
    expect(third.result.decision).not.toBe('available');
    expect(third.result.decision).not.toBe('held');
  });

  it('a technician saved while another transaction holds the tenant item is saved on a later attempt; one that never gets through says so, changing nothing', async () => {
    const tenant = await createTestTenant();
    const configVersionNow = async () => (await readTenantConfig(tenant.tenantId))!.version;
    const before = await configVersionNow();
    // DynamoDB refuses a transaction that meets another on an item (DynamoDB Local runs them one at a
    // time and never does): technician writes are refused as AWS refuses them.
    const conflict: DynamoFault = {
      when: (input) => input.includes('TransactItems') && input.includes(`T#${tenant.tenantId}`) && input.includes('TECH#'),
      error: () =>
        Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
        }),
    };
    const technician = { ...demoTechnicians[0]!, technicianId: 'tech-contended', name: 'Connie Contended' };
    const twice = await withDynamoFault(conflict, 2, () => putTechnician(tenant.tenantId, technician));
    expect(twice.refused).toBe(2);
    expect((await listTechnicians(tenant.tenantId, { consistent: true })).map((t) => t.technicianId)).toContain('tech-contended');
    const after = await configVersionNow();
    expect(after).not.toBe(before);

    const always = await withDynamoFault(conflict, 100, () =>
      putTechnician(tenant.tenantId, { ...technician, technicianId: 'tech-never' }).then(
        () => undefined,
        (error: ApiError) => error,
      ),
    );
    expect(always.result).toMatchObject({ name: 'ApiError', code: 'service_unavailable', headers: { 'Retry-After': '1' } });
    expect(always.result!.message).toContain('nothing was changed, try again');
    expect((await listTechnicians(tenant.tenantId, { consistent: true })).map((t) => t.technicianId)).not.toContain('tech-never');
    expect(await configVersionNow()).toBe(after);
  });

  it('a tenant replaced whole names a version no container has seen, even with the content it had before a technician changed', async () => {
    const tenant = await createTestTenant();
    const versionNow = async () => (await readTenantConfig(tenant.tenantId))!.version;
    // The config item as one stored before technicians had a version (or as any whole replace wrote it).
    const { Item } = await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: tenantKeys.tenant(tenant.tenantId) }));
    const { [TECHNICIANS_VERSION]: _dropped, ...unversioned } = Item!;
    await documentClient().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: unversioned }));
    const first = await versionNow();
    await putTechnician(tenant.tenantId, { ...demoTechnicians[0]!, technicianId: 'tech-aba', name: 'Abe Aba' });
    const changed = await versionNow();
    expect(changed).not.toBe(first);
    // Replaced with the same content: had the version gone back to `first`, a container that read the
    // technicians at `first` would answer the next booking without tech-aba.
    await putTenant((await getTenant(tenant.tenantId))!);
    expect([first, changed]).not.toContain(await versionNow());
  });
});
