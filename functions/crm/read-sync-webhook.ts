/**
 * Incremental read sync by the vendor's webhooks (issue 17 item 2): `POST /v1/webhooks/{provider}/crm?tenant=<id>`
 * (public; the signature is the credential). Verified, deduplicated by event, answered at once; the
 * changed customers are read again by the crm-read-sync worker (crm/read-sync.ts `refreshCrmCustomers`).
 * The signing key is the tenant's webhook key for that provider, the credential
 * `job-events/<provider>` (`PUT /v1/config/credentials/job-events/hubspot`), as for FSM job events.
 *
 * HubSpot (first-hand: developers.hubspot.com "Validating requests", webhooks API): the body is a JSON
 * array of events {eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber,
 * objectId, propertyName?, propertyValue?}; `X-HubSpot-Signature-v3` is base64(HMAC-SHA256(app secret,
 * method + URI + body + timestamp)) with `X-HubSpot-Request-Timestamp` (epoch ms), refused when older than
 * 5 minutes. Contact events: contact.creation, contact.propertyChange, contact.merge, contact.restore
 * (and the newer object.* events with objectTypeId 0-1).
 *
 * Housecall Pro (inferred: its webhook page was not among the documents searched): the body is one
 * event {event: "customer.created" | "customer.updated" | ..., customer: {id, ...}} with `Api-Timestamp`
 * (epoch seconds) and `Api-Signature` = hex HMAC-SHA256(signing secret, "<timestamp>.<body>"); with no
 * event id seen documented, an event is deduplicated by the hash of its body.
 *
 * ServiceTitan documents no customer webhooks in what was searched: it stays on the schedule's polling.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getTenantSecret, jobEventsPurpose } from '../shared/secrets';
import { getTenant } from '../tenant/store';
import type { CrmWebhookProvider, CrmWebhookTaken } from './read-sync-schemas';
import { releaseWebhookEvents, ringRefresh, takeWebhookEvents } from './read-sync-store';

/** A signed timestamp further than this from our clock is a replay (HubSpot's 5 minutes). */
export const CRM_WEBHOOK_WINDOW_MS = 5 * 60_000;

export interface WebhookRequest {
  method: string;
  /** Scheme-less URL as called: host, path and query string (`host/v1/webhooks/hubspot/crm?tenant=...`). */
  hostAndPath: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** One changed customer, with the key its event is deduplicated by. */
export interface CustomerChange {
  eventKey: string;
  crmId: string;
}

function sameText(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HubSpot v3: base64 HMAC-SHA256 over method + URI + body + timestamp; the URI's scheme is tried as https, then http. */
export function hubspotSignatureV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

/** Housecall Pro (inferred): hex HMAC-SHA256 over "<timestamp>.<body>". */
export function housecallProSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

function decodeUri(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

export function verifyCrmWebhook(
  provider: CrmWebhookProvider,
  secret: string,
  request: WebhookRequest,
  at: Date,
): { ok: true } | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'outside_replay_window' } {
  if (provider === 'hubspot') {
    const timestamp = request.headers['x-hubspot-request-timestamp'];
    const signature = request.headers['x-hubspot-signature-v3'];
    if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing_headers' };
    const matches = ['https', 'http'].some((scheme) =>
      [`${scheme}://${request.hostAndPath}`, decodeUri(`${scheme}://${request.hostAndPath}`)].some((uri) =>
        sameText(hubspotSignatureV3(secret, request.method, uri, request.body, timestamp), signature),
      ),
    );
    if (!matches) return { ok: false, reason: 'bad_signature' };
    if (Math.abs(at.getTime() - Number(timestamp)) > CRM_WEBHOOK_WINDOW_MS) return { ok: false, reason: 'outside_replay_window' };
    return { ok: true };
  }
  const timestamp = request.headers['api-timestamp'];
  const signature = request.headers['api-signature'];
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing_headers' };
  if (!sameText(housecallProSignature(secret, timestamp, request.body), signature)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(at.getTime() - Number(timestamp) * 1000) > CRM_WEBHOOK_WINDOW_MS) return { ok: false, reason: 'outside_replay_window' };
  return { ok: true };
}

const HUBSPOT_CONTACT_EVENTS = new Set(['contact.creation', 'contact.propertyChange', 'contact.merge', 'contact.restore']);
const HUBSPOT_OBJECT_EVENTS = new Set(['object.creation', 'object.propertyChange', 'object.merge', 'object.restore']);
const HOUSECALL_PRO_CUSTOMER_EVENTS = new Set(['customer.created', 'customer.updated']);

/** The customers an (already verified) webhook body says changed; anything else in it is ignored. */
export function customerChanges(provider: CrmWebhookProvider, body: unknown, rawBody: string): CustomerChange[] {
  if (provider === 'hubspot') {
    if (!Array.isArray(body)) return [];
    return body.flatMap((event: Record<string, unknown>) => {
      const type = String(event?.subscriptionType ?? '');
      const contact = HUBSPOT_CONTACT_EVENTS.has(type) || (HUBSPOT_OBJECT_EVENTS.has(type) && event.objectTypeId === '0-1');
      if (!contact || event.objectId === undefined || event.eventId === undefined) return [];
      // A merge names the surviving contact as primaryObjectId.
      const crmId = String(event.primaryObjectId ?? event.objectId);
      return [{ eventKey: String(event.eventId), crmId }];
    });
  }
  const event = body as { event?: unknown; customer?: { id?: unknown } } | undefined;
  if (!event || !HOUSECALL_PRO_CUSTOMER_EVENTS.has(String(event.event)) || !event.customer?.id) return [];
  return [{ eventKey: createHash('sha256').update(rawBody).digest('hex').slice(0, 32), crmId: String(event.customer.id) }];
}

/**
 * Takes one webhook delivery: 401 for anything not signed by the tenant's key for this provider (one
 * answer for every reason); the new events' customers are queued for a refresh; events seen before
 * are left out. Answers at once: the vendor reads only the status.
 */
export async function receiveCrmWebhook(provider: CrmWebhookProvider, tenantId: string, request: WebhookRequest, at: Date): Promise<CrmWebhookTaken> {
  const unauthorized = new ApiError('unauthorized', 'A valid webhook signature is required');
  const [tenant, secret] = await Promise.all([getTenant(tenantId), getTenantSecret(tenantId, jobEventsPurpose(provider)).catch(() => undefined)]);
  if (!tenant || !secret || tenant.crm.adapter !== provider) {
    logger.warn('crm webhook refused', { provider, tenantId, reason: !tenant ? 'no_tenant' : !secret ? 'no_key' : 'other_crm' });
    throw unauthorized;
  }
  const verified = verifyCrmWebhook(provider, secret, request, at);
  if (!verified.ok) {
    logger.warn('crm webhook refused', { provider, tenantId, reason: verified.reason });
    throw unauthorized;
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
  }
  const changes = customerChanges(provider, body, request.body);
  const ignored = (Array.isArray(body) ? body.length : 1) - changes.length;
  const fresh = new Set(
    await takeWebhookEvents(
      tenantId,
      provider,
      changes.map((c) => c.eventKey),
      at,
    ),
  );
  const crmIds = [...new Set(changes.filter((c) => fresh.has(c.eventKey)).map((c) => c.crmId))];
  try {
    // HubSpot sends at most 100 events a request; a refresh reads at most 100 customers.
    for (let i = 0; i < crmIds.length; i += 100) await ringRefresh({ tenantId, refresh: { adapter: provider, crmIds: crmIds.slice(i, i + 100) } });
  } catch (error) {
    // Not queued: give the events back so the vendor's retry (it gets a 5xx) takes them again.
    await releaseWebhookEvents(tenantId, provider, [...fresh]).catch(() => undefined);
    throw error;
  }
  logger.info('crm webhook taken', { provider, tenantId, customers: crmIds.length, duplicates: changes.length - fresh.size, ignored });
  return { accepted: fresh.size, duplicates: changes.length - fresh.size, ignored };
}
