/**
 * Issue 19 item 1: the booking nodes use what the workflow state carries instead of reading it again.
 * The nodes run in-process in the ASL's order against DynamoDB Local, with the state the route gives
 * them ($.facts, booking/facts.ts); a middleware on the shared DynamoDB client records each node's
 * calls. Asserted: CommitSlot never reads the booking (SoftHold's $.hold and the run's facts say
 * what to commit), CheckCapacity and SoftHold never read the customer (RecogniseCustomer's $.customer says
 * whether they are a member), and the four nodes stay under a generous ceiling of calls. No timing.
 */
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { readBookingFacts } from '../../functions/booking/facts';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { receivedBookingRecord } from '../../functions/booking/received';
import { createBookingRecord, getBookingRecord } from '../../functions/booking/store';
import { handler as checkCapacity } from '../../functions/capacity/check-capacity.handler';
import { handler as commitSlot } from '../../functions/capacity/commit-slot.handler';
import { handler as softHold } from '../../functions/capacity/soft-hold.handler';
import { handler as recogniseCustomer } from '../../functions/recognise/recognise-customer.handler';
import type { WorkflowState } from '../../functions/shared/node';
import { resolveJobType } from '../../functions/triage/booking';
import { counted, readsOf } from './dynamo-calls';
import { bookingRequest, createTestTenant } from './helpers';

const context = {} as Context;

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
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at }));
    const facts = await readBookingFacts(tenant.tenantId, bookingId);
    expect(facts).toBeDefined();
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
    expect(committed.result).toEqual({ status: 'confirmed', window: state.hold.window });

    expect(readsOf(committed.calls, 'BOOKING')).toEqual([]);
    expect(readsOf(checked.calls, 'CUSTOMER')).toEqual([]);
    expect(readsOf(held.calls, 'CUSTOMER')).toEqual([]);
    // Generous: today about 13 calls for these four nodes; a node that starts re-reading the booking,
    // the configuration, the job type or the customer on every run pushes it up.
    const all = [...recognised.calls, ...checked.calls, ...held.calls, ...committed.calls];
    expect(all.length, JSON.stringify(all.map((call) => call.command))).toBeLessThanOrEqual(20);
  });
});
