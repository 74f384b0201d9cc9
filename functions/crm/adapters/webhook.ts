/**
 * A signed webhook as the CRM: POST the mapped booking as JSON to the tenant's URL.
 * Signature: `X-JobRelay-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
 * `X-JobRelay-Timestamp` (epoch seconds) so the receiver can reject replays outside its window.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import { vendorCall } from './http';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How far a receiver should let the signed timestamp drift from its clock (replay window). */
export const WEBHOOK_REPLAY_WINDOW_SECONDS = 300;

/**
 * What a receiver does (and what our contract tests do): recompute the signature over
 * "<timestamp>.<body>", compare in constant time, and refuse a timestamp outside the replay window.
 */
export function verifyWebhook(
  secret: string,
  request: { timestamp: string | undefined; signature: string | undefined; body: string },
  at: Date = new Date(),
  windowSeconds: number = WEBHOOK_REPLAY_WINDOW_SECONDS,
): { ok: true } | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'outside_replay_window' } {
  if (!request.timestamp || !request.signature || !/^\d+$/.test(request.timestamp)) return { ok: false, reason: 'missing_headers' };
  const expected = Buffer.from(signWebhook(secret, Number(request.timestamp), request.body));
  const given = Buffer.from(request.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(Math.floor(at.getTime() / 1000) - Number(request.timestamp)) > windowSeconds) return { ok: false, reason: 'outside_replay_window' };
  return { ok: true };
}

export class WebhookCrmAdapter implements CrmAdapter {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    const body = JSON.stringify({
      event: `booking.${write.state}`,
      bookingId: write.bookingId,
      customerId: write.customerId,
      state: write.state,
      dealStage: write.dealStage,
      fields: write.fields,
      ...(write.window ? { window: write.window } : {}),
      ...(write.existingExternalIds ? { externalIds: write.existingExternalIds } : {}),
      transcriptNote: write.transcriptNote,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const { body: answer } = await vendorCall<{ id?: unknown } | undefined>('CRM webhook', 'post', this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': write.idempotencyKey,
        'x-jobrelay-timestamp': String(timestamp),
        'x-jobrelay-signature': signWebhook(this.secret, timestamp, body),
      },
      body,
      timeoutMs: this.timeoutMs,
    });
    return { adapter: this.name, externalIds: typeof answer?.id === 'string' ? { webhookId: answer.id } : {} };
  }
}
