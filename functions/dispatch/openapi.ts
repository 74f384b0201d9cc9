/** OpenAPI paths of the dispatch board and day planner (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorSchema, json, security } from '../api/openapi-common';
import { BoardSchema, DispatchDateQuerySchema, PlanQuerySchema, PlanSchema } from './schemas';

export function registerDispatchPaths(registry: OpenAPIRegistry): void {
  const errors = {
    400: json(ErrorSchema, 'Bad query: `error.field` names it'),
    401: json(ErrorSchema, 'Missing or unknown API key'),
    403: json(ErrorSchema, 'The key lacks the bookings scope'),
  };
  registry.registerPath({
    method: 'get', path: '/v1/dispatch/board', operationId: 'getDispatchBoard', security,
    summary: "Each technician's day: booked jobs by arrival window with status, job type and postal code",
    request: { query: DispatchDateQuerySchema },
    responses: { 200: json(BoardSchema, 'The board'), ...errors },
  });
  registry.registerPath({
    method: 'post', path: '/v1/dispatch/plan', operationId: 'planDispatchDay', security,
    summary: "Assign the day's booked jobs to technicians (windows, skills, territories, drive time between postal-code centroids) with the HiGHS MIP solver, next to first-come-first-served; returns a proposal and the optimality gap, applies nothing",
    request: { query: PlanQuerySchema },
    responses: { 200: json(PlanSchema, 'The proposal'), ...errors },
  });
}
