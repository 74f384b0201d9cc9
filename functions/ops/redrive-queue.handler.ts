/**
 * POST /v1/ops/queues/{queue}/redrive: move a DLQ back to its work queue (StartMessageMoveTask),
 * as the AWS console's "Start DLQ redrive" does. The queues serve every tenant of the deployment,
 * so this needs the `ops` scope (the deployment's operator; a tenant's `admin` key does not have it unless given); the workers are idempotent, so a redriven
 * message is processed once.
 */
import { QUEUE_NAMES } from '../registry';
import { apiRoute, parseWith } from '../shared/http';
import * as z from '../shared/zod';
import { redriveDeadLetters } from './queues';

export const QueueParamsSchema = z.object({
  queue: z.enum(QUEUE_NAMES),
});

export const handler = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { queue } = parseWith(QueueParamsSchema, pathParameters, 'path');
  const started = await redriveDeadLetters(queue);
  return { statusCode: 202, body: { queue, ...started } };
});
