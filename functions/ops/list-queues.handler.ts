import { apiRoute } from '../shared/http';
import { requireScope } from '../shared/scopes';
import { queueDepths } from './queues';

/** Queues are shared by every tenant of a deployment: the figures are counts only, never messages. */
export const handler = apiRoute({}, async ({ tenant }) => {
  requireScope(tenant, ['admin', 'ops', 'platform']);
  return { statusCode: 200, body: { queues: await queueDepths() } };
});
