/**
 * Booking node CheckCapacity. Condition: can the booking be served? A caller's hold must be live;
 * otherwise the asked window (or, with none asked, the first in the horizon) must be open for a
 * qualified technician covering the address. Emergencies use same-day and on-call capacity.
 * Stale schedule data never yields a confirmed booking: dispatch is asked to confirm.
 */
import { InvariantError, type NodeRaises } from '../shared/errors';
import { BOOKING_NODE_CATCH, workflowNode } from '../shared/node';
import { checkCapacity } from './check';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('CheckCapacity', checkCapacity);
