import { ApiError } from '../shared/errors';
import { actorOf, apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { ResolveReviewItemRequestSchema, ReviewItemIdParamsSchema } from './schemas';
import { getReviewItem, resolveReviewItem } from './store';

export const handler = apiRoute({ body: ResolveReviewItemRequestSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(ReviewItemIdParamsSchema, pathParameters, 'path');
  // Who: the name the caller gives, always tied to the key that did it.
  const by = actorOf(tenant, body.by);
  const resolved = await resolveReviewItem(tenant.tenantId, id, by, body.note, now());
  if (resolved) return { statusCode: 200, body: resolved };
  const existing = await getReviewItem(tenant.tenantId, id);
  if (!existing) throw new ApiError('not_found', `No review item ${id}`, 'id');
  throw new ApiError('conflict', `Review item ${id} is already resolved (by ${existing.resolvedBy ?? 'someone'})`);
});
