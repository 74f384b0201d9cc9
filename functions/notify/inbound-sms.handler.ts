/**
 * POST /v1/webhooks/sms/{tenantId}: replies to our texts, as Twilio posts them (form-encoded From,
 * Body; X-Twilio-Signature = base64 HMAC-SHA1 of the URL plus the sorted parameters, keyed with the
 * Auth Token). STOP-family keywords opt the customer out of messages, START-family opts them back
 * in. Only tenants whose SMS provider is Twilio can receive replies (nothing else can sign them).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizePhone } from '../recognise/phone';
import { findCustomerIdByPhone, setMessagingOptOut } from '../recognise/store';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { getTenantSecret } from '../shared/secrets';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((key) => key + params[key])
      .join('');
  return createHmac('sha1', authToken).update(data).digest('base64');
}

export const handler = apiRoute({}, async ({ event, rawBody, headers, pathParameters }) => {
  const tenantId = pathParameters.tenantId ?? '';
  const tenant = /^[a-z0-9-]{3,40}$/.test(tenantId) ? await getTenant(tenantId) : undefined;
  const sms = tenant?.messaging.sms;
  const unauthorized = new ApiError('unauthorized', 'Unsigned or wrongly signed message');
  if (!tenant || sms?.provider !== 'twilio') throw unauthorized;

  const params = Object.fromEntries(new URLSearchParams(rawBody)) as Record<string, string>;
  const url = `https://${headers.host ?? event.requestContext.domainName}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const expected = Buffer.from(twilioSignature(await getTenantSecret(tenantId, 'sms'), url, params));
  const given = Buffer.from(headers['x-twilio-signature'] ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized;

  const keyword = (params.Body ?? '').trim().toUpperCase();
  const phone = normalizePhone(params.From ?? '', tenant.country);
  const customerId = phone ? await findCustomerIdByPhone(tenantId, phone) : undefined;
  let action = 'ignored';
  if (customerId && (OPT_OUT.has(keyword) || OPT_IN.has(keyword))) {
    await setMessagingOptOut(tenantId, customerId, OPT_OUT.has(keyword), now());
    action = OPT_OUT.has(keyword) ? 'opted_out' : 'opted_in';
  }
  // Twilio expects TwiML; an empty response sends no auto-reply (Twilio's own STOP reply covers it).
  return { statusCode: 200, body: undefined, headers: { 'content-type': 'text/xml', 'x-jobrelay-action': action } };
});
