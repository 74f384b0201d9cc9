/**
 * A caller booked: their open leads are served. One place does it for every way a booking is made
 * (crm/write.ts calls it on the booking's first CRM write, state `booked` or `pending_approval`: the
 * WriteCrm node of every booking run, whether the route answered 201 or 202; an accepted emergency;
 * a write the outbox finished after an outage). Each open lead of the caller (their customer record's,
 * and those of a caller known then only by phone, matched in E.164) is marked booked, its callback
 * review item closed, and its record in the CRM closed through the crm-sync outbox (state
 * `lead_booked`: HubSpot moves the lead's deal, same lease, retries and review items as any write).
 * Idempotent: a lead already booked is not touched again, so a second write settles nothing.
 */
import type { BookingRecord } from '../booking/store';
import { enqueueCrmSync } from '../crm/outbox-store';
import { normalizePhone } from '../recognise/phone';
import { resolveReviewItemsFor } from '../review/store';
import { logger } from '../shared/logger';
import type { LeadRecord } from './schemas';
import { markLeadBooked, openLeadsOfCustomer, openLeadsOfPhone } from './store';

const UNSETTLED: ReadonlyArray<LeadRecord['status']> = ['open', 'waitlisted', 'offered'];

/**
 * The lead's CRM record to close, as the outbox names it: a rejected booking's lead was written as
 * that booking (state `lead`), a lead without a booking as the lead. A lead that was never sent to the
 * CRM (no customer and no phone) has nothing to close.
 */
function crmCloseOf(tenantId: string, lead: LeadRecord) {
  if (lead.bookingId) return { tenantId, bookingId: lead.bookingId, state: 'lead_booked' as const };
  if (lead.customerId || lead.phoneE164) return { tenantId, leadId: lead.leadId, state: 'lead_booked' as const };
  return undefined;
}

/**
 * `customerIsNew`: the booking's run created its customer moments ago (RecogniseCustomer), so no
 * lead names that customer yet and only the caller's phone is looked up (one query, not two).
 */
export async function settleLeadsOfCaller(tenantId: string, booking: BookingRecord, at: Date, options: { customerIsNew?: boolean } = {}): Promise<number> {
  const { bookingId } = booking;
  const phoneE164 = normalizePhone(booking.request.customer.phone, booking.request.address.country ?? 'US');
  const [ofCustomer, ofPhone] = await Promise.all([
    booking.customerId && !options.customerIsNew ? openLeadsOfCustomer(tenantId, booking.customerId) : Promise.resolve([]),
    phoneE164 ? openLeadsOfPhone(tenantId, phoneE164) : Promise.resolve([]),
  ]);
  const leads = [...ofCustomer, ...ofPhone].filter((lead) => lead.bookingId !== bookingId);
  let settled = 0;
  for (const lead of leads) {
    if (!UNSETTLED.includes(lead.status)) continue;
    // The callback first: a run cut short after marking the lead (a node's timeout) would leave it
    // open for good, since a booked lead is no longer among the caller's open leads.
    await resolveReviewItemsFor(tenantId, { type: 'lead', id: lead.leadId }, 'callback', 'system', `The customer booked ${bookingId}`, at);
    if (!(await markLeadBooked(tenantId, lead, bookingId, at))) continue;
    settled++;
    const close = crmCloseOf(tenantId, lead);
    if (close) await enqueueCrmSync({ ...close, requestedAt: at.toISOString() }, 0);
  }
  if (settled) logger.info('leads served by a booking', { tenantId, bookingId, settled });
  return settled;
}
