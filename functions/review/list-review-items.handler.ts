import { apiRoute } from '../shared/http';
import { ListReviewItemsQuerySchema } from './schemas';
import { listReviewItems } from './store';

export const handler = apiRoute({ query: ListReviewItemsQuerySchema }, async ({ tenant, query }) => {
  return { statusCode: 200, body: { items: await listReviewItems(tenant.tenantId, query) } };
});
