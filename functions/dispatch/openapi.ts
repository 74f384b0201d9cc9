/** OpenAPI paths of the dispatch board and day planner (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import * as z from '../shared/zod';
import { BookingSchema } from '../booking/schemas';
import { BoardSchema, DispatchDateQuerySchema, PlanQuerySchema, PlanSchema, ReassignBodySchema, ReassignResultSchema, SuggestionSchema } from './schemas';

export function registerDispatchPaths(registry: OpenAPIRegistry): void {
  const errors = standardErrors;
  registerRoute(registry, 'getDispatchBoard', {
    security,
    summary: "Each technician's day: booked jobs by arrival window with status, job type and postal code",
    request: { query: DispatchDateQuerySchema },
    responses: { 200: json(BoardSchema, 'The board'), ...errors },
  });
  registerRoute(registry, 'planDispatchDay', {
    security,
    summary:
      "Assign the day's booked jobs to technicians (windows, skills, territories, drive time between postal-code centroids) with the HiGHS MIP solver, next to first-come-first-served; returns a proposal and the optimality gap, applies nothing",
    request: { query: PlanQuerySchema },
    responses: { 200: json(PlanSchema, 'The proposal'), ...errors },
  });
  registerRoute(registry, 'listDispatchSuggestions', {
    security,
    summary:
      'Re-dispatch options when a technician runs behind (a dispatched/en_route job event whose `data.eta` is after the window end, or a `delayed` job event: the job runs long): move their next job to a nearby qualified free technician in the same window, swap it with a later job of an on-time technician (both keep their windows), or reschedule a low-priority job to its next open window; each with the customer message(s) that would go out',
    request: { query: DispatchDateQuerySchema },
    responses: {
      200: json(z.object({ date: z.string(), suggestions: z.array(SuggestionSchema) }), 'The suggestions (computed now; ids are stable)'),
      ...errors,
    },
  });
  registerRoute(registry, 'acceptDispatchSuggestion', {
    security,
    summary:
      'Apply a suggestion with one call, through the same reschedule as POST /v1/bookings/{id}/reschedule (claims, messages, CRM); a swap moves both jobs in one transaction',
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: json(
        z.object({
          accepted: SuggestionSchema,
          booking: BookingSchema,
          otherBooking: BookingSchema.optional().openapi({ description: 'swap: the other job' }),
        }),
        'Applied',
      ),
      ...errors,
      404: json(ErrorSchema, 'No such suggestion'),
      409: json(ErrorSchema, 'The suggestion no longer applies, or the window was taken meanwhile'),
    },
  });
  registerRoute(registry, 'reassignTechnicians', {
    security,
    summary:
      "Apply technician changes for one day (a plan's `changes[].to` with its `planId` and `boardVersion`, a swap, a chain) whole or not at all: windows stay as booked; a plan computed on a board that changed since is refused (409 board_changed: plan again); one change that cannot be done refuses the request naming the job; a plan id applies once. Customers and both technicians are told as for any reassignment",
    request: { body: { content: { 'application/json': { schema: ReassignBodySchema } } } },
    responses: {
      200: json(ReassignResultSchema, 'Applied: every change, and the day after'),
      ...errors,
      409: json(
        ErrorSchema,
        'Refused, nothing applied: the board changed since the plan (board_changed), or a change cannot be done (conflict, naming the job)',
      ),
    },
  });
}
