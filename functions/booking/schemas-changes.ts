/** Request shapes for changing a booked job (reschedule, reassign, cancel). */
import * as z from '../shared/zod';

export const RescheduleRequestSchema = z
  .object({
    window: z
      .object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'),
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:mm (24-hour)'),
      })
      .optional(),
    holdId: z.string().min(1).max(100).optional(),
    technicianId: z.string().min(1).max(64).optional().openapi({ description: 'Reassign to this technician (same window unless one is given)' }),
    reason: z.string().max(500).optional(),
  })
  .refine((body) => body.window || body.holdId || body.technicianId, { message: 'give a window, a holdId or a technicianId', path: ['window'] })
  .openapi('RescheduleRequest');

export const CancelRequestSchema = z.object({ reason: z.string().trim().min(1).max(500) }).openapi('CancelRequest');
