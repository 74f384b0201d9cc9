/**
 * Booking node DispatchEmergency: an emergency with no honourable window soon (CheckCapacity's
 * `dispatch` decision) becomes a dispatch request now: status `dispatching`, the customer told a
 * technician is being dispatched (with safety advice), the nearest on-call technician of the trade
 * paged (functions/emergency/dispatch.ts). Idempotent: re-entry finds the dispatch.
 */
import { InvariantError, type NodeRaises } from '../shared/errors';
import { BOOKING_NODE_CATCH, workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { startDispatch } from './dispatch';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('DispatchEmergency', ({ tenantId, bookingId }) => startDispatch(tenantId, bookingId, now()));
