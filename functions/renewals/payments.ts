/**
 * Renewal charges behind one interface. The local provider (the default, like the local outbox)
 * decides from the stored card token, so demos and tests can show declines and recoveries:
 * `tok_ok` pays, `tok_declined` never pays, `tok_declined_until_YYYY-MM-DD` pays from that date on.
 * A real processor (Stripe, the FSM's payments) goes here with the same idempotency key per attempt.
 */
export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
  token: string;
  /** Today in the tenant's time zone (YYYY-MM-DD). */
  today: string;
}

export type ChargeResult = { ok: true; chargeId: string } | { ok: false; reason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

export class LocalPaymentProvider implements PaymentProvider {
  readonly name = 'local';

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const until = /^tok_declined_until_(\d{4}-\d{2}-\d{2})$/.exec(request.token)?.[1];
    const declined = request.token === 'tok_declined' || (until !== undefined && request.today < until);
    if (declined) return { ok: false, reason: 'card_declined' };
    if (request.token !== 'tok_ok' && until === undefined) return { ok: false, reason: 'unknown_card' };
    return { ok: true, chargeId: `ch_local_${request.idempotencyKey}` };
  }
}

export function paymentProviderFor(provider: string): PaymentProvider {
  switch (provider) {
    case 'local':
      return new LocalPaymentProvider();
    default:
      throw new Error(`No payment provider ${provider}`);
  }
}
