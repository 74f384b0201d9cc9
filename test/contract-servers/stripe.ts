/**
 * Stripe PaymentIntents contract server, as Stripe documents off-session charges of a saved card:
 * POST /v1/payment_intents (form-encoded: amount, currency, customer, payment_method,
 * off_session=true, confirm=true, metadata[...]) with `Authorization: Bearer sk_...` and an
 * `Idempotency-Key` header. 200 with the PaymentIntent (`pi_...`, status `succeeded`, latest_charge
 * `ch_...`). A declined card is 402 with `error.type` `card_error`, `code` `card_declined` and a
 * `decline_code`, the PaymentIntent in `error.payment_intent` (status `requires_payment_method`);
 * a card that needs the customer present is 402 `authentication_required`. A replayed key returns
 * the first answer with `Idempotent-Replayed: true`; the same key with other parameters is 400
 * `idempotency_error`. Bad key 401; faults (429, 5xx) carry Stripe's error shape.
 *
 * Stripe's test payment methods decide the outcome: `pm_card_visa` pays, `pm_card_chargeDeclined`
 * (generic_decline), `pm_card_chargeDeclinedInsufficientFunds` (insufficient_funds),
 * `pm_card_authenticationRequired` (authentication_required).
 *
 * Payment Links, as Stripe documents them for an amount with no saved Price: POST /v1/payment_links
 * with `line_items[0][price_data][currency|unit_amount|product_data][name]]` and
 * `line_items[0][quantity]` (ad-hoc `price_data` needs API version 2025-07-30.basil or later, sent as
 * the `Stripe-Version` header; older versions answer 400 unknown parameter), optional
 * `restrictions[completed_sessions][limit]` and `metadata[...]`. 200 with the PaymentLink
 * (`plink_...`, `url` https://buy.stripe.com/...). Same key and idempotency rules as above.
 */
import { randomBytes } from 'node:crypto';
import { ContractServer, type RecordedRequest, type Reply } from './base';

const DECLINES: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  pm_card_authenticationRequired: { code: 'authentication_required', message: 'This payment requires authentication.' },
};

export interface StripePaymentIntent {
  id: string;
  amount: number;
  currency: string;
  customer: string;
  payment_method: string;
  status: 'succeeded' | 'requires_payment_method';
  metadata: Record<string, string>;
}

export interface StripePaymentLink {
  id: string;
  url: string;
  currency: string;
  amount: number;
  name: string;
  completedSessionsLimit?: number;
  metadata: Record<string, string>;
}

/** The first API version that takes ad-hoc `price_data` on a Payment Link's line items. */
const PAYMENT_LINK_PRICE_DATA_SINCE = '2025-07-30';

export class StripeContract extends ContractServer {
  /** Every PaymentIntent created (declined ones too), in order. */
  readonly paymentIntents: StripePaymentIntent[] = [];
  /** Every Payment Link created, in order (a replayed key creates none). */
  readonly paymentLinks: StripePaymentLink[] = [];
  private readonly idempotent = new Map<string, { body: string; reply: Reply }>();

  constructor(readonly secretKey = 'sk_test_jobrelay') {
    super();
    this.route('POST', /^\/v1\/payment_intents$/, (req) => this.create(req, (form) => this.confirm(form)));
    this.route('POST', /^\/v1\/payment_links$/, (req) => this.create(req, (form) => this.paymentLink(form, req)));
  }

  /** Succeeded charges only: what the card holders actually paid. */
  get succeeded(): StripePaymentIntent[] {
    return this.paymentIntents.filter((p) => p.status === 'succeeded');
  }

  protected faultBody(status: number): unknown {
    if (status === 401) return { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } };
    if (status === 429) return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } };
    if (status === 404) return { error: { type: 'invalid_request_error', message: 'Unrecognized request URL.' } };
    return { error: { type: 'api_error', message: 'An error occurred with our connection to Stripe.' } };
  }

  private invalid(message: string, param?: string): Reply {
    return { status: 400, body: { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } } };
  }

  private create(req: RecordedRequest, make: (form: URLSearchParams) => Reply): Reply {
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) return { status: 401, body: this.faultBody(401) };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return this.invalid('Invalid request: the body must be application/x-www-form-urlencoded');
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    if (key) {
      const seen = this.idempotent.get(key);
      if (seen) {
        if (seen.body !== req.body) {
          return {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
              },
            },
          };
        }
        return { ...seen.reply, headers: { ...seen.reply.headers, 'idempotent-replayed': 'true' } };
      }
    }
    const reply = make(new URLSearchParams(req.body));
    // Stripe stores the answer of a request that reached its API (not of a 5xx it could not finish).
    if (key && reply.status < 500) this.idempotent.set(key, { body: req.body, reply });
    return reply;
  }

  private confirm(form: URLSearchParams): Reply {
    const amount = Number(form.get('amount'));
    if (!Number.isInteger(amount) || amount < 50) return this.invalid('Amount must be at least $0.50 usd', 'amount');
    const currency = form.get('currency') ?? '';
    if (!/^[a-z]{3}$/.test(currency)) return this.invalid('Invalid currency', 'currency');
    const customer = form.get('customer') ?? '';
    if (!/^cus_\w+$/.test(customer)) return this.invalid(`No such customer: '${customer}'`, 'customer');
    const paymentMethod = form.get('payment_method') ?? '';
    if (!/^pm_\w+$/.test(paymentMethod)) return this.invalid(`No such PaymentMethod: '${paymentMethod}'`, 'payment_method');
    if (form.get('off_session') !== 'true' || form.get('confirm') !== 'true') {
      return this.invalid('This contract server answers off-session confirmations only (off_session=true, confirm=true)');
    }
    const metadata = Object.fromEntries([...form.entries()].filter(([k]) => /^metadata\[.+\]$/.test(k)).map(([k, v]) => [k.slice(9, -1), v]));
    const decline = DECLINES[paymentMethod];
    const intent: StripePaymentIntent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      amount,
      currency,
      customer,
      payment_method: paymentMethod,
      status: decline ? 'requires_payment_method' : 'succeeded',
      metadata,
    };
    this.paymentIntents.push(intent);
    const body = { object: 'payment_intent', ...intent, latest_charge: decline ? null : `ch_${randomBytes(12).toString('hex')}`, off_session: true };
    if (decline) {
      return {
        status: 402,
        body: {
          error: { type: 'card_error', ...decline, payment_intent: body, doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}` },
        },
      };
    }
    return { status: 200, body };
  }

  private paymentLink(form: URLSearchParams, req: RecordedRequest): Reply {
    const version = String(req.headers['stripe-version'] ?? '');
    const item = 'line_items[0]';
    if (form.has(`${item}[price_data][currency]`) && !(version.slice(0, 10) >= PAYMENT_LINK_PRICE_DATA_SINCE)) {
      return this.invalid(`Received unknown parameter: ${item}[price_data]`, `${item}[price_data]`);
    }
    if (form.has(`${item}[price]`)) return this.invalid(`No such price: '${form.get(`${item}[price]`)}'`, `${item}[price]`);
    const amount = Number(form.get(`${item}[price_data][unit_amount]`));
    if (!Number.isInteger(amount) || amount < 50) return this.invalid('Amount must be at least $0.50 usd', `${item}[price_data][unit_amount]`);
    const currency = form.get(`${item}[price_data][currency]`) ?? '';
    if (!/^[a-z]{3}$/.test(currency)) return this.invalid('Invalid currency', `${item}[price_data][currency]`);
    const name = form.get(`${item}[price_data][product_data][name]`) ?? '';
    if (!name) return this.invalid('Missing required param: line_items[0][price_data][product_data][name].', `${item}[price_data][product_data][name]`);
    const quantity = Number(form.get(`${item}[quantity]`));
    if (!Number.isInteger(quantity) || quantity < 1) return this.invalid('Missing required param: line_items[0][quantity].', `${item}[quantity]`);
    if (form.has('line_items[1][quantity]')) return this.invalid('This contract server answers one line item');
    const limit = form.get('restrictions[completed_sessions][limit]');
    const metadata = Object.fromEntries([...form.entries()].filter(([k]) => /^metadata\[.+\]$/.test(k)).map(([k, v]) => [k.slice(9, -1), v]));
    const link: StripePaymentLink = {
      id: `plink_${randomBytes(12).toString('hex')}`,
      url: `https://buy.stripe.com/test_${randomBytes(9).toString('base64url')}`,
      currency,
      amount: amount * quantity,
      name,
      ...(limit ? { completedSessionsLimit: Number(limit) } : {}),
      metadata,
    };
    this.paymentLinks.push(link);
    return {
      status: 200,
      body: {
        id: link.id,
        object: 'payment_link',
        active: true,
        currency,
        livemode: false,
        metadata,
        restrictions: limit ? { completed_sessions: { count: 0, limit: Number(limit) } } : null,
        url: link.url,
      },
    };
  }
}
