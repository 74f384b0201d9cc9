/**
 * A signed-webhook receiver that does what we tell customers to do: verify the HMAC-SHA256 over
 * "<timestamp>.<body>" in constant time and refuse timestamps outside the replay window (401), and
 * treat the Idempotency-Key as the write's identity (a replay answers the first record).
 */
import { verifyWebhook } from '../../functions/crm/adapters/webhook';
import { ContractServer } from './base';

export class WebhookContract extends ContractServer {
  readonly records = new Map<string, Record<string, unknown>>();
  /** Shift the receiver's clock (seconds) to exercise the replay window. */
  clockSkewSeconds = 0;

  constructor(readonly secret = 'whsec_contract_test_only') {
    super();
    this.route('POST', /^\/crm$/, (req) => {
      const verdict = verifyWebhook(
        this.secret,
        {
          timestamp: req.headers['x-jobrelay-timestamp'] as string | undefined,
          signature: req.headers['x-jobrelay-signature'] as string | undefined,
          body: req.body,
        },
        new Date(Date.now() + this.clockSkewSeconds * 1000),
      );
      if (!verdict.ok) return { status: 401, body: { error: verdict.reason } };
      const key = String(req.headers['idempotency-key'] ?? '');
      const existing = this.records.get(key);
      if (existing) return { status: 200, body: existing };
      const record = { id: `wh-${this.records.size + 1}`, ...(req.json as object) };
      this.records.set(key, record);
      return { status: 201, body: record };
    });
  }

  protected faultBody(status: number): unknown {
    return { error: `HTTP ${status}` };
  }
}
