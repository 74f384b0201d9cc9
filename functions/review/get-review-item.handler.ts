import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { ReviewItemIdParamsSchema } from './schemas';
import { getReviewItem, redrivePlanFor } from './store';

export const handler = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(ReviewItemIdParamsSchema, pathParameters, 'path');
  const item = await getReviewItem(tenant.tenantId, id);
  if (!item) throw new ApiError('not_found', `No review item ${id}`, 'id');
  const plan = item.status === 'open' ? redrivePlanFor(tenant.tenantId, item) : undefined;
  return { statusCode: 200, body: { ...item, redrivable: Boolean(plan), ...(plan ? { redrive: plan } : {}) } };
});
