/** API shapes of the CRM mapping configuration (PUT /v1/config/crm-mapping). */
import { z } from '../shared/zod';
import { CRM_MAPPING_MAX_BYTES, JOB_STATES, StateMappingSchema } from './mapping';
import { withinBytes } from '../shared/bounds';

// Built here with the OpenAPI-extended zod (mapping.ts uses plain zod, so its schemas carry no
// .openapi()); the validation is the same: a partial record of job state -> StateMappingSchema.
export const CrmMappingRequestSchema = withinBytes(z.partialRecord(z.enum(JOB_STATES), StateMappingSchema), CRM_MAPPING_MAX_BYTES).openapi(
  'CrmMappingOverrides',
  {
    description:
      'Per job state (pending_approval, booked, rescheduled, dispatched, completed, invoiced, paid, cancelled, no_show): the deal stage, the CRM fields written (crmField from a context path) and the downstream action. States left out keep the default.',
  },
);

export const CrmMappingResponseSchema = z
  .object({
    overrides: z.partialRecord(z.enum(JOB_STATES), StateMappingSchema),
    mapping: z.record(z.enum(JOB_STATES), StateMappingSchema).openapi({ description: 'The effective table every adapter writes through' }),
  })
  .openapi('CrmMapping');

/** POST /v1/bookings/{id}/dismiss. */
export const DismissBookingRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(500).openapi({ example: 'Outside our service area' }) })
  .openapi('DismissBookingRequest');
