/**
 * Route of the CrmSetup Lambda (crm/setup.handler.ts serves it): `POST /v1/webhooks/jobber?tenant=<id>`,
 * Jobber's app webhooks (public: signed in `X-Jobber-Hmac-SHA256` with the tenant's Jobber app client
 * secret, crm/jobber-webhook.ts). 200 at once; the client refresh runs in CrmReadSyncWorker.
 */
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { JOBBER_SIGNATURE_HEADER } from './adapters/jobber-webhook';
import { receiveJobberWebhook } from './jobber-webhook';
import * as z from '../shared/zod';

const JobberWebhookQuerySchema = z.object({ tenant: z.string().regex(/^[a-z0-9-]{3,40}$/, 'expected a tenant id') });

const webhook = apiRoute({ query: JobberWebhookQuerySchema }, async ({ query, headers, rawBody }) => ({
  statusCode: 200,
  body: await receiveJobberWebhook(query.tenant, rawBody, headers[JOBBER_SIGNATURE_HEADER], now()),
}));

export const jobberWebhookOperations = { jobberWebhook: webhook };
