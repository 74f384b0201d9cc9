/** OpenAPI paths for changing a booked job and reading the outbox (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from '../shared/zod';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { MessageCatalogueQuerySchema, MessagePreviewRequestSchema } from '../notify/schemas';
import { OutboxQuerySchema } from '../notify/outbox.handler';
import { BookingIdParamsSchema, BookingSchema } from './schemas';
import { CancelRequestSchema, RescheduleRequestSchema } from './schemas-changes';

const errors = {
  ...standardErrors,
  404: json(ErrorSchema, 'No such booking'),
};

export function registerBookingChangePaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'rescheduleBooking', {
    security,
    summary: 'Move a booking to a new window or another technician: the new claim is made before the old one is released; reminders move with it',
    request: { params: BookingIdParamsSchema, body: { content: { 'application/json': { schema: RescheduleRequestSchema } } } },
    responses: {
      200: json(BookingSchema, 'The moved booking'),
      ...errors,
      409: json(
        ErrorSchema.extend({ alternatives: z.array(z.object({ date: z.string(), start: z.string(), end: z.string() })).optional() }),
        'The window cannot be had, or the booking cannot be changed',
      ),
    },
  });
  registerRoute(registry, 'cancelBooking', {
    security,
    summary: 'Cancel a booking: capacity released, pending messages cancelled, CRM updated',
    request: { params: BookingIdParamsSchema, body: { content: { 'application/json': { schema: CancelRequestSchema } } } },
    responses: { 200: json(BookingSchema, 'The cancelled booking'), ...errors, 409: json(ErrorSchema, 'The booking cannot be changed') },
  });
  registerRoute(registry, 'inboundSms', {
    summary:
      "Customers' replies to our texts as Twilio posts them (signed with X-Twilio-Signature): C/YES confirm, R reschedule (then 1/2/3), CANCEL (then YES), PAY, STOP/START/HELP, ESPAÑOL/ENGLISH; anything else goes to dispatch. Acted on once per MessageSid",
    request: {
      params: z.object({ tenantId: z.string() }),
      body: {
        content: {
          'application/x-www-form-urlencoded': { schema: z.object({ From: z.string(), To: z.string(), Body: z.string(), MessageSid: z.string() }) },
        },
      },
    },
    responses: {
      200: { description: 'Handled: TwiML with the answer to the customer (or none); X-JobRelay-Action says what was done' },
      403: json(ErrorSchema, 'Unsigned or wrongly signed'),
    },
  });
  registerRoute(registry, 'listOutbox', {
    security,
    summary: 'Messages the local outbox provider sent (what a real provider would have delivered); only for accounts that use the outbox',
    request: { query: OutboxQuerySchema },
    responses: {
      200: json(z.object({ messages: z.array(z.record(z.string(), z.unknown())) }), 'Sent messages'),
      ...errors,
      404: json(ErrorSchema, 'No outbox: the account sends SMS and email through real providers'),
    },
  });
  const catalogue = json(
    z.object({ items: z.array(z.record(z.string(), z.unknown())) }),
    'Each kind: recipient, channel rule, variables, default wording, and rendered in en and es',
  );
  registerRoute(registry, 'getMessageCatalogue', {
    security,
    summary: "The message catalogue: every kind rendered for a sample booking in English and Spanish, with the account's own templates",
    request: { query: MessageCatalogueQuerySchema },
    responses: { 200: catalogue, ...errors },
  });
  registerRoute(registry, 'previewMessages', {
    security,
    summary: 'Preview templates before saving them (unknown variable or kind: 400 naming the template key)',
    request: { body: { content: { 'application/json': { schema: MessagePreviewRequestSchema } } } },
    responses: { 200: catalogue, ...errors },
  });
}
