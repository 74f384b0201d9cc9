import { apiRoute } from '../shared/http';
import { queueDepths } from './queues';

/**
 * Queues are shared by every tenant of a deployment: the figures are counts only, never messages,
 * and only an `ops` key (the deployment's operator) sees them.
 */
export const handler = apiRoute({}, async ({ tenant }) => {
  return { statusCode: 200, body: { queues: await queueDepths() } };
});
