/**
 * Leads: callers whose request could not be booked. The zod schemas are the one source of the
 * lead's shape (API answers, OpenAPI, the store's typed items).
 */
import { AttributionSchema, BookedWindowSchema, CHANNELS, CustomerInputSchema, TranscriptTurnSchema } from '../booking/schemas';
import * as z from '../shared/zod';

/** Why a caller could not be booked (the booking's statusReason, grouped as a person acts on it). */
export const LEAD_REASONS = ['out_of_area', 'no_qualified_technician', 'fully_booked', 'window_unavailable', 'triage_to_person', 'hung_up'] as const;
export type LeadReason = (typeof LEAD_REASONS)[number];

/**
 * open: waiting for a callback; waitlisted: waiting for a slot of its trade to free up; offered: a
 * freed slot was offered by SMS; booked: the customer booked since; closed: a person closed it.
 */
export const LEAD_STATUSES = ['open', 'waitlisted', 'offered', 'booked', 'closed'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LeadOfferSchema = BookedWindowSchema.extend({
  offeredAt: z.string(),
  /** The booking whose cancellation or move freed the slot, or the day plan (its planId) whose apply made the room. */
  freedBy: z.string(),
}).openapi('LeadOffer');

/** What the store holds: facts the lead owns. Attribution, channel and transcript of a lead made from a booking request are that booking's. */
export const LeadRecordSchema = z.object({
  leadId: z.string(),
  status: z.enum(LEAD_STATUSES),
  reason: z.enum(LEAD_REASONS),
  /** The booking's own reason, when finer than `reason` (e.g. window_taken). */
  detail: z.string().optional(),
  customerId: z.string().optional(),
  /** The unbooked request, kept as a rejected booking (it holds the request, attribution and transcript). */
  bookingId: z.string().optional(),
  /** Absent when triage could not tell the job (the caller was handed to a person). */
  jobTypeId: z.string().optional(),
  trade: z.string(),
  postalCode: z.string(),
  /** The hold whose caller hung up before booking (reason hung_up). */
  holdId: z.string().optional(),
  /**
   * How to reach a caller no customer record was found for (a lead without a booking: the caller
   * hung up on a hold, or triage handed them to a person). With a customerId the customer owns these.
   */
  contact: CustomerInputSchema.pick({ phone: true, email: true }).extend({ name: z.string().optional() }).optional(),
  /** The contact's phone in E.164 (a lead without a customer): how a later booking from that phone finds and closes it. */
  phoneE164: z.string().optional(),
  /** Where the CRM has a lead without a booking (a booking's lead is written, and recorded, on the booking). */
  crm: z
    .object({
      adapter: z.string(),
      externalIds: z.record(z.string(), z.string()),
      syncedAt: z.string(),
      /** The state last written (absent on older records: `lead`); `lead_booked` once the caller booked. */
      state: z.enum(['lead', 'lead_booked']).optional(),
    })
    .optional(),
  /** Only for a lead without a booking (triage handed the caller to a person, the caller hung up on a hold). */
  attribution: AttributionSchema.optional(),
  channel: z.enum(CHANNELS).optional(),
  transcript: z.array(TranscriptTurnSchema).optional(),
  /** The item dispatch calls back from: a `callback` item, or for triage_to_person the `needs_triage` item triage opened. */
  callbackReviewItemId: z.string().optional(),
  waitlistedAt: z.string().optional(),
  offer: LeadOfferSchema.optional(),
  offers: z.number().int().optional(),
  /** The booking that served this lead after all (status booked). */
  bookedBookingId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LeadRecord = z.infer<typeof LeadRecordSchema>;

export const LeadSchema = LeadRecordSchema.extend({
  attribution: AttributionSchema.optional(),
  channel: z.enum(CHANNELS).optional(),
  transcript: z.array(TranscriptTurnSchema).optional(),
}).openapi('Lead', { description: 'A caller who could not be booked: why, who, where from, and what was said' });
export type Lead = z.infer<typeof LeadSchema>;

export const ListLeadsQuerySchema = z.object({
  status: z.enum(LEAD_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const LeadIdParamsSchema = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a lead id') });

export const WaitlistLeadRequestSchema = z
  .object({
    note: z.string().trim().max(2_000).optional().openapi({ example: 'Customer happy to take any cancellation this week' }),
    by: z.string().trim().min(1).max(200).optional().openapi({ description: 'Who waitlisted it; defaults to the API key id' }),
  })
  .openapi('WaitlistLeadRequest');

/** The options a dispatcher has for a callback (the `callback` review item's payload). */
export const CallbackOptionsSchema = z.object({
  nextWindows: z.array(BookedWindowSchema),
  neighbouringTechnicians: z.array(
    z.object({ technicianId: z.string(), name: z.string(), travelMinutes: z.number().int(), window: BookedWindowSchema.nullable() }),
  ),
  /** Absent for a lead without a booking request to offer a slot from (book it on the call back). */
  waitlist: z.object({ method: z.literal('POST'), path: z.string() }).optional(),
});
export type CallbackOptions = z.infer<typeof CallbackOptionsSchema>;
