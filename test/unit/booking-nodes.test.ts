/**
 * BookingNodes runs four booking nodes in one function: a Task that names a node it does not run is
 * a wiring mistake, refused by name (its Catch makes the booking a review item), never a node guessed.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler, nodes } from '../../functions/booking/booking-nodes.handler';
import { handler as commitSlot } from '../../functions/capacity/commit-slot.handler';

describe('BookingNodes', () => {
  it('runs the node its Task names, with the handler that node has on its own', () => {
    expect(Object.keys(nodes)).toEqual(['RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'CommitSlot']);
    expect(nodes.CommitSlot.handler).toBe(commitSlot);
  });

  it('refuses a Task that names no node it runs, saying which it runs', async () => {
    const call = handler({ node: 'WriteCrm', state: { tenantId: 't', bookingId: 'b' } }, {} as Context);
    await expect(call).rejects.toMatchObject({ name: 'InvariantError' });
    await expect(call).rejects.toThrow('BookingNodes runs RecogniseCustomer, CheckCapacity, SoftHold, CommitSlot; the Task passed "WriteCrm"');
    await expect(handler({ tenantId: 't', bookingId: 'b' }, {} as Context)).rejects.toThrow('the Task passed null');
  });
});
