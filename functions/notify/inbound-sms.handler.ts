/**
 * POST /v1/webhooks/sms/{tenantId}: replies to our texts, as Twilio posts them (form-encoded From,
 * To, Body, MessageSid; X-Twilio-Signature = base64 HMAC-SHA1 of the URL plus the sorted parameters,
 * keyed with the Auth Token). Unsigned or wrongly signed: 403. A signed reply is acted on once per
 * MessageSid (notify/two-way.ts: confirm, reschedule, cancel, PAY, STOP/START/HELP, language, or a
 * customer_reply for dispatch) and answered with TwiML. Only tenants whose SMS provider is Twilio
 * can receive replies (nothing else can sign them).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { answerPageReply } from '../emergency/page-reply';
import { normalizePhone } from '../recognise/phone';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { getTenantSecret } from '../shared/secrets';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';
import { handleCustomerReply } from './two-way';
import { pageLinkOperations } from '../emergency/page-link.handler';
import { routeOperations } from '../shared/route-operations';

/**
 * Twilio's request signature (twilio.com/docs/usage/security): the full URL, then each POST parameter
 * name and value in name order, HMAC-SHA1 with the Auth Token, base64. Written here rather than
 * taking the `twilio` package (axios, jsonwebtoken, dayjs... for one HMAC); test/unit checks it
 * against Twilio's documented example.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((key) => key + params[key])
      .join('');
  return createHmac('sha1', authToken).update(data).digest('base64');
}

/** Constant-time comparison of the given signature with the expected one. */
export function isValidTwilioSignature(authToken: string, url: string, params: Record<string, string>, given: string | undefined): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** TwiML: one reply message, or none (an empty Response sends nothing). */
export function twiml(text?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${text ? `<Message>${escapeXml(text)}</Message>` : ''}</Response>`;
}

const inboundSms = apiRoute({}, async ({ event, rawBody, headers, pathParameters }) => {
  const tenantId = pathParameters.tenantId ?? '';
  const tenant = /^[a-z0-9-]{3,40}$/.test(tenantId) ? await getTenant(tenantId) : undefined;
  const sms = tenant?.messaging.sms;
  const forbidden = new ApiError('forbidden', 'Unsigned or wrongly signed message');
  if (!tenant || sms?.provider !== 'twilio') throw forbidden;

  const params = Object.fromEntries(new URLSearchParams(rawBody)) as Record<string, string>;
  const url = `https://${headers.host ?? event.requestContext.domainName}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  if (!isValidTwilioSignature(await getTenantSecret(tenantId, 'sms'), url, params, headers['x-twilio-signature'])) throw forbidden;

  // First: a technician answering an emergency page (functions/emergency/page-reply.ts).
  const page = await answerPageReply(tenant, params.From ?? '', params.Body ?? '', now());
  if (page.handled) return { statusCode: 200, body: twiml(), headers: { 'content-type': 'text/xml', 'x-jobrelay-action': `page_${page.outcome}` } };

  const from = normalizePhone(params.From ?? '', tenant.country);
  if (!from || !params.MessageSid) {
    // Signed but nothing to act on (no sender we can text back, no message id to act on once).
    return { statusCode: 200, body: twiml(), headers: { 'content-type': 'text/xml', 'x-jobrelay-action': 'ignored' } };
  }
  const outcome = await handleCustomerReply({
    tenant,
    from,
    to: params.To ?? '',
    body: params.Body ?? '',
    messageSid: params.MessageSid,
    at: now(),
    // What Twilio already did with the text (Advanced Opt-Out reports it; default STOP filtering does not).
    optOutType: params.OptOutType || undefined,
    viaMessagingService: Boolean(params.MessagingServiceSid),
  });
  return {
    statusCode: 200,
    body: twiml(outcome.text),
    headers: { 'content-type': 'text/xml', 'x-jobrelay-action': outcome.action, ...(outcome.replayed ? { 'x-jobrelay-replayed': 'true' } : {}) },
  };
});

/** Replies by text and, for an on-call page, by its link: the InboundSms Lambda's routes, by name. */
export const handler = routeOperations({ inboundSms, ...pageLinkOperations });
