/**
 * Booking node SoftHold. With a caller's hold: tie it to this booking. Otherwise claim the window
 * (slot + the technician's daily-limit token + the job type's daily-cap token, one transaction) for
 * the first technician still free; when concurrent bookings took every candidate, a booking with
 * no asked window takes the next open one, an asked window is rejected with alternatives.
 */
import { InvariantError, type NodeRaises } from '../shared/errors';
import { BOOKING_NODE_CATCH, workflowNode } from '../shared/node';
import { softHold } from './soft-hold';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('SoftHold', softHold);
