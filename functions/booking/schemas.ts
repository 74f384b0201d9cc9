/**
 * The booking API's request and response shapes. These zod schemas are the single source of truth:
 * they validate requests, type the code, and generate /v1/openapi.json and /v1/tools.json.
 */
import * as z from '../shared/zod';
import { lazyShape, once } from '../shared/lazy-shape';
import { withinBytes } from '../shared/bounds';
import { INTENTS, ROUTES, URGENCIES, type TriageAnswer } from '../triage/classify';
import { CHANNELS } from './channels';

// Fields are built on first use, not at import (functions/shared/lazy-shape.ts: issue 19, cold init).
const isoDate = once(() => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'));
const clockTime = once(() => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:mm (24-hour)'));

export const CustomerInputSchema = z
  .object(
    lazyShape({
      name: () => z.string().trim().min(1).max(200),
      phone: () => z.string().trim().min(7).max(32).openapi({ example: '+1 512 555 0142' }),
      email: () => z.email().max(254).optional(),
      language: () =>
        z.enum(['en', 'es']).optional().openapi({ description: 'The language the caller speaks: their messages go out in it (English when absent)' }),
    }),
  )
  .openapi('CustomerInput', { description: 'Who the job is for. The phone is how we recognise a returning customer.' });

export const AddressSchema = z
  .object(
    lazyShape({
      line1: () => z.string().trim().min(1).max(200),
      line2: () => z.string().trim().max(200).optional(),
      city: () => z.string().trim().min(1).max(100),
      region: () => z.string().trim().min(1).max(100).openapi({ description: 'State or province', example: 'TX' }),
      postalCode: () => z.string().trim().min(3).max(12).openapi({ example: '78701' }),
      country: () => z.string().length(2).default('US'),
    }),
  )
  .openapi('Address');

export const WindowRequestSchema = z
  .object(
    lazyShape({
      date: () => isoDate().openapi({ description: "Local date in the company's time zone", example: '2026-12-02' }),
      start: () => clockTime().openapi({ description: 'Start of one of the company arrival windows', example: '10:00' }),
    }),
  )
  .openapi('WindowRequest');

/** How the request reached us (booking/channels.ts, which other capabilities' schemas import without these). */
export { CHANNELS } from './channels';

export const AttributionSchema = z
  .object(
    lazyShape({
      source: () => z.string().trim().min(1).max(100).openapi({ example: 'google_ads' }),
      campaign: () => z.string().max(200).optional(),
      keyword: () => z.string().max(200).optional(),
      utmSource: () => z.string().max(200).optional(),
      utmMedium: () => z.string().max(200).optional(),
      utmCampaign: () => z.string().max(200).optional(),
      utmTerm: () => z.string().max(200).optional(),
      utmContent: () => z.string().max(200).optional(),
      gclid: () => z.string().max(500).optional(),
      fbclid: () => z.string().max(500).optional(),
      msclkid: () => z.string().max(500).optional(),
      trackingNumber: () => z.string().max(32).optional().openapi({ description: 'Call-tracking number the customer dialled' }),
      lsaLeadId: () => z.string().max(100).optional(),
      lsaResponseDeadline: () =>
        z.iso
          .datetime({ offset: true })
          .max(40)
          .optional()
          .openapi({ description: 'When the Local Services Ads lead must be answered by (ISO 8601); flagged for a person when near' }),
      referral: () => z.string().max(200).optional(),
    }),
  )
  .openapi('Attribution', { description: 'Where the booking came from; carried through to the CRM.' });

export const TranscriptTurnSchema = z.object(
  lazyShape({
    role: () => z.enum(['customer', 'agent', 'system']),
    text: () => z.string().max(10_000),
  }),
);

export const CreateBookingRequestSchema = z
  .object(
    lazyShape({
      customer: () => CustomerInputSchema,
      address: () => AddressSchema,
      jobTypeId: () =>
        z.string().trim().min(1).max(100).optional().openapi({
          example: 'plumbing-drain-clog',
          description:
            'The job type. When absent, triage classifies `request` (and the customer turns of the transcript): a confident match books that job type, anything else is 400 on jobTypeId with the triage answer.',
        }),
      request: () =>
        z.string().max(5_000).optional().openapi({ description: 'What the caller asked for, in their words (used by triage when jobTypeId is absent)' }),
      window: () =>
        WindowRequestSchema.optional().openapi({
          description: 'The arrival window the customer chose. Omit it to take the first window dispatch can honour.',
        }),
      summary: () => z.string().trim().max(2_000).optional(),
      notes: () => z.string().max(5_000).optional(),
      accessNotes: () => z.string().max(2_000).optional(),
      transcript: () =>
        withinBytes(z.array(TranscriptTurnSchema).max(500), 50_000).optional().openapi({ description: 'The conversation so far; at most 50 KB in all' }),
      channel: () => z.enum(CHANNELS),
      attribution: () => AttributionSchema.optional(),
      holdId: () =>
        z.string().trim().min(1).max(100).optional().openapi({
          description: 'A hold from POST /v1/holds: the booking commits exactly that hold (409 with alternatives when it expired).',
        }),
      emergency: () =>
        z.boolean().optional().openapi({
          description:
            'The caller has an emergency: same-day and on-call after-hours capacity, on-call alerted. Job types flagged emergency are always emergencies.',
        }),
      allowDuplicate: () =>
        z.boolean().optional().openapi({
          description:
            'This is a second job for a need that already has an open booking (same trade at the same phone or service address, still ahead). Without it such a request books nothing and answers 200 with the open booking and `duplicateOf`.',
        }),
    }),
  )
  .openapi('CreateBookingRequest');
export type CreateBookingRequestInput = z.infer<typeof CreateBookingRequestSchema>;
/** A booking request once its job type is known (given, or decided by triage, whose answer it keeps). */
export type CreateBookingRequest = CreateBookingRequestInput & { jobTypeId: string; triage?: TriageAnswer };

/** How triage decided a booking's job type (bookings that arrived without one). */
export const BookingTriageSchema = z
  .object(
    lazyShape({
      intent: () => z.enum(INTENTS),
      trade: () => z.string().nullable(),
      urgency: () => z.enum(URGENCIES),
      jobType: () => z.object({ jobTypeId: z.string(), confidence: z.number() }).nullable(),
      reasons: () => z.array(z.string()),
      route: () => z.enum(ROUTES),
    }),
  )
  .openapi('BookingTriage');

export const BOOKING_STATUSES = [
  'received',
  /** An emergency with no honourable window soon: on-call technicians are being paged (functions/emergency/); accepting confirms it. */
  'dispatching',
  'confirmed',
  'pending_confirmation',
  'pending_approval',
  'pending_crm_sync',
  'rejected',
  /** A dispatcher dismissed a booking that needed acceptance; its slot claim is released. */
  'dismissed',
  /** Cancelled by the customer or the company; its capacity is released. */
  'cancelled',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const BookedWindowSchema = z
  .object(
    lazyShape({
      date: isoDate,
      start: clockTime,
      end: clockTime,
      technicianId: () => z.string().optional(),
    }),
  )
  .openapi('BookedWindow');

export const TimelineEntrySchema = z
  .object(
    lazyShape({
      at: () => z.string(),
      node: () => z.string(),
      outcome: () => z.string(),
      detail: () => z.record(z.string(), z.unknown()).optional(),
    }),
  )
  .openapi('TimelineEntry');

export const BookingSchema = z
  .object(
    lazyShape({
      bookingId: () => z.string(),
      status: () => z.enum(BOOKING_STATUSES),
      statusReason: () => z.string().optional(),
      customerId: () => z.string().optional(),
      jobTypeId: () => z.string(),
      window: () => BookedWindowSchema.nullable(),
      channel: () => z.enum(CHANNELS),
      summary: () => z.string().optional(),
      attribution: () => AttributionSchema.optional(),
      sourceSettings: () =>
        z
          .object({ jobType: z.string().optional(), campaign: z.string().optional(), businessUnit: z.string().optional(), requiresAcceptance: z.boolean() })
          .optional()
          .openapi({ description: "The tenant's settings for this booking's marketing source, as applied" }),
      crm: () =>
        z
          .object({ adapter: z.string(), externalIds: z.record(z.string(), z.string()), syncedAt: z.string(), state: z.string().optional() })
          .optional()
          .openapi({ description: 'Where the booking was written (absent until the CRM has it)' }),
      flags: () => z.array(z.enum(['missing_attribution', 'lsa_deadline_near'])).optional(),
      job: () =>
        z
          .object({
            state: z.string(),
            version: z.number().int(),
            lastEventAt: z.string().optional(),
            lastEventId: z.string().optional(),
            completedAt: z.string().optional(),
            invoicedAmountCents: z.number().int().optional(),
            paidAt: z.string().optional(),
            paidAmountCents: z.number().int().optional(),
          })
          .optional()
          .openapi({ description: 'The job lifecycle from the field (POST /v1/jobs/{id}/events), once an event was applied' }),
      triage: () =>
        BookingTriageSchema.optional().openapi({
          description: 'The booking arrived without a job type: what triage decided from what the caller said, and why',
        }),
      delay: () =>
        z
          .object({ minutes: z.number().int(), reportedAt: z.string(), reason: z.string().optional() })
          .optional()
          .openapi({ description: 'The latest `delayed` job event: the job runs this many minutes past plan' }),
      reserved: () =>
        z.boolean().optional().openapi({
          description:
            "Whether a technician's time is held for this booking. false: nothing is reserved (see `reservedReason` and `note`); never tell the customer a time is booked.",
        }),
      reservedReason: () => z.string().optional().openapi({ description: 'Why nothing is reserved, e.g. `schedule_stale` (dispatch confirms a time)' }),
      note: () => z.string().optional().openapi({ description: 'What to tell the caller when nothing is reserved, in plain words' }),
      duplicateOf: () =>
        z.string().optional().openapi({
          description:
            'The request repeated a need this open booking already serves (same trade at the same phone or service address): nothing new was booked and this is that booking (HTTP 200). Send `allowDuplicate: true` for a second job.',
        }),
      createdAt: () => z.string(),
      updatedAt: () => z.string(),
      alternatives: () => z.array(BookedWindowSchema).optional(),
      leadId: () => z.string().optional().openapi({ description: 'A rejected request: the caller was kept as this lead (GET /v1/leads)' }),
      timeline: () => z.array(TimelineEntrySchema).optional(),
    }),
  )
  .openapi('Booking');
export type Booking = z.infer<typeof BookingSchema>;

export const BookingIdParamsSchema = z.object(lazyShape({ id: () => z.string().min(1).max(64) }));
