/** The notify queue's message: which ledger row is due (the sweeper sends it, the NotifyWorker reads it). */
import * as z from '../shared/zod';
import { MessageTemplatesSchema } from '../tenant/model';
import { NOTIFICATION_KINDS, templateProblem } from './catalogue';

export const MessagePartiesSchema = z.object({
  customerId: z.string().optional(),
  jobTypeId: z.string().optional(),
  technicianId: z.string().optional(),
});
export type MessageParties = z.infer<typeof MessagePartiesSchema>;

export const NotifyMessageSchema = z.object({
  tenantId: z.string(),
  bookingId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  technicianId: z.string().optional(),
  version: z.number().int().optional(),
  /**
   * Ids (never details) of the booking's customer, job type and technician as the row's writer knew
   * them: the worker reads them with the row, the booking and the tenant in one request
   * (notify/store.ts readMessageSubject); one that is missing or no longer the booking's is read after.
   */
  parties: MessagePartiesSchema.optional(),
  /**
   * Set on the message a notification_failed review item redrives (notify/send.ts failedMessageRedrive):
   * the row that failed for good is opened again and sent, once (store.ts reopenFailedRow).
   */
  redrive: z.literal(true).optional(),
  /**
   * Which ringing of the row this message is (notify/store.ts newRing): the sweep or the writer that
   * queued the row wrote the same on the row, in the write that queued it. Two sweeps at once both
   * send a due row's message and one marks it: the worker that finds another ring on the row drops
   * its message (that ring's message is on its way); the ring the row holds needs no claim in the
   * common case (store.ts howToTake). Absent on messages queued before it existed (and redrives).
   */
  ring: z.string().optional(),
});
export type NotifyMessage = z.infer<typeof NotifyMessageSchema>;

/**
 * A tenant's message templates (messaging.templates), checked when saved: each key names a kind
 * (`<kind>`, `<kind>.es`, `<kind>.subject`, `<kind>.subject.es`) and each template uses only the
 * variables of its kind. The 400 names the key and the variable. Asynchronous (Handlebars' parser
 * loads on first use): a schema refined with it is parsed with `safeParseAsync`, as apiRoute does.
 */
export async function checkTemplates(templates: Record<string, string> | undefined, path: (string | number)[], ctx: z.RefinementCtx): Promise<void> {
  for (const [key, template] of Object.entries(templates ?? {})) {
    const message = await templateProblem(key, template);
    if (message) ctx.addIssue({ code: 'custom', path: [...path, key], message });
  }
}

export const MessagePreviewRequestSchema = z
  .object({
    templates: MessageTemplatesSchema.default({}).openapi({
      description: 'Templates to try, by key (<kind>, <kind>.es, <kind>.subject, <kind>.subject.es); the saved ones fill the rest',
    }),
    kinds: z.array(z.enum(NOTIFICATION_KINDS)).max(100).optional().openapi({ description: 'Only these kinds (all when absent)' }),
  })
  .superRefine((body, ctx) => checkTemplates(body.templates, ['templates'], ctx))
  .openapi('MessagePreviewRequest');

export const MessageCatalogueQuerySchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS).optional(),
});
