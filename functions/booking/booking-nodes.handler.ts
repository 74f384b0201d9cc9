/**
 * BookingNodes: the booking workflow's nodes that only read and write the table — RecogniseCustomer,
 * CheckCapacity, SoftHold, CommitSlot — deployed as one function. Each stays its own Task state with
 * its own timeout, retries, Catch and ResultPath; what they share is the sandbox. An all-cold booking
 * then starts four functions in a row instead of seven (issue 19: each cold start is Lambda's sandbox
 * plus the bundle's init, ~1.7 s for the seven); the role is the one each had alone (table:readWrite),
 * so no node gains a permission. WriteCrm (CRM secrets) and ScheduleNotifications (the notify queue)
 * keep functions and roles of their own.
 *
 * A Task names its node and passes the whole state: `"Parameters": { "node": "<its state name>",
 * "state.$": "$" }` (test/infra/asl.test.ts checks each Task against `nodes`).
 */
import type { Context } from 'aws-lambda';
import * as commitSlot from '../capacity/commit-slot.handler';
import * as checkCapacity from '../capacity/check-capacity.handler';
import * as softHold from '../capacity/soft-hold.handler';
import * as recogniseCustomer from '../recognise/recognise-customer.handler';
import { InvariantError } from '../shared/errors';
import * as z from '../shared/zod';

/** The nodes this function runs, by the name their Task passes: each module's `handler` and `raises`. */
export const nodes = {
  RecogniseCustomer: recogniseCustomer,
  CheckCapacity: checkCapacity,
  SoftHold: softHold,
  CommitSlot: commitSlot,
} as const;

type NodeName = keyof typeof nodes;

const NodeCallSchema = z.object({
  node: z.enum(Object.keys(nodes) as [NodeName, ...NodeName[]]),
  state: z.unknown(),
});

export const handler = async (event: unknown, context: Context): Promise<unknown> => {
  const call = NodeCallSchema.safeParse(event);
  // A Task without a node this function runs is a wiring mistake in the ASL: its Catch makes it a review item.
  if (!call.success)
    throw new InvariantError(
      `BookingNodes runs ${Object.keys(nodes).join(', ')}; the Task passed ${JSON.stringify((event as { node?: unknown } | null)?.node ?? null)}`,
    );
  return nodes[call.data.node].handler(call.data.state, context);
};
