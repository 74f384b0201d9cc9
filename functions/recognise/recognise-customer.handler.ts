/**
 * Booking node RecogniseCustomer: match the caller on normalised phone, email or service address.
 * A match reuses the customer (and enriches it); no match creates one; an uncertain match (same
 * phone or address but another person) books against a new record and opens a suspected_duplicate
 * review item naming both, never merging silently.
 */
import { TransientError, InvariantError, type NodeRaises } from '../shared/errors';
import { BOOKING_NODE_CATCH, workflowNode } from '../shared/node';
import { recogniseBookingCustomer } from './recognise';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [TransientError, InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('RecogniseCustomer', recogniseBookingCustomer);
