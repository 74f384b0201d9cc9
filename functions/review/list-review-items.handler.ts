import { apiRoute } from '../shared/http';
import { requireScope } from '../shared/scopes';
import { ListReviewItemsQuerySchema } from './schemas';
import { listReviewItems } from './store';

export const handler = apiRoute({ query: ListReviewItemsQuerySchema }, async ({ tenant, query }) => {
  requireScope(tenant, ['review', 'admin']);
  return { statusCode: 200, body: { items: await listReviewItems(tenant.tenantId, query) } };
});
