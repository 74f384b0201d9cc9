/**
 * The one CRM field-mapping table. For each job state: which CRM fields are written, from which
 * value of the booking context, and which pipeline stage the deal moves to. Every adapter writes
 * through it; a tenant may override entries (validated by the same schema).
 */
import { z } from 'zod';

export const JOB_STATES = ['booked'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FieldMappingSchema = z.object({
  /** Field name in the CRM record. */
  crmField: z.string().min(1),
  /** Dotted path into the CRM write context (customer, booking, attribution, jobType). */
  from: z.string().min(1),
});

export const StateMappingSchema = z.object({
  dealStage: z.string().min(1),
  fields: z.array(FieldMappingSchema).min(1),
});

export const CrmMappingSchema = z.record(z.enum(JOB_STATES), StateMappingSchema);
export type CrmMapping = z.infer<typeof CrmMappingSchema>;

export const defaultCrmMapping: CrmMapping = CrmMappingSchema.parse({
  booked: {
    dealStage: 'Booked',
    fields: [
      { crmField: 'customer_name', from: 'customer.name' },
      { crmField: 'customer_phone', from: 'customer.phoneE164' },
      { crmField: 'customer_email', from: 'customer.email' },
      { crmField: 'service_address', from: 'booking.addressLine' },
      { crmField: 'postal_code', from: 'booking.postalCode' },
      { crmField: 'job_type', from: 'jobType.name' },
      { crmField: 'trade', from: 'jobType.trade' },
      { crmField: 'summary', from: 'booking.summary' },
      { crmField: 'arrival_window', from: 'booking.windowLabel' },
      { crmField: 'technician_id', from: 'booking.technicianId' },
      { crmField: 'channel', from: 'booking.channel' },
      { crmField: 'lead_source', from: 'attribution.source' },
      { crmField: 'campaign', from: 'attribution.campaign' },
      { crmField: 'keyword', from: 'attribution.keyword' },
      { crmField: 'utm_source', from: 'attribution.utmSource' },
      { crmField: 'utm_medium', from: 'attribution.utmMedium' },
      { crmField: 'utm_campaign', from: 'attribution.utmCampaign' },
      { crmField: 'gclid', from: 'attribution.gclid' },
      { crmField: 'tracking_number', from: 'attribution.trackingNumber' },
      { crmField: 'lsa_lead_id', from: 'attribution.lsaLeadId' },
      { crmField: 'referral', from: 'attribution.referral' },
      { crmField: 'external_booking_id', from: 'booking.bookingId' },
    ],
  },
});

function valueAt(context: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), context);
}

/** The CRM fields for a job state; fields whose source value is absent are left out, never blanked. */
export function mapFields(mapping: CrmMapping, state: JobState, context: Record<string, unknown>) {
  const entry = mapping[state];
  if (!entry) throw new Error(`The CRM mapping has no entry for state ${state}`);
  const fields: Record<string, string | number | boolean> = {};
  for (const { crmField, from } of entry.fields) {
    const value = valueAt(context, from);
    if (value !== undefined && value !== null && value !== '') fields[crmField] = value as string;
  }
  return { dealStage: entry.dealStage, fields };
}
