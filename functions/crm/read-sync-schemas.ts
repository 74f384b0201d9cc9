/**
 * Read sync (issue 17 item 2): what a CRM adapter reads (a page of customers, each with its locations,
 * contacts, memberships, equipment and open estimates, in one vendor-neutral shape), the sync's
 * progress record, its queue message and its routes' bodies. One source of truth: types by z.infer.
 */
import * as z from '../shared/zod';

export const CrmAddressSchema = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

/** One customer as the CRM knows it, with its CRM ids kept so a booking is written against them. */
export const CrmCustomerSchema = z.object({
  /** The CRM's own customer id (ServiceTitan customer id, HubSpot contact id, HCP customer id). */
  crmId: z.string().min(1),
  name: z.string(),
  /** Phones as the CRM holds them (normalised to E.164 by the store). */
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  locations: z.array(z.object({ crmId: z.string().optional(), address: CrmAddressSchema })),
  membership: z
    .object({ status: z.enum(['active', 'lapsed', 'cancelled']), plan: z.string().optional(), renewsOn: z.string().optional(), crmId: z.string().optional() })
    .optional(),
  equipment: z.array(z.object({ kind: z.string(), make: z.string().optional(), model: z.string().optional(), installedOn: z.string().optional() })),
  openEstimates: z.array(z.object({ estimateId: z.string(), summary: z.string(), amount: z.number().optional(), createdAt: z.string() })),
  modifiedAt: z.string().optional(),
});
export type CrmCustomer = z.infer<typeof CrmCustomerSchema>;

/** A page of customers; `nextCursor` absent on the last page. Cursors are opaque strings per adapter. */
export const CrmCustomerPageSchema = z.object({ customers: z.array(CrmCustomerSchema), nextCursor: z.string().optional() });
export type CrmCustomerPage = z.infer<typeof CrmCustomerPageSchema>;

/** What a sync reads: from the cursor on (absent: the first page), changed at or after `modifiedSince` (absent: everything). */
export interface CrmCustomerQuery {
  cursor?: string;
  modifiedSince?: string;
  pageSize: number;
}

/** The CRM ids a JobRelay customer carries once it is linked to the CRM's customer. */
export const CrmLinkSchema = z.object({
  adapter: z.string(),
  customerId: z.string(),
  /** CRM location id by our normalised address key. */
  locations: z.record(z.string(), z.string()),
  syncedAt: z.string(),
});
export type CrmLink = z.infer<typeof CrmLinkSchema>;

export const CRM_SYNC_MODES = ['backfill', 'incremental'] as const;

/** The tenant's read sync progress: one record, checkpointed after every page. */
export const CrmReadSyncStatusSchema = z.object({
  tenantId: z.string(),
  adapter: z.string(),
  runId: z.string(),
  mode: z.enum(CRM_SYNC_MODES),
  state: z.enum(['running', 'waiting', 'done', 'failed']),
  /** Pages done in this run; the next message carries this number. */
  pages: z.number().int(),
  customers: z.number().int(),
  /** The vendor cursor the next page starts from (absent: the first page). */
  cursor: z.string().optional(),
  modifiedSince: z.string().optional(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  /** A throttled or failing CRM: when the page is tried again, and why. */
  retryAt: z.string().optional(),
  retries: z.number().int().default(0),
  throttled: z.number().int().default(0),
  lastError: z.string().optional(),
  /** Start of the last run that finished: where the next incremental run reads from. */
  watermark: z.string().optional(),
});
export type CrmReadSyncStatus = z.infer<typeof CrmReadSyncStatusSchema>;

/** One crm-read-sync message: the page `page` of run `runId` (the doorbell; the status record is the work). */
export const CrmReadSyncMessageSchema = z.object({ tenantId: z.string().min(1), runId: z.string().min(1), page: z.number().int().min(0) });
export type CrmReadSyncMessage = z.infer<typeof CrmReadSyncMessageSchema>;

/** CRMs whose webhooks tell us a customer changed (`POST /v1/webhooks/{provider}/crm`); the rest are polled. */
export const CRM_WEBHOOK_PROVIDERS = ['hubspot', 'housecallpro'] as const;
export type CrmWebhookProvider = (typeof CRM_WEBHOOK_PROVIDERS)[number];

/** One crm-read-sync message of another kind: read these customers again (a vendor webhook said they changed). */
export const CrmRefreshMessageSchema = z.object({
  tenantId: z.string().min(1),
  refresh: z.object({ adapter: z.string().min(1), crmIds: z.array(z.string().min(1)).min(1).max(100) }),
});
export type CrmRefreshMessage = z.infer<typeof CrmRefreshMessageSchema>;

/** The answer to a vendor's webhook delivery: events taken, seen before, and not about customers. */
export const CrmWebhookTakenSchema = z.object({ accepted: z.number().int(), duplicates: z.number().int(), ignored: z.number().int() });
export type CrmWebhookTaken = z.infer<typeof CrmWebhookTakenSchema>;

/** What the crm-read-sync queue carries: a page of a run, or a refresh of named customers. */
export const CrmReadSyncQueueMessageSchema = z.union([CrmReadSyncMessageSchema, CrmRefreshMessageSchema]);

export const StartCrmReadSyncRequestSchema = z.strictObject({
  /** backfill: every customer; incremental: those changed since the last finished run. */
  mode: z.enum(CRM_SYNC_MODES).default('backfill'),
});
