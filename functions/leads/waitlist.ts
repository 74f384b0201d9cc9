/**
 * The waitlist. A lead is waitlisted by a dispatcher (the callback's waitlist option) or a bot
 * (POST /v1/leads/{id}/waitlist). When a booked slot frees up (a cancellation, a reschedule away
 * from it), the earliest waiting lead of that trade for whom the slot is really open (its area, its
 * job type's skills, the capacity rules) is offered it by SMS (`waitlist_offer`, from the ledger of
 * the lead's booking request, sent by the sweeper). Nothing is held: the customer takes it by
 * calling or replying, and the bot or dispatcher books it through POST /v1/bookings like any other.
 */
import { availableWindows } from '../capacity/engine';
import type { BookingRecord } from '../booking/store';
import { updateBooking } from '../booking/store';
import { addLedgerRows } from '../notify/store';
import { formatWindow } from '../notify/variables';
import { getCustomer } from '../recognise/store';
import { resolveReviewItemsFor } from '../review/store';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getJobType, getTenant } from '../tenant/store';
import { waitingLeadsFor } from './leads';
import type { LeadRecord } from './schemas';
import { getLead, recordOffer, waitlistLead, waitlistOf } from './store';

/** How many waiting leads a freed slot is tried against (earliest first). */
const OFFER_CANDIDATES = 20;

export async function putLeadOnWaitlist(tenantId: string, leadId: string, by: string, note: string | undefined, at: Date): Promise<LeadRecord> {
  const lead = await getLead(tenantId, leadId);
  if (!lead) throw new ApiError('not_found', `No lead ${leadId}`, 'id');
  if (lead.status === 'waitlisted') return lead;
  if (!lead.bookingId) throw new ApiError('conflict', 'This lead has no booking request to offer a slot from; call the customer back', 'id');
  if (!(await waitlistLead(tenantId, lead, at))) {
    const now = await getLead(tenantId, leadId);
    throw new ApiError('conflict', `A ${now?.status ?? 'missing'} lead cannot be waitlisted`, 'id');
  }
  await resolveReviewItemsFor(tenantId, { type: 'lead', id: leadId }, 'callback', by, note ? `Waitlisted: ${note}` : 'Waitlisted', at);
  return (await getLead(tenantId, leadId))!;
}

/**
 * A booked window was given back (`freedBy` cancelled or moved away): offer it to the earliest
 * waiting lead who can really have it. Returns the lead offered, if any. Never throws: the change
 * that freed the slot has happened whatever becomes of the offer.
 */
export async function offerFreedSlot(
  tenantId: string,
  freedBy: Pick<BookingRecord, 'bookingId' | 'jobTypeId'>,
  window: { date: string; start: string; end: string; technicianId?: string } | null | undefined,
  at: Date,
): Promise<LeadRecord | undefined> {
  if (!window) return undefined;
  try {
    const [tenant, freedJobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, freedBy.jobTypeId)]);
    if (!tenant || !freedJobType) return undefined;
    const waiting = waitingLeadsFor(await waitlistOf(tenantId, freedJobType.trade, OFFER_CANDIDATES), freedJobType.trade);
    for (const lead of waiting) {
      if (!lead.bookingId || !lead.jobTypeId) continue;
      const jobType = lead.jobTypeId === freedJobType.jobTypeId ? freedJobType : await getJobType(tenantId, lead.jobTypeId);
      if (!jobType) continue;
      // Really open for this lead: its area, its job's skills, capacity as it stands now.
      const { open } = await availableWindows({ tenant, jobType, postalCode: lead.postalCode, dates: [window.date], now: at });
      const slot = open.find((w) => w.start === window.start);
      if (!slot) continue;
      const offer = { date: slot.date, start: slot.start, end: slot.end, offeredAt: at.toISOString(), freedBy: freedBy.bookingId };
      if (!(await recordOffer(tenantId, lead, offer, at))) continue;
      const version = (lead.offers ?? 0) + 1;
      // Formatted now, in the customer's language: the message names the offered window, not the request's.
      const customer = lead.customerId ? await getCustomer(tenantId, lead.customerId) : undefined;
      const offerWindow = formatWindow(slot, tenant.timeZone, customer?.language ?? 'en').window;
      await updateBooking(tenantId, lead.bookingId, { messageVars: { offerWindow } }, { at });
      await addLedgerRows(tenantId, lead.bookingId, [{ kind: 'waitlist_offer', channel: 'sms', dueAt: at.toISOString(), version }]);
      logger.info('freed slot offered to a waitlisted lead', { tenantId, leadId: lead.leadId, freedBy: freedBy.bookingId, date: slot.date, start: slot.start });
      return { ...lead, status: 'offered', offer, offers: version };
    }
  } catch (error) {
    logger.warn('offering a freed slot failed', { tenantId, freedBy: freedBy.bookingId, error: (error as Error).name });
  }
  return undefined;
}
