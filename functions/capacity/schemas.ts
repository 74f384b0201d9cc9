/** Availability, holds and schedule-sync API shapes (zod: validation, types and OpenAPI). */
import { AddressSchema, AttributionSchema, CHANNELS, CustomerInputSchema, TranscriptTurnSchema } from '../booking/schemas';
import { withinBytes } from '../shared/bounds';
import { daysBetween } from '../shared/zoned-time';
import * as z from '../shared/zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:mm (24-hour)');
const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');

export const MAX_AVAILABILITY_DAYS = 31;

export const AvailabilityQuerySchema = z
  .object({
    jobTypeId: z.string().min(1).max(100).optional().openapi({ description: "The job type; with bookingId, the booking's by default" }),
    postalCode: z
      .string()
      .trim()
      .min(3)
      .max(12)
      .optional()
      .openapi({ description: "The service address's postal code; with bookingId, the booking's by default" }),
    from: isoDate.optional(),
    to: isoDate.optional(),
    emergency: booleanParam.optional().openapi({
      description:
        "Emergency windows (the emergency reserve, windows under way, on-call after-hours); the job type's by default. With bookingId the booking decides (an emergency request or job type) and a different value is refused",
    }),
    customerId: z.string().min(1).max(64).optional().openapi({
      description:
        "The caller, when known (recognised): a member's availability includes the tenant's member reserve (with bookingId, the booking's customer counts)",
    }),
    bookingId: z.string().min(1).max(100).optional().openapi({
      description:
        "The booked job to move: the windows it could move to (what its reschedule would get). Its own window and daily place count as given back, the window it is in is not listed, and a member's job may take the member reserve. jobTypeId and postalCode default to the booking's and, when given, must be its.",
    }),
  })
  .superRefine((query, ctx) => {
    for (const field of ['jobTypeId', 'postalCode'] as const) {
      if (!query.bookingId && !query[field]) ctx.addIssue({ code: 'custom', path: [field], message: `give ${field}, or the bookingId of a job to move` });
    }
    if (Boolean(query.from) !== Boolean(query.to)) {
      ctx.addIssue({ code: 'custom', path: [query.from ? 'to' : 'from'], message: 'give both from and to, or neither' });
      return;
    }
    if (query.from && query.to) {
      const days = daysBetween(query.from, query.to);
      if (!(days >= 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
      else if (days >= MAX_AVAILABILITY_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_AVAILABILITY_DAYS} days per request` });
    }
  });

export const WindowSchema = z.object({ date: isoDate, start: clockTime, end: clockTime }).openapi('Window');

export const AvailableWindowSchema = WindowSchema.extend({
  afterHours: z.boolean(),
  /** How many technicians could take it. */
  capacity: z.number().int(),
}).openapi('AvailableWindow');

export const AvailabilityResponseSchema = z
  .object({
    jobTypeId: z.string(),
    postalCode: z.string(),
    emergency: z.boolean(),
    from: isoDate,
    to: isoDate,
    windows: z.array(AvailableWindowSchema),
    reason: z.enum(['out_of_area', 'no_qualified_technician', 'fully_booked']).optional(),
    nextAvailable: z.array(WindowSchema).optional().openapi({ description: 'When the asked range is full: the next open windows after it' }),
    scheduleStale: z.boolean().openapi({ description: 'Schedule data is stale: bookings will be pending_confirmation' }),
  })
  .openapi('Availability');

/** What the bot knows of the caller when it holds (all optional): kept with the hold (capacity/hold-caller-store.ts). */
const HOLD_CALLER_FIELDS = {
  customerId: z.string().min(1).max(64).optional().openapi({
    description: "The caller, when recognised: a member's hold may take the tenant's member reserve; a caller who hangs up before booking becomes a lead",
  }),
  customer: CustomerInputSchema.pick({ phone: true, email: true })
    .extend({ name: z.string().trim().min(1).max(200).optional() })
    .optional()
    .openapi({ description: 'Who is calling, as far as the bot knows: if the hold expires unbooked, the caller is kept as a lead (reason hung_up)' }),
  address: AddressSchema.optional(),
  channel: z.enum(CHANNELS).optional(),
  attribution: AttributionSchema.optional(),
  transcript: withinBytes(z.array(TranscriptTurnSchema).max(500), 50_000).optional().openapi({ description: 'The conversation so far; at most 50 KB in all' }),
};
export const HoldCallerSchema = z.object(HOLD_CALLER_FIELDS);
export type HoldCaller = z.infer<typeof HoldCallerSchema>;

export const CreateHoldRequestSchema = z
  .object({
    jobTypeId: z.string().min(1).max(100),
    postalCode: z.string().trim().min(3).max(12),
    window: z.object({ date: isoDate, start: clockTime }).optional().openapi({ description: 'Omit to hold the first open window' }),
    emergency: z.boolean().optional().openapi({
      description:
        "An emergency's hold (may take the emergency reserve); the job type's by default. With bookingId the booking decides and a different value is refused",
    }),
    bookingId: z.string().min(1).max(100).optional().openapi({
      description:
        "Hold a new window for this booked job (then POST /v1/bookings/{id}/reschedule with the holdId): its own current window and daily place are not counted against the new one, only its reschedule can take the hold, and a member's job may take the member reserve. jobTypeId and postalCode must be the booking's; emergency is the booking's.",
    }),
    ...HOLD_CALLER_FIELDS,
  })
  .openapi('CreateHoldRequest');
export type CreateHoldRequest = z.infer<typeof CreateHoldRequestSchema>;

export const HoldSchema = z
  .object({
    holdId: z.string(),
    status: z.enum(['HELD', 'BOOKED', 'RELEASED']),
    expiresAt: z.string().optional(),
    jobTypeId: z.string(),
    emergency: z.boolean(),
    window: WindowSchema.extend({ technicianId: z.string() }),
    bookingId: z.string().optional().openapi({ description: 'The booked job this hold is for (a move), or the booking that committed it' }),
  })
  .openapi('Hold');

export const HoldIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const ScheduleSyncRequestSchema = z
  .object({
    syncedAt: z.iso.datetime({ offset: true }).max(40).optional().openapi({ description: 'When the FSM data was read; default now' }),
    jobs: z
      .array(
        z.object({
          externalId: z.string().min(1).max(100),
          technicianId: z.string().min(1).max(64),
          date: isoDate,
          start: clockTime,
          jobTypeId: z.string().max(100).optional(),
        }),
      )
      .max(2_000),
  })
  .openapi('ScheduleSyncRequest');
export type ScheduleSyncRequest = z.infer<typeof ScheduleSyncRequestSchema>;
