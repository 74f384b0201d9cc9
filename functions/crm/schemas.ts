/** API shapes of the CRM mapping configuration (PUT /v1/config/crm-mapping). */
import { z } from '../shared/zod';
import { CrmMappingOverridesSchema, CrmMappingSchema } from './mapping';

export const CrmMappingRequestSchema = CrmMappingOverridesSchema.openapi('CrmMappingOverrides', {
  description:
    'Per job state (pending_approval, booked, rescheduled, dispatched, completed, invoiced, paid, cancelled, no_show): the deal stage, the CRM fields written (crmField from a context path) and the downstream action. States left out keep the default.',
});

export const CrmMappingResponseSchema = z
  .object({ overrides: CrmMappingOverridesSchema, mapping: CrmMappingSchema.openapi({ description: 'The effective table every adapter writes through' }) })
  .openapi('CrmMapping');

/** POST /v1/bookings/{id}/dismiss. */
export const DismissBookingRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(500).openapi({ example: 'Outside our service area' }) })
  .openapi('DismissBookingRequest');
