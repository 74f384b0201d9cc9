/**
 * The OpenAPI document and the LLM tool definitions, generated from the same zod schemas that
 * validate requests. Every route in functions/registry.ts must be described here (a test checks).
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from '../shared/zod';
import { ErrorSchema, registerRoute, security, standardErrors } from './openapi-common';
import { routeByKey } from '../registry';
import { BookingIdParamsSchema, BookingSchema, CreateBookingRequestSchema } from '../booking/schemas';
import { ListReviewItemsQuerySchema, ReviewItemSchema } from '../review/schemas';
import { registerOperatorPaths } from '../admin/openapi';
import { registerCapacityPaths } from '../capacity/openapi';
import { registerBookingChangePaths } from '../booking/openapi';
import { registerCrmPaths } from '../crm/openapi';
import { registerLifecyclePaths } from '../lifecycle/openapi';
import { registerTriagePaths } from '../triage/openapi';
import { registerDispatchPaths } from '../dispatch/openapi';
import { registerCredentialPaths } from '../tenant/openapi';
import { registerAgentPaths } from '../agent/openapi';
import { registerLeadPaths } from '../leads/openapi';
import { registerEmergencyPaths } from '../emergency/openapi';
import { toolDefinitions as agentToolDefinitions } from '../agent/tools';

const errorResponses = { 400: standardErrors[400], 401: standardErrors[401] };
const retryAfterHeader = { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const, minimum: 1 } };

function buildRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'Tenant API key jr_...' });

  registerRoute(registry, 'createBooking', {
    summary: 'Book a job: recognise the customer, hold a window dispatch can honour, write the CRM',
    security: [{ apiKey: [] }],
    request: {
      headers: z.object({
        'Idempotency-Key': z.string().max(128).optional().openapi({ description: 'Replays with the same key return the first answer' }),
      }),
      body: { content: { 'application/json': { schema: CreateBookingRequestSchema } } },
    },
    responses: {
      201: { description: 'The booking and its status', content: { 'application/json': { schema: BookingSchema } } },
      200: {
        description:
          'A repeat: an open booking already serves this need (same trade at the same phone or service address), so nothing new was booked; this is that booking, with `duplicateOf`. Send `allowDuplicate: true` for a second job.',
        content: { 'application/json': { schema: BookingSchema } },
      },
      ...errorResponses,
      409: {
        description: 'No technician can take it: the booking is rejected, with alternatives; the caller is kept as a lead (`leadId`, GET /v1/leads)',
        content: {
          'application/json': {
            schema: ErrorSchema.extend({
              booking: BookingSchema,
              alternatives: z.array(z.object({ date: z.string(), start: z.string(), end: z.string() })),
              leadId: z.string().optional(),
            }),
          },
        },
      },
      422: { description: 'Idempotency-Key reused with a different body', content: { 'application/json': { schema: ErrorSchema } } },
      // Overload sheds, it doesn't fail (functions/shared/admission.ts, booking/budget.ts).
      202: {
        description: 'The booking exists but its workflow did not finish inside the time budget: it goes on; poll `statusUrl` (also in Location)',
        headers: { Location: { description: '/v1/bookings/{id}', schema: { type: 'string' } }, 'Retry-After': retryAfterHeader },
        content: {
          'application/json': {
            schema: BookingSchema.partial().extend({ bookingId: z.string(), status: z.string(), statusUrl: z.string(), message: z.string() }),
          },
        },
      },
      429: {
        description: "Too many of this account's bookings in progress: nothing was written; retry after Retry-After",
        headers: { 'Retry-After': retryAfterHeader },
        content: { 'application/json': { schema: ErrorSchema } },
      },
      503: {
        description: 'The service is at capacity: nothing was written; retry after Retry-After',
        headers: { 'Retry-After': retryAfterHeader },
        content: { 'application/json': { schema: ErrorSchema } },
      },
    },
  });

  registerRoute(registry, 'getBooking', {
    summary: 'A booking with the timeline of what each workflow node did',
    security: [{ apiKey: [] }],
    request: { params: BookingIdParamsSchema },
    responses: {
      200: { description: 'The booking', content: { 'application/json': { schema: BookingSchema } } },
      ...errorResponses,
      404: { description: 'No such booking for this account', content: { 'application/json': { schema: ErrorSchema } } },
    },
  });

  registerRoute(registry, 'listReviewItems', {
    summary: 'The human review queue: everything that needs a person, with the reason',
    security: [{ apiKey: [] }],
    request: { query: ListReviewItemsQuerySchema },
    responses: {
      200: { description: 'Review items, oldest first', content: { 'application/json': { schema: z.object({ items: z.array(ReviewItemSchema) }) } } },
      ...errorResponses,
    },
  });

  for (const name of ['getOpenApiDocument', 'getToolDefinitions'] as const) {
    registerRoute(registry, name, {
      summary: name === 'getOpenApiDocument' ? 'This document' : 'Tool (function-calling) definitions for LLM agents',
      ...(name === 'getToolDefinitions'
        ? {
            request: {
              query: z.object({
                format: z
                  .enum(['openai', 'vapi', 'retell'])
                  .optional()
                  .openapi({ description: 'vapi: Vapi tools; retell: Retell custom functions (default: function calling)' }),
              }),
            },
          }
        : {}),
      responses: { 200: { description: 'JSON document', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
    });
  }
  registerCapacityPaths(registry);
  registerBookingChangePaths(registry);
  registerCrmPaths(registry);
  registerLifecyclePaths(registry);
  registerTriagePaths(registry);
  registerOperatorPaths(registry);
  registerDispatchPaths(registry);
  registerCredentialPaths(registry);
  registerAgentPaths(registry);
  registerLeadPaths(registry);
  registerEmergencyPaths(registry);
  return registry;
}

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** An answer with the Error body, as a generated document writes it. */
const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/**
 * Who may call each operation comes from the route's declaration in functions/registry.ts, not from
 * the per-module registrations: `security` (none for public routes) and `x-jobrelay-scopes`.
 */
function applyRouteAccess(document: OpenApiDocument): OpenApiDocument {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const access = routeByKey(`${method.toUpperCase()} ${path}`)?.scopes;
      if (!access) throw new Error(`OpenAPI describes ${method.toUpperCase()} ${path}, which functions/registry.ts does not declare`);
      if (access === 'public') {
        operation.security = [];
        continue;
      }
      operation.security = security;
      (operation as Record<string, unknown>)['x-jobrelay-scopes'] = [...access];
      const needs = `Needs an API key with one of the scopes: ${access.join(', ')} (or platform).`;
      operation.description = operation.description ? `${operation.description}\n\n${needs}` : needs;
      operation.responses ??= {};
      // The document is generated already: these name the Error component, not a zod schema.
      operation.responses['401'] ??= errorAnswer(standardErrors[401].description);
      operation.responses['403'] ??= errorAnswer(standardErrors[403].description);
    }
  }
  return document;
}

export function openApiDocument() {
  return applyRouteAccess(
    new OpenApiGeneratorV31(buildRegistry().definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'JobRelay API',
        version: '1.0.0',
        description: 'Booking-to-back-office relay for home-services companies. Errors: {"error":{"code","message","field"}}.',
      },
    }),
  );
}

/**
 * Function-calling tool definitions (JSON Schema parameters) for chat and voice agents: the agent's
 * tool table (functions/agent/tools.ts), the same tools MCP, Vapi and Retell serve.
 */
export function toolDefinitions() {
  return { tools: agentToolDefinitions() };
}
