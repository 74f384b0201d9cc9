/** OpenAPI paths of the lead routes (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import * as z from '../shared/zod';
import { LeadIdParamsSchema, LeadSchema, ListLeadsQuerySchema, WaitlistLeadRequestSchema } from './schemas';

export function registerLeadPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'listLeads', {
    security,
    summary:
      'Callers who could not be booked (out of area, no qualified technician, fully booked, handed to a person by triage, hung up before booking on a hold), newest first: reason, customer or contact, attribution, transcript, callback and waitlist state',
    request: { query: ListLeadsQuerySchema },
    responses: { 200: json(z.object({ items: z.array(LeadSchema) }), 'The leads'), ...standardErrors },
  });
  registerRoute(registry, 'waitlistLead', {
    security,
    summary:
      "Put a lead on the waitlist of its trade: when a slot frees up (a cancellation, a move), the earliest waiting lead it suits is offered it by SMS. Resolves the lead's callback item",
    request: { params: LeadIdParamsSchema, body: { content: { 'application/json': { schema: WaitlistLeadRequestSchema } } } },
    responses: {
      200: json(LeadSchema, 'The lead, waitlisted'),
      ...standardErrors,
      404: json(ErrorSchema, 'No such lead'),
      409: json(ErrorSchema, 'The lead is booked or closed (or has no request to offer from)'),
    },
  });
}
