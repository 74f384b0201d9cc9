/** OpenAPI paths of the customer, CRM mapping and accept/dismiss routes (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { BookingIdParamsSchema, BookingSchema } from '../booking/schemas';
import { CustomerLookupRequestSchema, CustomerLookupResponseSchema } from '../customers/schemas';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { CrmMappingRequestSchema, CrmMappingResponseSchema, DismissBookingRequestSchema } from './schemas';

const errors = standardErrors;
const decided = {
  200: json(BookingSchema, 'The booking with its timeline'),
  ...errors,
  404: json(ErrorSchema, 'No such booking for this account'),
  409: json(ErrorSchema, 'The booking is not pending_approval (or was decided meanwhile)'),
};

export function registerCrmPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'lookupCustomer', {
    security,
    summary: 'Recognise a caller before the first question: normalised phone (E.164), email or service address',
    request: { body: { content: { 'application/json': { schema: CustomerLookupRequestSchema } } } },
    responses: { 200: json(CustomerLookupResponseSchema, 'The customer with history, equipment, membership, estimates and preferences; or none'), ...errors },
  });
  registerRoute(registry, 'putCrmMapping', {
    security,
    summary: 'Override the CRM mapping table per job state (admin scope); every adapter writes through it',
    request: { body: { content: { 'application/json': { schema: CrmMappingRequestSchema } } } },
    responses: { 200: json(CrmMappingResponseSchema, 'The stored overrides and the effective table'), ...errors },
  });
  registerRoute(registry, 'acceptBooking', {
    security,
    summary: 'A dispatcher accepts a pending_approval booking: it becomes confirmed (same slot) and its trail starts',
    request: { params: BookingIdParamsSchema },
    responses: decided,
  });
  registerRoute(registry, 'dismissBooking', {
    security,
    summary: 'A dispatcher dismisses a pending_approval booking with a reason: its slot is released',
    request: { params: BookingIdParamsSchema, body: { content: { 'application/json': { schema: DismissBookingRequestSchema } } } },
    responses: decided,
  });
}
