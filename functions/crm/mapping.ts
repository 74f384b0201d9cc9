/**
 * The one CRM field-mapping table. For each job state: which CRM fields are written, from which
 * value of the write context, and which pipeline stage the deal moves to. Every adapter writes
 * through it; a tenant may override entries (stored in its config, validated by the same schema,
 * merged over the default state by state). What a state fires downstream (messages, follow-ups,
 * reminders) is the lifecycle's (functions/lifecycle/plan.ts): the table's former `action` column
 * drove nothing and was removed (issue 17), so one module owns that fact.
 */
import * as z from '../shared/zod';
import { lazyShape } from '../shared/lazy-shape';
import { LIFECYCLE_STATES } from '../lifecycle/transitions';
import { withinBytes } from '../shared/bounds';

/**
 * The lifecycle's states (functions/lifecycle/transitions.ts), plus a booking still awaiting a
 * dispatcher, plus `lead`: a caller who could not be booked (unbooked demand, functions/leads/),
 * and `lead_booked`: that caller booked since (the lead's CRM record is closed as converted).
 */
export const JOB_STATES = ['lead', 'lead_booked', 'pending_approval', ...LIFECYCLE_STATES] as const;
export type JobState = (typeof JOB_STATES)[number];

// Fields are built on first use, not at import (functions/shared/lazy-shape.ts: issue 19, cold init).
export const FieldMappingSchema = z.object(
  lazyShape({
    /** Field name in the CRM record. */
    crmField: () => z.string().min(1).max(100),
    /** Dotted path into the CRM write context (customer, booking, attribution, jobType, source, job). */
    from: () =>
      z
        .string()
        .max(200)
        .regex(/^(customer|booking|attribution|jobType|source|job)(\.[A-Za-z0-9_]+)+$/, 'expected a path like booking.summary'),
  }),
);

export const StateMappingSchema = z.object(
  lazyShape({
    dealStage: () => z.string().min(1).max(100),
    fields: () => z.array(FieldMappingSchema).min(1).max(100),
  }),
);
export type StateMapping = z.infer<typeof StateMappingSchema>;

export const CrmMappingSchema = z.record(z.enum(JOB_STATES), StateMappingSchema);
export type CrmMapping = z.infer<typeof CrmMappingSchema>;

/** A tenant's overrides: any subset of states, each a full entry (so the result is always valid); at most 24 KB in all. */
export const CRM_MAPPING_MAX_BYTES = 24_000;
export const CrmMappingOverridesSchema = withinBytes(z.partialRecord(z.enum(JOB_STATES), StateMappingSchema), CRM_MAPPING_MAX_BYTES);
export type CrmMappingOverrides = z.infer<typeof CrmMappingOverridesSchema>;

const customerFields = [
  { crmField: 'customer_name', from: 'customer.name' },
  { crmField: 'customer_phone', from: 'customer.phoneE164' },
  { crmField: 'customer_email', from: 'customer.email' },
];
const jobRef = [
  { crmField: 'external_booking_id', from: 'booking.bookingId' },
  { crmField: 'job_type', from: 'jobType.name' },
];
const attributionFields = [
  { crmField: 'lead_source', from: 'attribution.source' },
  { crmField: 'campaign', from: 'attribution.campaign' },
  { crmField: 'keyword', from: 'attribution.keyword' },
  { crmField: 'utm_source', from: 'attribution.utmSource' },
  { crmField: 'utm_medium', from: 'attribution.utmMedium' },
  { crmField: 'utm_campaign', from: 'attribution.utmCampaign' },
  { crmField: 'utm_term', from: 'attribution.utmTerm' },
  { crmField: 'utm_content', from: 'attribution.utmContent' },
  { crmField: 'gclid', from: 'attribution.gclid' },
  { crmField: 'fbclid', from: 'attribution.fbclid' },
  { crmField: 'msclkid', from: 'attribution.msclkid' },
  { crmField: 'tracking_number', from: 'attribution.trackingNumber' },
  { crmField: 'lsa_lead_id', from: 'attribution.lsaLeadId' },
  { crmField: 'lsa_response_deadline', from: 'attribution.lsaResponseDeadline' },
  { crmField: 'referral', from: 'attribution.referral' },
  { crmField: 'source_job_type', from: 'source.jobType' },
  { crmField: 'source_campaign', from: 'source.campaign' },
  { crmField: 'business_unit', from: 'source.businessUnit' },
];
/** Members first: the plan (the field reads it as "Member: <plan>", crm/adapters/field-notes.ts) and the membership's status. */
const membershipFields = [
  { crmField: 'membership', from: 'booking.membershipPlan' },
  { crmField: 'membership_status', from: 'customer.membership.status' },
];
/** What the field reads before the visit: how to get in, and what the customer asked us to know. */
const fieldNoteFields = [
  { crmField: 'access_notes', from: 'booking.accessNotes' },
  { crmField: 'customer_notes', from: 'booking.customerNotes' },
];
/** Where and what for: every record of a caller's request, booked or not. */
const requestFields = [
  { crmField: 'service_address', from: 'booking.addressLine' },
  { crmField: 'postal_code', from: 'booking.postalCode' },
  ...jobRef,
  { crmField: 'trade', from: 'jobType.trade' },
  { crmField: 'summary', from: 'booking.summary' },
];
const bookedFields = [
  ...customerFields,
  ...requestFields,
  { crmField: 'next_appointment', from: 'booking.windowLabel' },
  { crmField: 'arrival_window', from: 'booking.windowLabel' },
  { crmField: 'technician_id', from: 'booking.technicianId' },
  { crmField: 'channel', from: 'booking.channel' },
  ...membershipFields,
  ...fieldNoteFields,
  ...attributionFields,
];

/** An unbooked caller: who, where, what for, why not, and where they came from (no window, no technician). */
const leadFields = [
  ...customerFields,
  ...requestFields,
  { crmField: 'channel', from: 'booking.channel' },
  { crmField: 'lead_id', from: 'booking.leadId' },
  { crmField: 'unbooked_reason', from: 'job.reason' },
  ...attributionFields,
];

/**
 * The default table (seed 002's "what each job state should write to the CRM"). Typed, not parsed at
 * import: a parse here cost every function that loads the tenant model ~15 ms of init (issue 19);
 * test/unit/domain.test.ts checks the table against CrmMappingSchema.
 */
export const defaultCrmMapping: CrmMapping = {
  lead: { dealStage: 'Unbooked', fields: leadFields },
  // The caller booked after all: the lead's record (a HubSpot deal of its own) leaves the open stages, naming the booking.
  lead_booked: {
    dealStage: 'Converted',
    fields: [
      { crmField: 'lead_id', from: 'booking.leadId' },
      { crmField: 'booked_booking_id', from: 'job.bookedBookingId' },
    ],
  },
  pending_approval: { dealStage: 'Pending Approval', fields: bookedFields },
  booked: { dealStage: 'Booked', fields: bookedFields },
  rescheduled: {
    dealStage: 'Booked',
    fields: [
      ...jobRef,
      { crmField: 'next_appointment', from: 'booking.windowLabel' },
      { crmField: 'technician_id', from: 'booking.technicianId' },
      ...membershipFields,
    ],
  },
  dispatched: {
    dealStage: 'Dispatched',
    fields: [...jobRef, { crmField: 'assigned_technician', from: 'job.technicianName' }, { crmField: 'eta', from: 'job.eta' }],
  },
  en_route: {
    dealStage: 'Dispatched',
    fields: [...jobRef, { crmField: 'assigned_technician', from: 'job.technicianName' }, { crmField: 'eta', from: 'job.eta' }],
  },
  completed: {
    dealStage: 'Completed',
    fields: [
      ...jobRef,
      { crmField: 'service_history_entry', from: 'job.completedAt' },
      { crmField: 'equipment_notes', from: 'job.equipmentNotes' },
      { crmField: 'technician_notes', from: 'job.technicianNotes' },
    ],
  },
  invoiced: {
    dealStage: 'Invoiced',
    fields: [...jobRef, { crmField: 'balance', from: 'job.balance' }, { crmField: 'line_items', from: 'job.lineItems' }],
  },
  paid: {
    dealStage: 'Closed Won',
    fields: [...jobRef, { crmField: 'account_status', from: 'job.accountStatus' }, { crmField: 'last_paid_date', from: 'job.paidAt' }],
  },
  cancelled: {
    dealStage: 'Closed Lost',
    fields: [...jobRef, { crmField: 'cancel_reason', from: 'job.reason' }],
  },
  no_show: {
    dealStage: 'No Show',
    fields: [...jobRef, { crmField: 'no_show_at', from: 'job.at' }],
  },
};

/** The tenant's effective table: its overrides, state by state, over the default. */
export function effectiveMapping(overrides: CrmMappingOverrides | undefined): CrmMapping {
  return { ...defaultCrmMapping, ...CrmMappingOverridesSchema.parse(overrides ?? {}) };
}

/** Own properties only: a tenant's path like `booking.constructor` reads nothing, not Object.prototype. */
function valueAt(context: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined),
      context,
    );
}

/** The CRM fields for a job state; fields whose source value is absent are left out, never blanked. */
export function mapFields(mapping: CrmMapping, state: JobState, context: Record<string, unknown>) {
  const entry = mapping[state];
  if (!entry) throw new Error(`The CRM mapping has no entry for state ${state}`);
  // Object.fromEntries defines own properties, so a CRM field named `__proto__` is a field, not a prototype.
  const fields: Record<string, string | number | boolean> = Object.fromEntries(
    entry.fields.flatMap(({ crmField, from }) => {
      const value = valueAt(context, from);
      if (value === undefined || value === null || value === '') return [];
      return [[crmField, typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean)]];
    }),
  );
  return { dealStage: entry.dealStage, fields };
}
