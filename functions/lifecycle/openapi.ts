/** OpenAPI paths of the job lifecycle routes (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { BookingIdParamsSchema } from '../booking/schemas';
import * as z from '../shared/zod';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { MembershipSchema, PutMembershipRequestSchema } from '../renewals/schemas';
import { JobEventAcceptedSchema, JobEventBodySchema, WebhookJobEventSchema } from './schemas';

export function registerLifecyclePaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'postJobEvent', {
    security,
    summary:
      'Report a job event from the field (dispatched, en_route, completed, invoiced, paid, cancelled, rescheduled, no_show). Queued and applied through the transition table: a repeated event id, an event older than the last applied one, or a transition the table does not allow is a no-op',
    request: { params: BookingIdParamsSchema, body: { content: { 'application/json': { schema: JobEventBodySchema } } } },
    responses: {
      202: json(JobEventAcceptedSchema, 'Queued; the job state changes when the worker applies it'),
      ...standardErrors,
      404: json(ErrorSchema, 'No such job (booking) for this account'),
    },
  });
  registerRoute(registry, 'fieldJobEventsWebhook', {
    summary:
      'An FSM\'s job events, signed: X-JobRelay-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")> with X-JobRelay-Timestamp (5-minute replay window); the secret is the tenant\'s `<tenant>/job-events/<provider>`',
    request: {
      params: z.object({ provider: z.string().openapi({ example: 'servicetitan' }) }),
      query: z.object({ tenant: z.string().openapi({ description: 'The tenant id the webhook was issued for' }) }),
      headers: z.object({ 'X-JobRelay-Signature': z.string(), 'X-JobRelay-Timestamp': z.string() }),
      body: { content: { 'application/json': { schema: WebhookJobEventSchema } } },
    },
    responses: {
      202: json(JobEventAcceptedSchema, 'Queued'),
      400: json(ErrorSchema, 'Invalid event'),
      401: json(ErrorSchema, 'Bad or missing signature, or outside the replay window'),
      404: json(ErrorSchema, 'No such job for this tenant'),
    },
  });
  const customerParams = z.object({ customerId: z.string() });
  const errors = {
    ...standardErrors,
    404: json(ErrorSchema, 'No such customer'),
  };
  registerRoute(registry, 'listMemberships', {
    security: [{ apiKey: [] }],
    summary: "A customer's memberships (service agreements): plan, renewal date, status (active, past_due, lapsed, cancelled)",
    request: { params: customerParams },
    responses: { 200: json(z.object({ items: z.array(MembershipSchema) }), 'The memberships'), ...errors },
  });
  registerRoute(registry, 'putMembership', {
    security: [{ apiKey: [] }],
    summary: 'Create or change a membership; the daily renewals scan sends notices at 60/30/7/0 days, charges, retries and runs win-back',
    request: { params: customerParams.extend({ membershipId: z.string() }), body: { content: { 'application/json': { schema: PutMembershipRequestSchema } } } },
    responses: { 200: json(MembershipSchema, 'Changed'), 201: json(MembershipSchema, 'Created'), ...errors, 409: json(ErrorSchema, 'Changed meanwhile') },
  });
}
