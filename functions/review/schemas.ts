import { z } from '../shared/zod';

export const REVIEW_KINDS = [
  'crm_write_failed',
  'suspected_duplicate',
  'missing_attribution',
  'pending_approval',
  'stale_capacity',
  'out_of_scope',
  'notification_failed',
  'workflow_failed',
] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export const REVIEW_STATUSES = ['open', 'resolved'] as const;

export const ReviewItemSchema = z
  .object({
    reviewItemId: z.string(),
    kind: z.enum(REVIEW_KINDS),
    status: z.enum(REVIEW_STATUSES),
    reason: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    payload: z.record(z.string(), z.unknown()).optional(),
    createdAt: z.string(),
  })
  .openapi('ReviewItem');
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ListReviewItemsQuerySchema = z.object({
  kind: z.enum(REVIEW_KINDS).optional(),
  status: z.enum(REVIEW_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
