/**
 * GET /v1/dispatch/suggestions?date: re-dispatch options for technicians running behind (computed on read).
 * POST /v1/dispatch/suggestions/{id}/accept: apply one (accept-suggestion.ts). One Lambda; the route name picks.
 */
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import * as z from '../shared/zod';
import { loadDispatchDay } from './day';
import { DispatchDateQuerySchema } from './schemas';
import { computeSuggestions } from './suggestions';
import { acceptSuggestion } from './accept-suggestion';

export const SuggestionParamsSchema = z.object({ id: z.string().regex(/^(mv|sw|rs)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/, 'expected a suggestion id') });

const list = apiRoute({ query: DispatchDateQuerySchema }, async ({ tenant, query }) => {
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  return { statusCode: 200, body: { date: query.date, suggestions: await computeSuggestions(day, now()) } };
});

const accept = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(SuggestionParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await acceptSuggestion(tenant.tenantId, id, tenant.keyId) };
});

/** The DispatchSuggestions routes (functions/registry.ts), by name. */
export const handler = routeOperations({ listDispatchSuggestions: list, acceptDispatchSuggestion: accept });
