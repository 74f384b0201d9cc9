/**
 * Routes of the CrmSetup Lambda (crm/setup.handler.ts serves them): `POST /v1/crm/sync` starts a read sync of the connected CRM's customers
 * (backfill, or incremental from the last finished run) and answers 202 with its status;
 * `GET /v1/crm/sync` is its progress (pages, customers, state, the error it waits on). Admin scope.
 * The pages run in CrmReadSyncWorker (crm/read-sync.ts).
 * `POST /v1/webhooks/{provider}/crm?tenant=<id>` (public, signed) takes a vendor's customer-change
 * webhook (crm/read-sync-webhook.ts): 200 at once, the refresh runs in the worker.
 */
import * as z from '../shared/zod';
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { startCrmReadSync } from './read-sync';
import { CRM_WEBHOOK_PROVIDERS, StartCrmReadSyncRequestSchema } from './read-sync-schemas';
import { getReadSyncStatus } from './read-sync-store';
import { receiveCrmWebhook } from './read-sync-webhook';

const CrmWebhookPathSchema = z.object({ provider: z.enum(CRM_WEBHOOK_PROVIDERS) });
const CrmWebhookQuerySchema = z.object({ tenant: z.string().regex(/^[a-z0-9-]{3,40}$/, 'expected a tenant id') });

const start = apiRoute({ body: StartCrmReadSyncRequestSchema }, async ({ tenant, body }) => ({
  statusCode: 202,
  body: await startCrmReadSync(tenant.tenantId, body.mode, now()),
}));

const status = apiRoute({}, async ({ tenant }) => {
  const current = await getReadSyncStatus(tenant.tenantId);
  if (!current) throw new ApiError('not_found', 'No CRM sync has run: start one with POST /v1/crm/sync');
  const { cursor: _cursor, ...visible } = current;
  return { statusCode: 200, body: visible };
});

const webhook = apiRoute({ query: CrmWebhookQuerySchema }, async ({ query, pathParameters, headers, rawBody, event }) => {
  const { provider } = parseWith(CrmWebhookPathSchema, pathParameters, 'path');
  const hostAndPath = `${event.requestContext.domainName}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const taken = await receiveCrmWebhook(provider, query.tenant, { method: event.requestContext.http.method, hostAndPath, headers, body: rawBody }, now());
  return { statusCode: 200, body: taken };
});

export const readSyncOperations = { startCrmSync: start, getCrmSync: status, crmWebhook: webhook };
export const handler = routeOperations(readSyncOperations);
