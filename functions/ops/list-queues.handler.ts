import { apiRoute } from '../shared/http';
import { requireScope } from '../shared/scopes';
import { queueDepths } from './queues';

/**
 * Queues are shared by every tenant of a deployment: the figures are counts only, never messages,
 * and only an `ops` key (the deployment's operator) sees them.
 */
export const handler = apiRoute({}, async ({ tenant }) => {
  requireScope(tenant, ['ops']);
  return { statusCode: 200, body: { queues: await queueDepths() } };
});
