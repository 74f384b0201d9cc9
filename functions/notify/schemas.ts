/** The notify queue's message: which ledger row is due (the sweeper sends it, the NotifyWorker reads it). */
import { z } from '../shared/zod';
import { NOTIFICATION_KINDS } from './catalogue';

export const NotifyMessageSchema = z.object({
  tenantId: z.string(),
  bookingId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  technicianId: z.string().optional(),
  version: z.number().int().optional(),
});
export type NotifyMessage = z.infer<typeof NotifyMessageSchema>;
