import { QUEUE_NAMES } from '../registry';
import * as z from '../shared/zod';

export const REVIEW_KINDS = [
  'crm_write_failed',
  'suspected_duplicate',
  'missing_attribution',
  'pending_approval',
  'stale_capacity',
  'out_of_scope',
  'notification_failed',
  'workflow_failed',
  /** The recovery sweep found a booking that could not be finished (lost its hold, workflow kept dying): call the customer. */
  'booking_stuck',
  /** A booking without a job type that triage could not place (or an emergency it has no job type for): call back. */
  'needs_triage',
  /** In AWS a provider the work needs is not configured (SMS, email, payments): nothing was sent or charged. */
  'setup_required',
  /** A chat or voice agent handed the caller to a person (hand_off_to_human): the transcript is in the payload. */
  'agent_handoff',
  /** An emergency no on-call technician accepted within the tenant's minutes (functions/emergency/): send someone, call the customer. */
  'emergency_unanswered',
  /** An on-call technician accepted an emergency beyond their free capacity (functions/emergency/accept.ts): move or call the jobs it runs into. */
  'emergency_overbooked',
  /** A caller who could not be booked (a lead, functions/leads/): call back with the options in the payload (windows, a neighbouring technician, the waitlist). */
  'callback',
  /** A customer texted something the system does not act on (two-way SMS): answer them; the thread is on the booking. */
  'customer_reply',
] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export const REVIEW_STATUSES = ['open', 'resolved'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** The work queues a review item can be redriven to: every work queue (functions/registry.ts). */
export const REDRIVE_QUEUES = QUEUE_NAMES;

/**
 * How `POST /v1/review-items/{id}/redrive` re-runs the failed step. Whoever opens an item that can
 * be retried stores one of these on it:
 * - `message`: the stored message body is sent again to its work queue (the worker that takes it
 *   resolves the item with `resolveReviewItemsFor` when it succeeds);
 * - `dlq`: the queue's dead-letter queue is moved back to the queue with StartMessageMoveTask, the
 *   operation behind the AWS console's "Start DLQ redrive".
 */
export const RedrivePlanSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('message'), queue: z.enum(REDRIVE_QUEUES), body: z.record(z.string(), z.unknown()) }),
    z.object({ type: z.literal('dlq'), queue: z.enum(REDRIVE_QUEUES) }),
  ])
  .openapi('RedrivePlan');
export type RedrivePlan = z.infer<typeof RedrivePlanSchema>;

export const RedriveRecordSchema = z.object({
  at: z.string(),
  by: z.string(),
  type: z.enum(['message', 'dlq']),
  queue: z.string(),
  /** SQS MessageId (message) or the move task handle (dlq). */
  ref: z.string().optional(),
});

export const ReviewItemSchema = z
  .object({
    reviewItemId: z.string(),
    kind: z.enum(REVIEW_KINDS),
    status: z.enum(REVIEW_STATUSES),
    reason: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    payload: z.record(z.string(), z.unknown()).optional(),
    redrive: RedrivePlanSchema.optional(),
    redrives: z.array(RedriveRecordSchema).optional(),
    createdAt: z.string(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    resolutionNote: z.string().optional(),
  })
  .openapi('ReviewItem');
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

const ageDuration = z
  .string()
  .regex(/^\d{1,5}[mhd]$/, 'expected a duration such as 30m, 4h or 2d')
  .openapi({ example: '1d' });

export const ListReviewItemsQuerySchema = z.object({
  kind: z.enum(REVIEW_KINDS).optional(),
  status: z.enum(REVIEW_STATUSES).optional(),
  olderThan: ageDuration.optional().openapi({ description: 'Only items opened at least this long ago (e.g. 4h)' }),
  newerThan: ageDuration.optional().openapi({ description: 'Only items opened at most this long ago (e.g. 2d)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListReviewItemsQuery = z.infer<typeof ListReviewItemsQuerySchema>;

export const ReviewItemIdParamsSchema = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a review item id') });

export const ResolveReviewItemRequestSchema = z
  .object({
    note: z.string().trim().min(1).max(2_000).openapi({ example: 'Re-keyed into ServiceTitan by hand' }),
    by: z.string().trim().min(1).max(200).optional().openapi({ description: 'Who resolved it; defaults to the API key id' }),
  })
  .openapi('ResolveReviewItemRequest');

export const RedriveReviewItemRequestSchema = z.object({ by: z.string().trim().min(1).max(200).optional() }).openapi('RedriveReviewItemRequest');

export { durationMs } from './duration';
