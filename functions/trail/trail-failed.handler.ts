/**
 * The job trail's failure path (its ReportTrailFailure state, when CloseTrail itself fails): the
 * booking's trail did not finish, so a person must look. Opens a workflow_failed review item. The
 * event has the shape of EventBridge's execution-status event (`detail`), which fed it while the
 * trail was a Standard workflow; an Express workflow emits no such events.
 */
import middy from '@middy/core';
import * as z from '../shared/zod';
import { appendTimeline } from '../booking/store';
import type { NodeRaises } from '../shared/errors';
import { openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { now } from '../shared/time';

const EventSchema = z.object({
  detail: z.object({
    executionArn: z.string(),
    status: z.string(),
    input: z.string().optional(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

/** What this node throws on purpose: nothing; a failure of its own fails the run (no Catch). */
export const raises: NodeRaises = {
  errors: [],
  uncaught: 'the run fails after its retries; the booking shows no CloseTrail on its timeline, and the state machine logs the failure',
};

export const handler = middy(async (event: unknown) => {
  const { detail } = EventSchema.parse(event);
  const input = z.object({ tenantId: z.string(), bookingId: z.string() }).safeParse(JSON.parse(detail.input ?? '{}'));
  if (!input.success) {
    logger.error('trail execution failed without a booking in its input', { executionArn: detail.executionArn });
    return { opened: false };
  }
  const { tenantId, bookingId } = input.data;
  const at = now();
  await openReviewItem(
    tenantId,
    {
      kind: 'workflow_failed',
      reason: `The job trail ${detail.status.toLowerCase()} (${detail.error ?? 'no error'}: ${detail.cause ?? 'no detail'})`,
      subject: { type: 'booking', id: bookingId },
      payload: { workflow: 'job-trail', executionArn: detail.executionArn, status: detail.status, error: detail.error ?? null },
    },
    at,
  );
  await appendTimeline(tenantId, bookingId, 'JobTrail', detail.status.toLowerCase(), { executionArn: detail.executionArn }, at);
  return { opened: true };
});
