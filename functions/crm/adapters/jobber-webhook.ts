/**
 * Jobber's webhooks (pure: signature and payload).
 * First-hand (developer.getjobber.com "Setting up Webhooks"): webhooks are set per app and sent for
 * every account that installed it, topics such as CLIENT_CREATE / CLIENT_UPDATE / CLIENT_DESTROY
 * (WebHookTopicEnum), an answer is due within 1 second (so processing is asynchronous), delivery is
 * at least once (duplicates are detected from the payload data), and a topic needs its read scope.
 * Inferred from integrations seen (not from the page text available here): the signature header
 * `X-Jobber-Hmac-SHA256` = base64(HMAC-SHA256(app client secret, raw body)), and the payload
 * `{"data":{"webHookEvent":{"topic","appId","accountId","itemId","occurredAt"}}}`.
 * Our URL names the tenant (`POST /v1/webhooks/jobber?tenant=<id>`): each company connects its own
 * Jobber app, whose client secret (in the tenant's `crm` credential) is the signing key.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from '../../shared/zod';

export const JOBBER_SIGNATURE_HEADER = 'x-jobber-hmac-sha256';

export function signJobberWebhook(clientSecret: string, rawBody: string): string {
  return createHmac('sha256', clientSecret).update(rawBody, 'utf8').digest('base64');
}

/** Constant-time check of the header against the raw body as received (never a re-serialised one). */
export function verifyJobberWebhook(clientSecret: string, rawBody: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signJobberWebhook(clientSecret, rawBody));
  const given = Buffer.from(signature.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const JobberWebhookPayloadSchema = z.object({
  data: z.object({
    webHookEvent: z.object({
      topic: z.string().regex(/^[A-Z_]{3,60}$/, 'expected a Jobber topic like CLIENT_UPDATE'),
      appId: z.string().max(200).optional(),
      accountId: z.string().max(200).optional(),
      itemId: z.string().min(1).max(200),
      occurredAt: z.string().min(1).max(60),
    }),
  }),
});
export type JobberWebhookEvent = z.infer<typeof JobberWebhookPayloadSchema>['data']['webHookEvent'];

/** One delivery's identity: a re-sent webhook carries the same topic, item and time. */
export function jobberDeliveryKey(event: Pick<JobberWebhookEvent, 'topic' | 'itemId' | 'occurredAt'>): string {
  return createHash('sha256').update(`${event.topic}|${event.itemId}|${event.occurredAt}`).digest('hex').slice(0, 40);
}

/** What a topic asks of us: refresh the client it names, or nothing (yet). */
export function jobberTopicAction(topic: string): 'refresh_client' | 'ignore' {
  return topic === 'CLIENT_CREATE' || topic === 'CLIENT_UPDATE' ? 'refresh_client' : 'ignore';
}
