/**
 * OpenAPI paths of the people's side (issue 7): review queue, operations, reports, administration,
 * booking list and activity, and the console's static files. Registered by functions/api/openapi.ts.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { BookingIdParamsSchema, BookingSchema, TimelineEntrySchema } from '../booking/schemas';
import { ListBookingsQuerySchema } from '../booking/list-bookings.handler';
import { QueueParamsSchema } from '../ops/redrive-queue.handler';
import { AttributionQuerySchema, AttributionReportSchema } from '../reports/schemas';
import { RedriveReviewItemRequestSchema, ResolveReviewItemRequestSchema, ReviewItemIdParamsSchema, ReviewItemSchema } from '../review/schemas';
import * as z from '../shared/zod';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import {
  ApiKeySummarySchema,
  CreateApiKeyRequestSchema,
  CreateTenantRequestSchema,
  IssuedApiKeySchema,
  KeyIdParamsSchema,
  KeyTenantQuerySchema,
  WhoAmISchema,
} from './schemas';

const errors = standardErrors;
const notFound = { 404: json(ErrorSchema, 'No such item for this account') };
const conflict = (description: string) => ({ 409: json(ErrorSchema, description) });
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

const QueueDepthSchema = z
  .object({
    queue: z.string(),
    visible: z.number().int(),
    inFlight: z.number().int(),
    delayed: z.number().int(),
    deadLetter: z.object({ visible: z.number().int(), inFlight: z.number().int() }),
    lastRedrive: z
      .object({
        status: z.string(),
        moved: z.number().int(),
        toMove: z.number().int().optional(),
        startedAt: z.string().optional(),
        failureReason: z.string().optional(),
      })
      .optional(),
  })
  .openapi('QueueDepth');

const RedriveResultSchema = z.object({
  reviewItemId: z.string(),
  redrive: z.object({
    type: z.enum(['message', 'dlq']),
    queue: z.string(),
    messageId: z.string().optional(),
    taskHandle: z.string().optional(),
    messages: z.number().int().optional(),
  }),
});

const BookingActivitySchema = z
  .object({
    booking: BookingSchema,
    lifecycle: z.record(z.string(), z.unknown()),
    timeline: z.array(TimelineEntrySchema),
    messages: z.array(z.record(z.string(), z.unknown())),
    crmWrites: z.array(z.record(z.string(), z.unknown())),
    reviewItems: z.array(ReviewItemSchema),
    owed: z
      .array(z.object({ change: z.string(), name: z.string(), at: z.string(), dueAt: z.string(), what: z.string() }))
      .openapi({ description: 'A change (`name`, at `at`) whose run did not finish what it owes (`what`): the recovery sweep takes it over from `dueAt`' }),
  })
  .openapi('BookingActivity');

export function registerOperatorPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'listBookings', {
    security,
    summary: "Today's and upcoming bookings (view=upcoming), or those created between from and to (view=created)",
    request: { query: ListBookingsQuerySchema },
    responses: { 200: json(z.object({ view: z.string(), bookings: z.array(BookingSchema) }).passthrough(), 'Bookings'), ...errors },
  });
  registerRoute(registry, 'getBookingActivity', {
    security,
    summary: "Everything that happened to a booking: each node's outcome, each message, each CRM write, open review items",
    request: { params: BookingIdParamsSchema },
    responses: { 200: json(BookingActivitySchema, 'The booking activity'), ...errors, ...notFound },
  });
  registerRoute(registry, 'getReviewItem', {
    security,
    summary: 'One review item with its full payload, reason, resolution and whether it can be redriven',
    request: { params: ReviewItemIdParamsSchema },
    responses: { 200: json(ReviewItemSchema.extend({ redrivable: z.boolean() }), 'The item'), ...errors, ...notFound },
  });
  registerRoute(registry, 'resolveReviewItem', {
    security,
    summary: 'Close an item with a note saying what was done; who is recorded (the name given and the key)',
    request: { params: ReviewItemIdParamsSchema, body: body(ResolveReviewItemRequestSchema) },
    responses: { 200: json(ReviewItemSchema, 'The resolved item'), ...errors, ...notFound, ...conflict('Already resolved') },
  });
  registerRoute(registry, 'redriveReviewItem', {
    security,
    summary:
      'Re-run the failed step: re-send the stored message to its work queue, or move the DLQ back (StartMessageMoveTask). The worker resolves the item when it succeeds.',
    request: { params: ReviewItemIdParamsSchema, body: { required: false, content: { 'application/json': { schema: RedriveReviewItemRequestSchema } } } },
    responses: {
      202: json(RedriveResultSchema, 'Redrive started'),
      ...errors,
      ...notFound,
      ...conflict('Resolved already, nothing to re-run, or a DLQ move is already running'),
    },
  });
  registerRoute(registry, 'listQueues', {
    security,
    summary: 'Depth of every work queue and its dead-letter queue, and the last DLQ redrive (scope admin or ops)',
    responses: { 200: json(z.object({ queues: z.array(QueueDepthSchema) }), 'Queues'), ...errors },
  });
  registerRoute(registry, 'redriveQueue', {
    security,
    summary: "Move a dead-letter queue's messages back to its work queue (the AWS console's Start DLQ redrive)",
    request: { params: QueueParamsSchema },
    responses: {
      202: json(z.object({ queue: z.string(), taskHandle: z.string(), messages: z.number().int() }), 'Move task started'),
      ...errors,
      ...conflict('A move task is already running'),
    },
  });
  registerRoute(registry, 'attributionReport', {
    security,
    summary:
      'Closed-loop attribution: bookings, accepted, completed, invoiced, paid and paid revenue per source, campaign or channel (format=csv for a spreadsheet)',
    request: { query: AttributionQuerySchema },
    responses: {
      200: { description: 'The report', content: { 'application/json': { schema: AttributionReportSchema }, 'text/csv': { schema: z.string() } } },
      ...errors,
    },
  });
  registerRoute(registry, 'createTenant', {
    security,
    summary: 'Create a tenant and its first admin API key (platform scope); the key is shown once',
    request: { body: body(CreateTenantRequestSchema) },
    responses: {
      201: json(
        z.object({ tenant: z.object({ tenantId: z.string(), name: z.string(), timeZone: z.string() }), apiKey: z.string(), key: ApiKeySummarySchema }),
        'The tenant and its key',
      ),
      ...errors,
      ...conflict('The tenant id is taken'),
    },
  });
  registerRoute(registry, 'whoAmI', {
    security,
    summary: 'The tenant and scopes of the calling key',
    responses: { 200: json(WhoAmISchema, 'Who the key is'), ...errors },
  });
  registerRoute(registry, 'listApiKeys', {
    security,
    summary: "The tenant's API keys (admin scope): names, scopes, hints and state, never secrets",
    request: { query: KeyTenantQuerySchema },
    responses: { 200: json(z.object({ keys: z.array(ApiKeySummarySchema) }), 'Keys'), ...errors },
  });
  registerRoute(registry, 'createApiKey', {
    security,
    summary: 'Issue an API key (admin scope; at most the caller’s own scopes). The secret is shown once and stored hashed.',
    request: { body: body(CreateApiKeyRequestSchema) },
    responses: { 201: json(IssuedApiKeySchema, 'The new key'), ...errors, ...notFound },
  });
  registerRoute(registry, 'rotateApiKey', {
    security,
    summary: 'A new secret for the key; the old secret stops working at once (admin scope)',
    request: { params: KeyIdParamsSchema, query: KeyTenantQuerySchema },
    responses: { 200: json(IssuedApiKeySchema, 'The new secret'), ...errors, ...notFound, ...conflict('The key is revoked') },
  });
  registerRoute(registry, 'revokeApiKey', {
    security,
    summary: 'Revoke a key: it stops working at once (admin scope)',
    request: { params: KeyIdParamsSchema, query: KeyTenantQuerySchema },
    responses: { 200: json(z.object({ key: ApiKeySummarySchema }), 'The revoked key'), ...errors, ...notFound },
  });
  for (const name of ['getConsole', 'getConsoleFile'] as const) {
    registerRoute(registry, name, {
      summary: name === 'getConsole' ? 'The operator console (HTML; signs in with an API key)' : 'The console’s page modules, script and style sheet',
      ...(name === 'getConsole'
        ? {}
        : {
            request: {
              params: z.object({
                file: z
                  .string()
                  .regex(/^[a-z][a-z0-9-]*\.(html|js|css)$/)
                  .openapi({ example: 'app.js' }),
              }),
            },
          }),
      responses: { 200: { description: 'Static file', content: { 'text/html': { schema: z.string() } } }, 404: json(ErrorSchema, 'No such file') },
    });
  }
}
