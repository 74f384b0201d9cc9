/** API shapes of the CRM mapping configuration (PUT /v1/config/crm-mapping). */
import * as z from '../shared/zod';
import { CRM_MAPPING_MAX_BYTES, JOB_STATES, StateMappingSchema } from './mapping';
import { withinBytes } from '../shared/bounds';
import { CRM_IDS_MAX_BYTES, CrmIdsSchema } from './vendor-ids';

// Built here with the OpenAPI-extended zod (mapping.ts uses plain zod, so its schemas carry no
// .openapi()); the validation is the same: job state -> StateMappingSchema, any subset of states,
// and beside them `ids`: the CRM's own ids picked from GET /v1/config/crm/options.
const stateOverrides = Object.fromEntries(JOB_STATES.map((state) => [state, StateMappingSchema.optional()])) as Record<
  (typeof JOB_STATES)[number],
  z.ZodOptional<typeof StateMappingSchema>
>;
export const CrmMappingRequestSchema = withinBytes(
  z.strictObject({
    ...stateOverrides,
    ids: CrmIdsSchema.optional().openapi({
      description:
        "The CRM's ids bookings are filed under, picked from GET /v1/config/crm/options: jobTypes and businessUnits by our job type id, campaigns by marketing source, technicians by our technician id, and defaults. Absent: the stored ids stay.",
    }),
  }),
  CRM_MAPPING_MAX_BYTES + CRM_IDS_MAX_BYTES,
).openapi('CrmMappingOverrides', {
  description:
    'Per job state (lead, pending_approval, booked, rescheduled, dispatched, completed, invoiced, paid, cancelled, no_show): the deal stage and the CRM fields written (crmField from a context path). States left out keep the default. `ids`: the CRM ids mapping.',
});

export const CrmMappingResponseSchema = z
  .object({
    overrides: z.partialRecord(z.enum(JOB_STATES), StateMappingSchema),
    mapping: z.record(z.enum(JOB_STATES), StateMappingSchema).openapi({ description: 'The effective table every adapter writes through' }),
    ids: CrmIdsSchema.openapi({ description: "The CRM's ids bookings are filed under" }),
  })
  .openapi('CrmMapping');

/** POST /v1/bookings/{id}/dismiss. */
export const DismissBookingRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(500).openapi({ example: 'Outside our service area' }) })
  .openapi('DismissBookingRequest');
