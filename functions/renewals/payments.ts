/**
 * Renewal charges behind one interface, one class per processor. The tenant's `payments` setting
 * picks it (functions/tenant/setup.ts): Stripe in production; the local provider, the local
 * runtime's default (or a tenant's explicit choice), decides from the stored card token so demos and
 * tests can show declines and recoveries: `tok_ok` pays, `tok_declined` never pays,
 * `tok_declined_until_YYYY-MM-DD` pays from that date on. Every attempt carries one idempotency key.
 */
import { getTenantSecret } from '../shared/secrets';
import type { Tenant } from '../tenant/model';
import { paymentSettings, SetupRequiredError, type PaymentSettings } from '../tenant/setup';

export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
  /** The saved card at the processor (Stripe: a PaymentMethod `pm_...`; local: tok_...). */
  token: string;
  /** The processor's customer the card is saved on (Stripe `cus_...`); the local provider needs none. */
  customerRef?: string;
  /** Today in the tenant's time zone (YYYY-MM-DD). */
  today: string;
  /** What the card statement and the processor's dashboard show (no personal data). */
  description?: string;
  /** Ids for the processor's records (tenant, membership, cycle): never a name, phone or address. */
  metadata?: Record<string, string>;
}

/** The processor could not be reached or answered 429/5xx: the same attempt may be retried with its key. */
export class PaymentProviderUnavailableError extends Error {
  override name = 'PaymentProviderUnavailableError';
}

/** The processor refused the request itself (bad key, bad parameters): a person must look. */
export class PaymentProviderRefusedError extends Error {
  override name = 'PaymentProviderRefusedError';
}

export type ChargeResult = { ok: true; chargeId: string } | { ok: false; reason: string };

/** A link the customer pays an invoice through (PAY by text, payment reminders). */
export interface PaymentLinkRequest {
  /** The same request makes the same link (the processor's idempotency key). */
  idempotencyKey: string;
  amountCents: number;
  /** What the payment page shows (the job type; no personal data). */
  description: string;
  /** Ids for the processor's records (tenant, booking): never a name, phone or address. */
  metadata?: Record<string, string>;
}

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * A hosted payment page for an amount (its URL). Throws PaymentProviderUnavailableError when the
   * processor cannot be reached (retry with the same key), PaymentProviderRefusedError when it
   * refused the request (a person must look).
   */
  paymentLink(request: PaymentLinkRequest): Promise<string>;
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

  async paymentLink(request: PaymentLinkRequest): Promise<string> {
    return `https://pay.jobrelay.local/${encodeURIComponent(request.idempotencyKey)}?amount=${request.amountCents}`;
  }
}

/** The Stripe API version we speak (pinned: Payment Links' ad-hoc prices need 2025-07-30.basil or later). */
export const STRIPE_API_VERSION = '2025-07-30.basil';

interface StripeSettings {
  apiUrl: string;
  currency: string;
  secretKey: string;
  timeoutMs: number;
}

/**
 * Stripe PaymentIntents, charged off session with the customer's saved card (Stripe's documented
 * recurring-charge flow): POST /v1/payment_intents, form-encoded, `confirm=true&off_session=true`,
 * with an Idempotency-Key so a retried attempt can never charge twice. 200 `succeeded` pays; 402 is
 * the card's answer (`card_declined` with its decline_code, `authentication_required` when the bank
 * wants the customer present): a decline, retried on the cadence; 429/5xx/timeouts are retryable
 * with the same key; any other 4xx is a refusal a person must look at.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';

  constructor(private readonly settings: StripeSettings) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (!request.customerRef) return { ok: false, reason: 'no_customer' };
    const form = new URLSearchParams({
      amount: String(request.amountCents),
      currency: this.settings.currency,
      customer: request.customerRef,
      payment_method: request.token,
      off_session: 'true',
      confirm: 'true',
      ...(request.description ? { description: request.description } : {}),
    });
    for (const [key, value] of Object.entries(request.metadata ?? {})) form.set(`metadata[${key}]`, value);
    const { response, body } = await this.post('/v1/payment_intents', form, request.idempotencyKey);
    if (response.ok) {
      if (body.status === 'succeeded' && body.id) return { ok: true, chargeId: body.id };
      // requires_action / requires_payment_method without an error: the card needs the customer.
      return { ok: false, reason: body.status ?? 'unknown_status' };
    }
    if (response.status === 402) return { ok: false, reason: body.error?.decline_code ?? body.error?.code ?? 'card_declined' };
    if (response.status === 429 || response.status >= 500) {
      throw new PaymentProviderUnavailableError(`Stripe answered ${response.status} (${body.error?.type ?? 'no error type'})`);
    }
    throw new PaymentProviderRefusedError(`Stripe refused the charge: ${response.status} ${body.error?.type ?? ''} ${body.error?.code ?? ''}`.trim());
  }

  /**
   * A Stripe Payment Link for the amount (POST /v1/payment_links with ad-hoc `price_data`, which
   * needs API version 2025-07-30.basil or later), payable once (`restrictions[completed_sessions]
   * [limit]=1`), with ids in its metadata and its PaymentIntents'. The same idempotency key makes
   * no second link. A link does not expire, so a reminder days later can carry the same one.
   */
  async paymentLink(request: PaymentLinkRequest): Promise<string> {
    const item = 'line_items[0]';
    const form = new URLSearchParams({
      [`${item}[price_data][currency]`]: this.settings.currency,
      [`${item}[price_data][unit_amount]`]: String(request.amountCents),
      [`${item}[price_data][product_data][name]`]: request.description,
      [`${item}[quantity]`]: '1',
      'restrictions[completed_sessions][limit]': '1',
    });
    for (const [key, value] of Object.entries(request.metadata ?? {})) {
      form.set(`metadata[${key}]`, value);
      form.set(`payment_intent_data[metadata][${key}]`, value);
    }
    const { response, body } = await this.post('/v1/payment_links', form, request.idempotencyKey);
    if (response.ok && body.url) return body.url;
    if (response.status === 429 || response.status >= 500) {
      throw new PaymentProviderUnavailableError(`Stripe answered ${response.status} (${body.error?.type ?? 'no error type'})`);
    }
    throw new PaymentProviderRefusedError(
      `Stripe refused the payment link: ${response.status} ${body.error?.type ?? ''} ${body.error?.param ?? body.error?.code ?? ''}`.trim(),
    );
  }

  /** One form-encoded POST with the secret key, the idempotency key and the API version; no answer in time is "unavailable". */
  private async post(path: string, form: URLSearchParams, idempotencyKey: string) {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.settings.apiUrl), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.settings.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
          'stripe-version': STRIPE_API_VERSION,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      throw new PaymentProviderUnavailableError(`Stripe did not answer: ${(error as Error).name}`);
    }
    const body = (await response.json().catch(() => ({}))) as {
      id?: string;
      status?: string;
      url?: string;
      error?: { type?: string; code?: string; decline_code?: string; message?: string; param?: string };
    };
    return { response, body };
  }
}

export function paymentProviderFrom(settings: PaymentSettings, secretKey?: string): PaymentProvider {
  switch (settings.provider) {
    case 'local':
      return new LocalPaymentProvider();
    case 'stripe':
      return new StripePaymentProvider({ apiUrl: settings.apiUrl, currency: settings.currency, timeoutMs: settings.timeoutMs, secretKey: secretKey! });
    default: {
      const unknown: never = settings;
      throw new Error(`No payment provider ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The tenant's processor. Throws SetupRequiredError in AWS when the tenant has set none, and
 * SecretNotSetError when Stripe is chosen but its secret key (`payments` credential) is not set.
 */
export async function paymentProviderFor(tenant: Pick<Tenant, 'tenantId' | 'payments'>): Promise<PaymentProvider> {
  const settings = paymentSettings(tenant);
  if (!settings) throw new SetupRequiredError('payments');
  return paymentProviderFrom(settings, settings.provider === 'stripe' ? await getTenantSecret(tenant.tenantId, 'payments') : undefined);
}
