/**
 * A signed webhook as the CRM: POST the mapped booking as JSON to the tenant's URL.
 * Signature: `X-JobRelay-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
 * `X-JobRelay-Timestamp` (epoch seconds) so the receiver can reject replays outside its window.
 */
import { createHmac } from 'node:crypto';
import { CrmRejectedError, CrmUnavailableError } from '../../shared/errors';
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
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
      dealStage: write.dealStage,
      fields: write.fields,
      transcriptNote: write.transcriptNote,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': write.idempotencyKey,
          'x-jobrelay-timestamp': String(timestamp),
          'x-jobrelay-signature': signWebhook(this.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CrmUnavailableError(`CRM webhook unreachable: ${(error as Error).name}`);
    }
    if (!response.ok) {
      const message = `CRM webhook answered HTTP ${response.status}`;
      if (response.status === 429 || response.status >= 500) throw new CrmUnavailableError(message);
      throw new CrmRejectedError(message);
    }
    const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
    return { adapter: this.name, externalIds: typeof answer.id === 'string' ? { webhookId: answer.id } : {} };
  }
}
