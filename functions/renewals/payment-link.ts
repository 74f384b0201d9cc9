/**
 * The payment link of a booking's open invoice, through the tenant's payment provider (Stripe
 * Payment Links; the local provider's page locally): made once per invoice and amount, stored on
 * the booking, and the same link again for every PAY reply and payment reminder. The processor's
 * idempotency key is derived from the invoice and amount, so a link made whose store write was lost
 * comes back as the same link.
 */
import { type BookingRecord, updateBooking } from '../booking/store';
import { logger } from '../shared/logger';
import type { Tenant } from '../tenant/model';
import { PaymentProviderRefusedError, PaymentProviderUnavailableError, type PaymentProvider, paymentProviderFor } from './payments';

/** What the payment page shows: the company and the job type (no personal data). */
export function invoiceDescription(companyName: string, jobTypeName?: string): string {
  return `${companyName}: ${jobTypeName ?? 'service'} invoice`.slice(0, 250);
}

export type PaymentLinkOutcome =
  | { ok: true; url: string }
  /** no_invoice: nothing to pay; not_set_up: no processor or key; unavailable: try again later; refused: a person must look. */
  | { ok: false; reason: 'no_invoice' | 'not_set_up' | 'unavailable' | 'refused'; message: string };

type InvoicedBooking = Pick<BookingRecord, 'bookingId' | 'invoicedAmountCents' | 'invoicedAt' | 'paidAt' | 'paymentLink'>;

export async function invoicePaymentLink(
  tenant: Pick<Tenant, 'tenantId' | 'payments'>,
  booking: InvoicedBooking,
  description: string,
  at: Date,
): Promise<PaymentLinkOutcome> {
  const amountCents = booking.invoicedAmountCents;
  if (amountCents === undefined || booking.paidAt) return { ok: false, reason: 'no_invoice', message: 'no open invoice' };
  const stored = booking.paymentLink;
  if (stored && stored.amountCents === amountCents && stored.invoicedAt === booking.invoicedAt) return { ok: true, url: stored.url };

  let provider: PaymentProvider;
  try {
    provider = await paymentProviderFor(tenant);
  } catch (error) {
    return { ok: false, reason: 'not_set_up', message: `no payment provider is set up: ${(error as Error).message}` };
  }
  let url: string;
  try {
    url = await provider.paymentLink({
      idempotencyKey: `paylink-${tenant.tenantId}-${booking.bookingId}-${booking.invoicedAt ?? ''}-${amountCents}`,
      amountCents,
      description,
      metadata: { tenantId: tenant.tenantId, bookingId: booking.bookingId },
    });
  } catch (error) {
    if (error instanceof PaymentProviderUnavailableError) return { ok: false, reason: 'unavailable', message: error.message };
    if (error instanceof PaymentProviderRefusedError) return { ok: false, reason: 'refused', message: error.message };
    throw error;
  }
  await updateBooking(
    tenant.tenantId,
    booking.bookingId,
    {
      paymentLink: {
        url,
        amountCents,
        ...(booking.invoicedAt ? { invoicedAt: booking.invoicedAt } : {}),
        provider: provider.name,
        createdAt: at.toISOString(),
      },
    },
    { at },
  );
  logger.info('payment link made', { tenantId: tenant.tenantId, bookingId: booking.bookingId, provider: provider.name });
  return { ok: true, url };
}
