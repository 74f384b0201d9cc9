/**
 * Route FieldJobEventsWebhook: `POST /v1/webhooks/{provider}/job-events?tenant=<tenantId>`, the
 * FSM's job events. Not API-key authenticated: the body is signed with the tenant's webhook secret
 * for that provider (its `job-events/<provider>` credential, set with
 * `PUT /v1/config/credentials/job-events/<provider>`), in our scheme
 * `X-JobRelay-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
 * `X-JobRelay-Timestamp` inside the replay window. Every authentication failure is the same 401.
 * A valid event is queued on status-events (202); the worker applies it.
 */
import * as z from '../shared/zod';
import { getBookingRecord } from '../booking/store';
import { verifyWebhook } from '../crm/adapters/webhook';
import { WebhookJobEventSchema } from '../lifecycle/schemas';
import { enqueueStatusEvent } from '../lifecycle/store';
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { logger } from '../shared/logger';
import { getTenantSecret, jobEventsPurpose, PROVIDER_ID } from '../shared/secrets';
import { now } from '../shared/time';

export const WebhookPathSchema = z.object({ provider: z.string().regex(PROVIDER_ID, 'expected a provider name like servicetitan') });
export const WebhookQuerySchema = z.object({ tenant: z.string().regex(/^[a-z0-9-]{3,40}$/, 'expected a tenant id') });

export const handler = apiRoute({ query: WebhookQuerySchema }, async ({ query, pathParameters, headers, rawBody }) => {
  const { provider } = parseWith(WebhookPathSchema, pathParameters, 'path');
  const unauthorized = new ApiError('unauthorized', 'A valid X-JobRelay-Signature and X-JobRelay-Timestamp are required');
  let secret: string;
  try {
    secret = await getTenantSecret(query.tenant, jobEventsPurpose(provider));
  } catch {
    throw unauthorized;
  }
  const at = now();
  const verified = verifyWebhook(secret, { timestamp: headers['x-jobrelay-timestamp'], signature: headers['x-jobrelay-signature'], body: rawBody }, at);
  if (!verified.ok) {
    logger.warn('job-events webhook refused', { provider, tenantId: query.tenant, reason: verified.reason });
    throw unauthorized;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
  }
  const { jobId, ...event } = parseWith(WebhookJobEventSchema, parsed);
  if (!(await getBookingRecord(query.tenant, jobId))) throw new ApiError('not_found', `No job ${jobId}`, 'jobId');
  await enqueueStatusEvent({ tenantId: query.tenant, bookingId: jobId, source: `webhook:${provider}`, receivedAt: at.toISOString(), event });
  return { statusCode: 202, body: { accepted: true, bookingId: jobId, eventId: event.eventId } };
});
