/**
 * The wrapper every booking-workflow node shares: a middy handler that checks the state it is given
 * and logs ids only. The workflow state carries ids and small facts (booking/facts.ts), never the
 * request itself (Step Functions caps a payload at 256 KB, transcripts are long, and the caller's
 * details stay out of execution history); nodes that need the caller read the booking from DynamoDB.
 */
import middy from '@middy/core';
import type { ClaimPlan } from '../capacity/availability';
import type { Context } from 'aws-lambda';
import * as z from './zod';
import { logger } from './logger';
import { traceHandler } from './tracer';

export const WorkflowStateSchema = z
  .object({
    tenantId: z.string().min(1),
    bookingId: z.string().min(1),
  })
  .passthrough();

export type WorkflowState = z.infer<typeof WorkflowStateSchema> & {
  /**
   * RecogniseCustomer's outcome; `member` when it knew the customer's membership (the capacity nodes use it without a read);
   * `matched` false: a record this run created (WriteCrm reads it with the booking and looks up no leads naming it).
   */
  customer?: { customerId: string; matched: boolean; member?: boolean };
  capacity?: CapacityResult;
  hold?: HoldResult;
  /** WriteCrm's outcome; `record`: where it wrote the booking, as it recorded that on the booking (CommitSlot's answer carries it). */
  crm?: {
    status: 'written';
    externalIds?: Record<string, string>;
    record?: { adapter: string; externalIds: Record<string, string>; syncedAt: string; state?: string };
  };
  /** CommitSlot's outcome: the booking's status and window (ScheduleNotifications plans from them). */
  commit?: {
    status: string;
    window?: { date: string; start: string; end: string; technicianId?: string } | null;
    /**
     * The booking's fields the run wrote, as CommitSlot's write left them (status, statusReason,
     * customerId, holdId, window, crm, updatedAt; no caller details; null when the write did not
     * apply): the run's output, laid over the booking the route stored.
     */
    booking?: Record<string, unknown> | null;
  };
  failures?: Record<string, { Error: string; Cause?: string }>;
  /** RecordReviewItem's outcome; `statusReason` is what it set on the booking (CommitSlot keeps it without a read). */
  review?: { reviewItemId?: string; outbox?: string; continueAt?: string; statusReason?: string };
  /** What the bookings route read once and the nodes reuse (functions/booking/facts.ts): no PII. */
  facts?: Record<string, unknown>;
};

export interface CapacityResult {
  /** available: hold one; held: the caller brought a live hold; unconfirmed: book without a slot for a person to confirm; dispatch: an emergency paged now. */
  decision: 'available' | 'held' | 'unavailable' | 'unconfirmed' | 'dispatch';
  emergency?: boolean;
  /** The schedule data was stale: whatever happens, a person confirms. */
  stale?: boolean;
  /** The customer is a member (read once by CheckCapacity; SoftHold holds with it without a read). */
  member?: boolean;
  holdId?: string;
  date?: string;
  start?: string;
  end?: string;
  reason?: string;
  /** CheckCapacity's timeline entry, written by SoftHold's booking write (one write for both). */
  timeline?: { node: string; outcome: string; detail?: Record<string, unknown>; at?: string };
  /** available: the chosen window's candidate claims as CheckCapacity read them; SoftHold claims from them without reading again. */
  candidates?: ClaimPlan[];
}

export interface HoldResult {
  held: boolean;
  /** Which node comes next: the CRM write, or the end (rejected). */
  next: 'WriteCrm' | 'Done';
  holdId?: string;
  technicianId?: string;
  /** The window held (what SoftHold wrote on the booking): CommitSlot commits it without reading the booking. */
  window?: { date: string; start: string; end: string; technicianId: string };
  expiresAt?: string;
  /** The items the hold claimed (the hold record's `keys`): CommitSlot commits them without reading the hold. */
  keys?: Array<{ pk: string; sk: string }>;
}

/** `context` gives a node its time left (getRemainingTimeInMillis) to budget its calls out. */
export function workflowNode<T>(nodeName: string, fn: (state: WorkflowState, context?: Context) => Promise<T>) {
  return middy(async (event: unknown, context?: Context): Promise<T> => {
    const state = WorkflowStateSchema.parse(event) as WorkflowState;
    const result = await fn(state, context);
    logger.info('node done', { node: nodeName, tenantId: state.tenantId, bookingId: state.bookingId });
    return result;
  }).use(traceHandler());
}

/** Why a booking node's Catch on States.ALL is the intended path (its `raises` declaration says so; test/unit/asl-errors.test.ts). */
export const BOOKING_NODE_CATCH = 'RecordReviewItem keeps the booking and opens a review item; the recovery sweep re-drives a booking left received';

/** Why a job-trail step's Catch on States.ALL is the intended path: the trail goes on, CloseTrail reviews each failed step. */
export const TRAIL_STEP_CATCH = 'the trail goes on to the next step; CloseTrail makes every failed step a review item with its reason';
