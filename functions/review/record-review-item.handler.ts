/**
 * Booking node RecordReviewItem: the Catch path of every other node (review/record-booking-failure.ts:
 * the booking is kept, the CRM write goes to the outbox or a review item says which node failed and why).
 */
import { InvariantError, type NodeRaises } from '../shared/errors';
import { workflowNode } from '../shared/node';
import { recordBookingFailure } from './record-booking-failure';

/** What this node can throw: its own failure fails the run (no Catch), and the recovery sweep finds the booking. */
export const raises: NodeRaises = {
  errors: [InvariantError],
  uncaught: 'the run fails; the route answers with the status URL and the recovery sweep finds the booking (its comment in booking.asl.json)',
};

export const handler = workflowNode('RecordReviewItem', recordBookingFailure);
