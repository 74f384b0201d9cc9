/**
 * Jobber's webhooks, received (issue 17 item 4): `POST /v1/webhooks/jobber?tenant=<id>`.
 * The signature is checked against the tenant's Jobber app client secret (its `crm` credential:
 * the key the owner already gave, not a second copy); every failure is the same 401. A delivery is
 * taken once by topic + item + time (Jobber delivers at least once and re-sends after a timeout);
 * a client's create or update rings the crm-read-sync worker's refresh of that client (the same
 * refresh the other vendors' webhooks ring, crm/read-sync-webhook.ts), which reads the client from
 * Jobber and stores it by Jobber's id, so a repeated or out-of-order event stores the current client.
 * Nothing else happens inside Jobber's 1-second answer window. A refresh that cannot be queued gives
 * the delivery back and answers 500, so Jobber's retry is taken. Other topics (PROPERTY_*, JOB_*,
 * VISIT_*, ...) are acknowledged and counted as ignored.
 * A webhook is for one Jobber account (`accountId`): one of another account than the tenant's
 * connection reaches (an app installed on several accounts signs all of them with the same secret,
 * so the signature alone does not say whose it is) is acknowledged and ignored, never acted on. The
 * connection's account id is learnt from Jobber once per refresh token (`account { id }`) and kept
 * (adapters/jobber-token-store.ts). First-hand: webhooks are per app and sent for every account that
 * installed it; inferred: that `accountId` is in the payload and is the id `account { id }` answers.
 */
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getTenantSecret } from '../shared/secrets';
import { getTenant } from '../tenant/store';
import { type JobberCredentials, parseJobberSecret } from './adapters/jobber-graphql';
import { JobberCrmAdapter } from './adapters/jobber';
import { readJobberAccountId, saveJobberAccountId, tokenSeed } from './adapters/jobber-token-store';
import { crmAdapterFor } from './adapters';
import { jobberDeliveryKey, jobberTopicAction, JobberWebhookPayloadSchema, verifyJobberWebhook } from './adapters/jobber-webhook';
import { releaseWebhookEvents, ringRefresh, takeWebhookEvents } from './read-sync-store';

const UNAUTHORIZED = 'A valid X-Jobber-Hmac-SHA256 signature of the body is required';

/** The Jobber account the tenant's connection reaches: kept per refresh token, else asked of Jobber once. */
async function connectedAccountId(tenant: Parameters<typeof crmAdapterFor>[0], credentials: JobberCredentials): Promise<string> {
  const seed = tokenSeed(credentials.refreshToken);
  const known = await readJobberAccountId(tenant.tenantId, seed);
  if (known) return known;
  const adapter = await crmAdapterFor(tenant);
  if (!(adapter instanceof JobberCrmAdapter)) throw new Error('The tenant is not connected to Jobber');
  const accountId = await adapter.accountId();
  await saveJobberAccountId(tenant.tenantId, seed, accountId);
  return accountId;
}

export async function receiveJobberWebhook(
  tenantId: string,
  rawBody: string,
  signature: string | undefined,
  at: Date,
): Promise<{ accepted: number; duplicates: number; ignored: number }> {
  const [tenant, secret] = await Promise.all([getTenant(tenantId), getTenantSecret(tenantId, 'crm').catch(() => undefined)]);
  let credentials: JobberCredentials | undefined;
  try {
    credentials = tenant?.crm.adapter === 'jobber' && secret ? parseJobberSecret(secret) : undefined;
  } catch {
    credentials = undefined;
  }
  const clientSecret = credentials?.clientSecret;
  if (!clientSecret || !verifyJobberWebhook(clientSecret, rawBody, signature)) {
    logger.warn('jobber webhook refused', { tenantId, reason: clientSecret ? 'bad_signature' : 'not_connected' });
    throw new ApiError('unauthorized', UNAUTHORIZED);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
  }
  const result = JobberWebhookPayloadSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new ApiError('invalid_request', `${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const event = result.data.data.webHookEvent;
  const connected = await connectedAccountId(tenant!, credentials!);
  if (event.accountId !== connected) {
    logger.warn('jobber webhook of another account ignored', { tenantId, topic: event.topic });
    return { accepted: 0, duplicates: 0, ignored: 1 };
  }
  if (jobberTopicAction(event.topic) !== 'refresh_client') {
    logger.info('jobber webhook: topic not used', { tenantId, topic: event.topic });
    return { accepted: 0, duplicates: 0, ignored: 1 };
  }
  const key = jobberDeliveryKey(event);
  const [fresh] = await takeWebhookEvents(tenantId, 'jobber', [key], at);
  if (!fresh) return { accepted: 0, duplicates: 1, ignored: 0 };
  try {
    await ringRefresh({ tenantId, refresh: { adapter: 'jobber', crmIds: [event.itemId] } });
  } catch (error) {
    await releaseWebhookEvents(tenantId, 'jobber', [key]).catch(() => undefined);
    throw error;
  }
  return { accepted: 1, duplicates: 0, ignored: 0 };
}
