/**
 * Redrive: re-run the step an item is about. A stored message goes back to its work queue; a DLQ
 * is moved back with StartMessageMoveTask. The item stays open: the worker that then succeeds
 * resolves it (resolveReviewItemsFor), so "redriven" never pretends to be "fixed".
 */
import { redriveDeadLetters, resendMessage } from '../ops/queues';
import { ApiError } from '../shared/errors';
import { actorOf, apiRoute, parseWith } from '../shared/http';
import { requireScope } from '../shared/scopes';
import { now } from '../shared/time';
import { RedriveReviewItemRequestSchema, ReviewItemIdParamsSchema } from './schemas';
import { getReviewItem, recordRedrive, redrivePlanFor } from './store';

export const handler = apiRoute({}, async ({ tenant, pathParameters, rawBody }) => {
  // The body is optional here ({"by": "Dana"}), so it is parsed by hand rather than required.
  let body: { by?: string } | undefined;
  if (rawBody.trim()) {
    try {
      body = parseWith(RedriveReviewItemRequestSchema, JSON.parse(rawBody));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body', undefined, undefined, { cause: error });
    }
  }
  const { id } = parseWith(ReviewItemIdParamsSchema, pathParameters, 'path');
  const item = await getReviewItem(tenant.tenantId, id);
  if (!item) throw new ApiError('not_found', `No review item ${id}`, 'id');
  if (item.status !== 'open') throw new ApiError('conflict', `Review item ${id} is already resolved`);
  const plan = redrivePlanFor(tenant.tenantId, item);
  if (!plan) {
    throw new ApiError('conflict', `A ${item.kind} item has no step to re-run: resolve it (or accept/dismiss its booking) instead`);
  }
  const at = now().toISOString();
  const by = actorOf(tenant, body?.by);
  if (plan.type === 'message') {
    const messageId = await resendMessage(plan.queue, plan.body, id);
    await recordRedrive(tenant.tenantId, id, { at, by, type: 'message', queue: plan.queue, ref: messageId });
    return { statusCode: 202, body: { reviewItemId: id, redrive: { type: 'message', queue: plan.queue, messageId } } };
  }
  // A DLQ holds every tenant's dead letters: moving it is the deployment operator's call.
  requireScope(tenant, ['ops']);
  const { taskHandle, messages } = await redriveDeadLetters(plan.queue);
  await recordRedrive(tenant.tenantId, id, { at, by, type: 'dlq', queue: plan.queue, ref: taskHandle });
  return { statusCode: 202, body: { reviewItemId: id, redrive: { type: 'dlq', queue: plan.queue, taskHandle, messages } } };
});
