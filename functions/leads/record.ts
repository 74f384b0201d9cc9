/**
 * Every caller becomes a lead: a booking request that could not be booked (out of area, no
 * qualified technician, nothing open) is kept as a lead with its reason, customer (the one the
 * recognition step found or made for the booking: never a second one) and the booking that holds
 * the request, attribution and transcript. The lead goes to the CRM through the outbox (mapping
 * state `lead`), and dispatch gets a `callback` review item with the options: the next open
 * windows, a neighbouring territory's technician who could go, or the waitlist.
 * When the same customer (or, for a caller known only by phone, the same phone) books later, their
 * open leads are marked booked and the callbacks closed (leads/settle.ts).
 */
import { ulid } from 'ulid';
import type { BookingRecord } from '../booking/store';
import { type HoldCallerRecord, setHoldCallerDue } from '../capacity/hold-caller-store';
import { normalizeEmail, normalizePhone } from '../recognise/phone';
import { createCustomer, emptyProfile, findCustomerIdByEmail, findCustomerIdByPhone } from '../recognise/store';
import { alternativesFor, asBookedWindow, availableWindows, searchDates } from '../capacity/engine';
import { crmSyncWorkOf, enqueueCrmSync } from '../crm/outbox-store';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { leadReasonOf, neighbouringTechnicians } from './leads';
import type { CallbackOptions, LeadRecord } from './schemas';
import { createLead, getLead, setCallbackItem } from './store';

const REASON_TEXT: Record<LeadRecord['reason'], string> = {
  out_of_area: 'the address is outside every service area',
  no_qualified_technician: 'no technician in the area does this job',
  fully_booked: 'nothing was open',
  window_unavailable: 'the asked window was taken',
  triage_to_person: 'triage handed the caller to a person',
  hung_up: 'the caller hung up before booking (the hold ran out)',
};

/** What a callback is about: the job, where, and the windows already found (a rejected booking's). */
interface CallbackNeed {
  jobTypeId?: string;
  postalCode: string;
  emergency?: boolean;
  alternatives?: CallbackOptions['nextWindows'];
  /** The lead has a booking request a freed slot can be offered from (leads/waitlist.ts). */
  waitlist: boolean;
}

/** The options a dispatcher has when calling back (pure reads; never holds anything). */
async function callbackOptions(tenantId: string, need: CallbackNeed, leadId: string, at: Date): Promise<CallbackOptions> {
  const [tenant, jobType, technicians] = await Promise.all([
    getTenant(tenantId),
    need.jobTypeId ? getJobType(tenantId, need.jobTypeId) : Promise.resolve(undefined),
    listTechnicians(tenantId),
  ]);
  const waitlist = need.waitlist ? { waitlist: { method: 'POST' as const, path: `/v1/leads/${leadId}/waitlist` } } : {};
  if (!tenant || !jobType) return { nextWindows: [], neighbouringTechnicians: [], ...waitlist };
  const { postalCode } = need;
  const emergency = Boolean(need.emergency || jobType.emergency);
  const nextWindows = need.alternatives?.length ? need.alternatives : await alternativesFor({ tenant, jobType, postalCode, now: at, emergency });
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
  return { nextWindows, neighbouringTechnicians: neighbours, ...waitlist };
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

  const need = {
    jobTypeId: booking.jobTypeId,
    postalCode: lead.postalCode,
    emergency: Boolean(booking.request.emergency),
    alternatives: booking.alternatives,
    waitlist: true,
  };
  const itemId = await openCallback(tenantId, lead, need, jobType?.name ?? booking.jobTypeId, booking.attribution?.source, at);
  return { ...lead, callbackReviewItemId: itemId };
}

/** Dispatch's `callback` review item for a new lead, with the options; linked from the lead. */
async function openCallback(tenantId: string, lead: LeadRecord, need: CallbackNeed, job: string, source: string | undefined, at: Date): Promise<string> {
  const options = await callbackOptions(tenantId, need, lead.leadId, at);
  const item = await openReviewItem(
    tenantId,
    {
      kind: 'callback',
      reason: `Call back: ${job} could not be booked (${REASON_TEXT[lead.reason]}). Offer a window, a neighbouring technician${need.waitlist ? ', or the waitlist' : ''}.`,
      subject: { type: 'lead', id: lead.leadId },
      payload: {
        leadId: lead.leadId,
        ...(lead.bookingId ? { bookingId: lead.bookingId } : {}),
        ...(lead.holdId ? { holdId: lead.holdId } : {}),
        reason: lead.reason,
        ...(lead.customerId ? { customerId: lead.customerId } : {}),
        ...(lead.contact ? { contact: lead.contact } : {}),
        postalCode: lead.postalCode,
        ...(source ? { source } : {}),
        options,
      },
    },
    at,
  );
  await setCallbackItem(tenantId, lead.leadId, item.reviewItemId, at);
  return item.reviewItemId;
}

/**
 * A lead without a booking goes to the CRM as state `lead` through the same outbox, keyed by the
 * lead (crm/run-sync.ts): the caller's answer never waits on the CRM. A caller with no phone to
 * write is not sent (the CRM keys callers by phone).
 */
async function enqueueLeadCrmSync(tenantId: string, lead: LeadRecord): Promise<void> {
  if (!lead.customerId && !lead.phoneE164) return;
  await enqueueCrmSync({ tenantId, leadId: lead.leadId, state: 'lead' }, 0);
}

/**
 * The customer record of a caller who could not be booked: the one their phone already belongs to,
 * else a new one made now from the name and phone they gave (with the phone claim, and the email's
 * unless another customer holds it). A lead's caller is a customer like any other, so when they book
 * later recognition matches them by phone (recognise/recognise.ts) and the booking, its CRM contact
 * and the lead's share one record: without it the booking made a second customer, and HubSpot a
 * second contact (the lead's was keyed `lead-<leadId>`). A caller with no name (or no valid phone)
 * makes no record: recognition could not match a nameless record, so their lead keeps the phone.
 */
async function customerOfCaller(
  tenantId: string,
  caller: { name?: string; phone?: string; email?: string } | undefined,
  country: string | undefined,
  at: Date,
): Promise<string | undefined> {
  const phoneE164 = caller?.phone ? normalizePhone(caller.phone, country ?? 'US') : undefined;
  if (!phoneE164) return undefined;
  const existing = await findCustomerIdByPhone(tenantId, phoneE164);
  const name = caller?.name?.trim();
  if (existing || !name) return existing;
  const email = normalizeEmail(caller?.email);
  const emailTaken = email ? Boolean(await findCustomerIdByEmail(tenantId, email)) : false;
  const made = await createCustomer(
    {
      tenantId,
      customerId: ulid(at.getTime()),
      name,
      phoneE164,
      ...(email ? { email } : {}),
      // Where they live is not known yet: the booking that serves the lead adds its address.
      addresses: [],
      ...emptyProfile(),
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    },
    { phone: true, email: Boolean(email) && !emailTaken },
  );
  // A concurrent caller of the same phone made the record first: it is theirs and this caller's.
  return made.created ? made.customerId : findCustomerIdByPhone(tenantId, phoneE164);
}

/**
 * A caller who hung up before booking (their hold ran out unbooked) becomes a lead with reason
 * hung_up, its CRM outbox row and a `callback` item. Idempotent: the hold's caller is tied to one
 * lead, once (leads/store.ts createLead), and stays due in the sweep's index until the lead has
 * everything a lead gets; a sweep killed between those steps leaves it due, and the next one (seeing
 * the caller's `leadId`) finishes what is missing, each step once.
 */
export async function recordHungUpLead(tenantId: string, held: HoldCallerRecord, at: Date): Promise<LeadRecord> {
  const jobType = await getJobType(tenantId, held.jobTypeId);
  const made = held.leadId ? await getLead(tenantId, held.leadId) : undefined;
  if (held.leadId && !made) throw new Error(`Lead ${held.leadId} of hold ${held.holdId} is missing`);
  const created = made ? undefined : await createLead(tenantId, await hungUpCandidate(tenantId, held, jobType?.trade, at));
  // A concurrent sweep made it first: that one finishes it (or, if it dies, the next sweep does).
  if (created && !created.created) return created.lead;
  const lead = made ?? created!.lead;
  if (!(await crmSyncWorkOf({ tenantId, leadId: lead.leadId, state: 'lead' }))) await enqueueLeadCrmSync(tenantId, lead);
  const need = { jobTypeId: held.jobTypeId, postalCode: held.postalCode, emergency: held.emergency, waitlist: false };
  const itemId =
    lead.callbackReviewItemId ?? (await ensureCallback(tenantId, lead, need, jobType?.name ?? held.jobTypeId, held.caller.attribution?.source, at));
  await setHoldCallerDue(tenantId, held.holdId, undefined);
  if (!made) logger.info('hung-up caller kept as a lead', { tenantId, leadId: lead.leadId, holdId: held.holdId });
  return { ...lead, callbackReviewItemId: itemId };
}

/** The lead a hung-up caller becomes (its customer record found or made from the caller). */
async function hungUpCandidate(tenantId: string, held: HoldCallerRecord, trade: string | undefined, at: Date): Promise<LeadRecord> {
  const { caller } = held;
  const customerId = caller.customerId ?? (await customerOfCaller(tenantId, caller.customer, caller.address?.country, at));
  const phoneE164 = !customerId && caller.customer?.phone ? normalizePhone(caller.customer.phone, caller.address?.country ?? 'US') : undefined;
  return {
    leadId: ulid(at.getTime()),
    status: 'open',
    reason: 'hung_up',
    ...(customerId ? { customerId } : {}),
    ...(!customerId && caller.customer ? { contact: caller.customer } : {}),
    ...(phoneE164 ? { phoneE164 } : {}),
    holdId: held.holdId,
    jobTypeId: held.jobTypeId,
    trade: trade ?? 'unknown',
    postalCode: held.postalCode,
    ...(caller.attribution ? { attribution: caller.attribution } : {}),
    ...(caller.channel ? { channel: caller.channel } : {}),
    ...(caller.transcript ? { transcript: caller.transcript } : {}),
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
}

/** The lead's callback item: the one a killed run opened but did not link (linked now), else a new one. */
async function ensureCallback(tenantId: string, lead: LeadRecord, need: CallbackNeed, job: string, source: string | undefined, at: Date): Promise<string> {
  const [opened] = await findOpenReviewItems(tenantId, { type: 'lead', id: lead.leadId }, 'callback');
  if (!opened) return openCallback(tenantId, lead, need, job, source, at);
  await setCallbackItem(tenantId, lead.leadId, opened.reviewItemId, at);
  return opened.reviewItemId;
}

/**
 * Triage handed the caller to a person: the caller is a lead with reason triage_to_person. Its
 * callback is the `needs_triage` item triage opened (one item for dispatch, not two), linked.
 */
export async function recordTriageLead(
  tenantId: string,
  request: {
    customer: { name: string; phone: string; email?: string };
    address: { postalCode: string; country: string };
    channel: LeadRecord['channel'];
    attribution?: LeadRecord['attribution'];
    transcript?: LeadRecord['transcript'];
  },
  triage: { jobTypeId?: string; trade?: string },
  reviewItemId: string,
  at: Date,
): Promise<LeadRecord> {
  const customerId = await customerOfCaller(tenantId, request.customer, request.address.country, at);
  const { customer } = request;
  const phoneE164 = customerId ? undefined : normalizePhone(customer.phone, request.address.country);
  const lead: LeadRecord = {
    leadId: ulid(at.getTime()),
    status: 'open',
    reason: 'triage_to_person',
    ...(customerId ? { customerId } : { contact: { name: customer.name, phone: customer.phone, ...(customer.email ? { email: customer.email } : {}) } }),
    ...(phoneE164 ? { phoneE164 } : {}),
    ...(triage.jobTypeId ? { jobTypeId: triage.jobTypeId } : {}),
    trade: triage.trade ?? 'unknown',
    postalCode: request.address.postalCode,
    ...(request.attribution ? { attribution: request.attribution } : {}),
    ...(request.channel ? { channel: request.channel } : {}),
    ...(request.transcript?.length ? { transcript: request.transcript } : {}),
    callbackReviewItemId: reviewItemId,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  await createLead(tenantId, lead);
  await enqueueLeadCrmSync(tenantId, lead);
  logger.info('triage hand-over kept as a lead', { tenantId, leadId: lead.leadId, reviewItemId });
  return lead;
}
