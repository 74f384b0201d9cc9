/**
 * Job events from the field: what `POST /v1/jobs/{id}/events` and the signed FSM webhook take, and
 * what the `status-events` queue carries to StatusEventsWorker.
 */
import * as z from '../shared/zod';
import { JOB_EVENT_TYPES, LIFECYCLE_STATES } from './transitions';

const cents = z.number().int().min(0).max(100_000_000);

export const EquipmentSchema = z.object({
  kind: z.string().trim().min(1).max(100).openapi({ example: 'water heater' }),
  make: z.string().max(100).optional(),
  model: z.string().max(100).optional(),
  installedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  warrantyUntil: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

export const JobEventDataSchema = z
  .object({
    technicianId: z.string().max(100).optional(),
    technicianName: z.string().max(200).optional(),
    eta: z.iso.datetime({ offset: true }).max(40).optional().openapi({ description: 'Expected arrival (dispatched, en_route)' }),
    technicianNotes: z.string().max(5_000).optional(),
    equipmentNotes: z.string().max(5_000).optional().openapi({ description: 'Equipment seen or serviced (completed): goes on the customer' }),
    equipment: z.array(EquipmentSchema).max(20).optional(),
    amountCents: cents.optional().openapi({ description: 'Invoice total (invoiced) or amount paid (paid), in cents' }),
    lineItems: z
      .array(z.object({ description: z.string().max(500), amountCents: cents }))
      .max(100)
      .optional(),
    reason: z.string().max(1_000).optional().openapi({ description: 'Why (cancelled, no_show, rescheduled)' }),
    window: z
      .object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'),
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:mm'),
        end: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:mm')
          .optional(),
      })
      .optional()
      .openapi({
        description:
          "rescheduled: the job's new arrival window in the company's time zone (start names one of its windows; end defaults to that window's). With technicianId (or alone) the job's capacity claims and pending messages move with it",
      }),
    noSale: z.boolean().optional().openapi({ description: 'completed: the visit quoted work the customer did not buy; starts the rebooking sequence' }),
    delayMinutes: z
      .number()
      .int()
      .min(0)
      .max(720)
      .optional()
      .openapi({ description: 'delayed: how many minutes this job runs past plan (running long, or the technician is held up); 0 clears an earlier report' }),
  })
  .openapi('JobEventData');

/**
 * `delayed` is a report, not a state: the job keeps its state and the technician's later jobs of
 * the day are at risk (dispatch suggestions read it). The latest report by `occurredAt` wins.
 */
export const DELAY_EVENT = 'delayed' as const;

const JobEventObject = z.object({
  eventId: z.string().trim().min(1).max(200).openapi({ description: "The source's event id: a repeated id is applied once", example: 'fsm-evt-8812' }),
  type: z
    .enum([DELAY_EVENT, ...JOB_EVENT_TYPES])
    .openapi({ description: 'The state the job is now in, or `delayed` (with data.delayMinutes): the job runs late and keeps its state' }),
  occurredAt: z.iso.datetime({ offset: true }).max(40).openapi({ description: 'When it happened at the source; older than the last applied event = ignored' }),
  data: JobEventDataSchema.default({}),
});

function delayNeedsMinutes(event: z.infer<typeof JobEventObject>, ctx: z.RefinementCtx): void {
  if (event.type === DELAY_EVENT && event.data.delayMinutes === undefined) {
    ctx.addIssue({ code: 'custom', path: ['data', 'delayMinutes'], message: 'a delayed event says by how many minutes (data.delayMinutes)' });
  }
}

export const JobEventBodySchema = JobEventObject.superRefine(delayNeedsMinutes).openapi('JobEvent');
export type JobEventBody = z.infer<typeof JobEventBodySchema>;

/** The FSM webhook names our job (booking id) in the body. */
export const WebhookJobEventSchema = JobEventObject.extend({
  jobId: z.string().trim().min(1).max(64).openapi({ description: 'The JobRelay booking id the FSM job was created from' }),
})
  .superRefine(delayNeedsMinutes)
  .openapi('WebhookJobEvent');

export const JobEventAcceptedSchema = z.object({ accepted: z.literal(true), bookingId: z.string(), eventId: z.string() }).openapi('JobEventAccepted');

/** One message on the status-events queue. */
export const StatusEventMessageSchema = z.object({
  tenantId: z.string().min(1),
  bookingId: z.string().min(1),
  source: z.string().min(1).max(100),
  receivedAt: z.string(),
  event: JobEventBodySchema,
});
export type StatusEventMessage = z.infer<typeof StatusEventMessageSchema>;

export const JobLifecycleSchema = z
  .object({
    bookingId: z.string(),
    jobState: z.enum(LIFECYCLE_STATES),
    jobVersion: z.number().int(),
    lastEventAt: z.string().optional(),
    lastEventId: z.string().optional(),
  })
  .openapi('JobLifecycle');
