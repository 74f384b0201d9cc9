/** OpenAPI paths for changing a booked job and reading the outbox (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from '../shared/zod';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
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
    summary: 'Replies to our texts as Twilio posts them (signed with X-Twilio-Signature): STOP opts the customer out, START back in',
    request: {
      params: z.object({ tenantId: z.string() }),
      body: { content: { 'application/x-www-form-urlencoded': { schema: z.object({ From: z.string(), Body: z.string() }) } } },
    },
    responses: { 200: { description: 'Handled (empty TwiML: no auto-reply)' }, 401: json(ErrorSchema, 'Unsigned or wrongly signed') },
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
}
