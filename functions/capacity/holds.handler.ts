/** POST /v1/holds, GET and DELETE /v1/holds/{id}: the Holds routes (functions/registry.ts), by name (hold-requests.ts). */
import { apiRoute, errorBody, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { bookingBudget } from '../booking/budget';
import { createHold, readHold, releaseHoldById } from './hold-requests';
import { CreateHoldRequestSchema, HoldIdParamsSchema } from './schemas';

const create = apiRoute({ body: CreateHoldRequestSchema }, async ({ tenant, body, context }) => {
  const outcome = await createHold(tenant.tenantId, body, now(), bookingBudget(context));
  if ('refused' in outcome) return { statusCode: outcome.refused.statusCode, body: errorBody(outcome.refused) };
  return { statusCode: 201, body: outcome.hold, headers: { location: `/v1/holds/${outcome.hold.holdId}` } };
});

const release = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(HoldIdParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await releaseHoldById(tenant.tenantId, id) };
});

const read = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(HoldIdParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await readHold(tenant.tenantId, id, now()) };
});

export const handler = routeOperations({ createHold: create, getHold: read, releaseHold: release });
