/** OpenAPI paths of the customer, CRM mapping and accept/dismiss routes (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { BookingIdParamsSchema, BookingSchema } from '../booking/schemas';
import { CustomerLookupRequestSchema, CustomerLookupResponseSchema } from '../customers/schemas';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { CrmMappingRequestSchema, CrmMappingResponseSchema, DismissBookingRequestSchema } from './schemas';
import { CrmConfigRequestSchema, CrmConfigResponseSchema, CrmConnectionTestSchema, CrmOptionsSchema } from './setup-schemas';
import * as z from '../shared/zod';
import { CRM_WEBHOOK_PROVIDERS, CrmReadSyncStatusSchema, CrmWebhookTakenSchema, StartCrmReadSyncRequestSchema } from './read-sync-schemas';
import { CredentialStatusSchema, CrmCredentialSchema } from '../tenant/credentials-schemas';

const errors = standardErrors;
const decided = {
  200: json(BookingSchema, 'The booking with its timeline'),
  ...errors,
  404: json(ErrorSchema, 'No such booking for this account'),
  409: json(ErrorSchema, 'The booking is not pending_approval (or was decided meanwhile)'),
};

export function registerCrmPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'lookupCustomer', {
    security,
    summary: 'Recognise a caller before the first question: normalised phone (E.164), email or service address',
    request: { body: { content: { 'application/json': { schema: CustomerLookupRequestSchema } } } },
    responses: { 200: json(CustomerLookupResponseSchema, 'The customer with history, equipment, membership, estimates and preferences; or none'), ...errors },
  });
  registerRoute(registry, 'putCrmMapping', {
    security,
    summary: 'Override the CRM mapping table per job state (admin scope); every adapter writes through it',
    request: { body: { content: { 'application/json': { schema: CrmMappingRequestSchema } } } },
    responses: { 200: json(CrmMappingResponseSchema, 'The stored overrides and the effective table'), ...errors },
  });
  registerRoute(registry, 'getCrmConfig', {
    security,
    summary: "The account's CRM adapter and settings, and whether its credential is set (never the value)",
    responses: { 200: json(CrmConfigResponseSchema, 'The CRM configuration'), ...errors },
  });
  registerRoute(registry, 'putCrmConfig', {
    security,
    summary: 'Choose the CRM adapter and its non-secret settings (ids, URLs, timeouts); credentials go to PUT /v1/config/crm/credentials',
    request: { body: { content: { 'application/json': { schema: CrmConfigRequestSchema } } } },
    responses: { 200: json(CrmConfigResponseSchema, 'Stored'), ...errors },
  });
  registerRoute(registry, 'putCrmCredentials', {
    security,
    summary: "Set the CRM credentials for the account's adapter (the tenant's secret); the answer never carries them",
    request: { body: { content: { 'application/json': { schema: CrmCredentialSchema } } } },
    responses: { 200: json(CredentialStatusSchema, 'Set'), ...errors },
  });
  registerRoute(registry, 'testCrmConnection', {
    security,
    summary: 'A harmless authenticated call to the CRM: auth, scopes and the ids it can see (HubSpot: creates missing jobrelay_* properties)',
    responses: { 200: json(CrmConnectionTestSchema, 'What works (ok false says what does not)'), ...errors },
  });
  registerRoute(registry, 'listCrmOptions', {
    security,
    summary:
      'The lists mappings are picked from: job types, campaigns, business units, technicians (ServiceTitan, Housecall Pro), pipelines and stages (HubSpot)',
    responses: {
      200: json(CrmOptionsSchema, "The CRM's lists"),
      ...errors,
      422: json(ErrorSchema, 'The CRM refused the credentials'),
      503: json(ErrorSchema, 'The CRM is down or throttling (Retry-After)'),
    },
  });
  registerRoute(registry, 'acceptBooking', {
    security,
    summary: 'A dispatcher accepts a pending_approval booking: it becomes confirmed (same slot) and its trail starts',
    request: { params: BookingIdParamsSchema },
    responses: decided,
  });
  registerRoute(registry, 'dismissBooking', {
    security,
    summary: 'A dispatcher dismisses a pending_approval booking with a reason: its slot is released',
    request: { params: BookingIdParamsSchema, body: { content: { 'application/json': { schema: DismissBookingRequestSchema } } } },
    responses: decided,
  });
  // The cursor stays inside: a client follows pages, customers and state.
  const syncStatus = CrmReadSyncStatusSchema.omit({ cursor: true }).openapi('CrmReadSyncStatus');
  registerRoute(registry, 'startCrmSync', {
    security,
    summary:
      "Start a read sync of the connected CRM's customers (backfill: all of them; incremental: those changed since the last finished run); it runs page by page in the background",
    request: { body: { content: { 'application/json': { schema: StartCrmReadSyncRequestSchema } } } },
    responses: {
      202: json(syncStatus, 'Started: the run and its progress so far (follow it with GET /v1/crm/sync)'),
      ...errors,
      409: json(ErrorSchema, 'A sync is already running for this account'),
    },
  });
  registerRoute(registry, 'getCrmSync', {
    security,
    summary: 'Progress of the CRM read sync: pages and customers read, state (running, waiting on a throttled CRM, done, failed) and the error it waits on',
    responses: { 200: json(syncStatus, 'The latest run'), ...errors, 404: json(ErrorSchema, 'No CRM sync has run for this account') },
  });
  registerRoute(registry, 'crmWebhook', {
    summary:
      "A CRM's customer-change webhook (incremental read sync), signed with the tenant's key for that provider (`PUT /v1/config/credentials/job-events/{provider}`): HubSpot X-HubSpot-Signature-v3 with X-HubSpot-Request-Timestamp; Housecall Pro Api-Signature with Api-Timestamp. Answered at once; the changed customers are read again in the background; an event delivered again is taken once",
    request: {
      params: z.object({ provider: z.enum(CRM_WEBHOOK_PROVIDERS) }),
      query: z.object({ tenant: z.string().openapi({ description: 'The tenant id the webhook URL was issued for' }) }),
    },
    responses: {
      200: json(CrmWebhookTakenSchema, 'Taken: events accepted, seen before (duplicates) and not about customers (ignored)'),
      400: json(ErrorSchema, 'Unknown provider or tenant id, or a body that is not JSON'),
      401: json(ErrorSchema, 'Bad or missing signature, outside the 5-minute replay window, or no key set for this provider'),
    },
  });
  registerRoute(registry, 'jobberWebhook', {
    summary:
      "Jobber's app webhooks (CLIENT_CREATE and CLIENT_UPDATE refresh that client; other topics are acknowledged), signed in X-Jobber-Hmac-SHA256 with the tenant's Jobber app client secret (its CRM credential). Answered at once; the client is read again in the background; a delivery sent again is taken once",
    request: { query: z.object({ tenant: z.string().openapi({ description: 'The tenant id the webhook URL was issued for' }) }) },
    responses: {
      200: json(CrmWebhookTakenSchema, 'Taken: accepted, seen before (duplicates) or not used (ignored)'),
      400: json(ErrorSchema, 'A bad tenant id, or a body that is not a Jobber webhook'),
      401: json(ErrorSchema, 'Bad or missing signature, or the tenant is not connected to Jobber'),
    },
  });
}
