/**
 * Every caller becomes a lead: a booking request that could not be booked (out of area, no
 * qualified technician, nothing open) is kept as a lead with its reason, customer (the one the
 * recognition step found or made for the booking: never a second one) and the booking that holds
 * the request, attribution and transcript. The lead goes to the CRM through the outbox (mapping
 * state `lead`), and dispatch gets a `callback` review item with the options: the next open
 * windows, a neighbouring territory's technician who could go, or the waitlist.
 * When the same customer books later, their open leads are marked booked and the callbacks closed.
 */
import { ulid } from 'ulid';
import type { BookingRecord } from '../booking/store';
import { alternativesFor, asBookedWindow, availableWindows, searchDates } from '../capacity/engine';
import { enqueueCrmSync } from '../crm/outbox-store';
import { openReviewItem, resolveReviewItemsFor } from '../review/store';
import { logger } from '../shared/logger';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { leadReasonOf, neighbouringTechnicians } from './leads';
import type { CallbackOptions, LeadRecord } from './schemas';
import { createLead, getLead, markLeadBooked, openLeadsOfCustomer, setCallbackItem } from './store';

const REASON_TEXT: Record<LeadRecord['reason'], string> = {
  out_of_area: 'the address is outside every service area',
  no_qualified_technician: 'no technician in the area does this job',
  fully_booked: 'nothing was open',
  window_unavailable: 'the asked window was taken',
  triage_to_person: 'triage handed the caller to a person',
};

/** The options a dispatcher has when calling back (pure reads; never holds anything). */
async function callbackOptions(tenantId: string, booking: BookingRecord, leadId: string, at: Date): Promise<CallbackOptions> {
  const [tenant, jobType, technicians] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId), listTechnicians(tenantId)]);
  const waitlist = { method: 'POST' as const, path: `/v1/leads/${leadId}/waitlist` };
  if (!tenant || !jobType) return { nextWindows: [], neighbouringTechnicians: [], waitlist };
  const postalCode = booking.request.address.postalCode;
  const emergency = Boolean(booking.request.emergency || jobType.emergency);
  const nextWindows = booking.alternatives?.length ? booking.alternatives : await alternativesFor({ tenant, jobType, postalCode, now: at, emergency });
  const dates = searchDates(tenant, at, { emergency });
  const neighbours = await Promise.all(
    neighbouringTechnicians(technicians, jobType, postalCode).map(async (n) => {
      const { open } = await availableWindows({ tenant, jobType, postalCode: n.nearestPostalCode, dates, now: at, emergency });
      const first = open.find((w) => w.candidates.some((c) => c.technicianId === n.technician.technicianId));
      return {
        technicianId: n.technician.technicianId,
        name: n.technician.name,
        travelMinutes: n.travelMinutes,
        window: first ? asBookedWindow(first, n.technician.technicianId) : null,
      };
    }),
  );
  return { nextWindows, neighbouringTechnicians: neighbours, waitlist };
}

/**
 * Keeps a rejected booking's caller as a lead (idempotent: a replay or resumed run gets the same
 * lead). Undefined when the rejection is no lost demand (e.g. a hold the bot reused).
 */
export async function recordBookingLead(tenantId: string, booking: BookingRecord, at: Date): Promise<LeadRecord | undefined> {
  if (booking.leadId) return getLead(tenantId, booking.leadId);
  const reason = leadReasonOf(booking.statusReason);
  if (!reason) return undefined;
  const jobType = await getJobType(tenantId, booking.jobTypeId);
  const candidate: LeadRecord = {
    leadId: ulid(at.getTime()),
    status: 'open',
    reason,
    ...(booking.statusReason && booking.statusReason !== reason ? { detail: booking.statusReason } : {}),
    ...(booking.customerId ? { customerId: booking.customerId } : {}),
    bookingId: booking.bookingId,
    jobTypeId: booking.jobTypeId,
    trade: jobType?.trade ?? 'unknown',
    postalCode: booking.request.address.postalCode,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const { lead, created } = await createLead(tenantId, candidate);
  if (!created) return lead;

  // The CRM gets the lead through the outbox (crm-sync worker): the caller's answer never waits on the CRM.
  if (booking.customerId) await enqueueCrmSync({ tenantId, bookingId: booking.bookingId, state: 'lead' }, 0);

  const options = await callbackOptions(tenantId, booking, lead.leadId, at);
  const item = await openReviewItem(
    tenantId,
    {
      kind: 'callback',
      reason: `Call back: ${jobType?.name ?? booking.jobTypeId} could not be booked (${REASON_TEXT[reason]}). Offer a window, a neighbouring technician, or the waitlist.`,
      subject: { type: 'lead', id: lead.leadId },
      payload: {
        leadId: lead.leadId,
        bookingId: booking.bookingId,
        reason,
        ...(booking.customerId ? { customerId: booking.customerId } : {}),
        postalCode: lead.postalCode,
        ...(booking.attribution?.source ? { source: booking.attribution.source } : {}),
        options,
      },
    },
    at,
  );
  await setCallbackItem(tenantId, lead.leadId, item.reviewItemId, at);
  return { ...lead, callbackReviewItemId: item.reviewItemId };
}

/** A customer booked: their open leads are served and the callbacks about them closed. */
export async function settleLeadsOfCustomer(tenantId: string, customerId: string, bookingId: string, at: Date): Promise<number> {
  const leads = (await openLeadsOfCustomer(tenantId, customerId)).filter((lead) => lead.bookingId !== bookingId);
  let settled = 0;
  for (const lead of leads) {
    if (!['open', 'waitlisted', 'offered'].includes(lead.status)) continue;
    if (!(await markLeadBooked(tenantId, lead, bookingId, at))) continue;
    settled++;
    await resolveReviewItemsFor(tenantId, { type: 'lead', id: lead.leadId }, 'callback', 'system', `The customer booked ${bookingId}`, at);
  }
  if (settled) logger.info('leads served by a booking', { tenantId, bookingId, settled });
  return settled;
}
