/**
 * One CRM write of a booking, shared by the WriteCrm node (inline, during the booking) and the
 * CrmSyncWorker (the outbox, after an outage): build the context, map it through the tenant's
 * mapping table, call the tenant's adapter, record the external ids on the booking.
 */
import { bookingKeys, bookingUpdate, requireBookingRecord, updateBooking, type BookingRecord } from '../booking/store';
import { normalizeAddress } from '../recognise/address';
import { type CustomerRecord, getCustomer, getCustomerWith } from '../recognise/store';
import { getLead, setLeadCrm } from '../leads/store';
import type { LeadRecord } from '../leads/schemas';
import { settleLeadsOfCaller } from '../leads/settle';
import { zonedInstant } from '../shared/zoned-time';
import { ownValue } from '../shared/own';
import { memberPlan } from '../renewals/member';
import { InvariantError } from '../shared/errors';
import { logger } from '../shared/logger';
import { tenantConfig } from '../tenant/config-cache';
import type { JobType, Tenant } from '../tenant/model';
import { getJobType, getTenant } from '../tenant/store';
import type { CrmBookingWrite, CrmWriteResult } from './adapter';
import { crmAdapterFor } from './adapters';
import { withCallBudget } from './adapters/http';
import { effectiveMapping, mapFields, type JobState } from './mapping';
import { reportMissingMapping } from './mapping-review';
import { missingVendorIds, resolveVendorIds, type VendorIdKeys } from './vendor-ids';

/** The job state a booking is written as: bookings awaiting a dispatcher go in as pending approval. */
export function crmStateOf(booking: BookingRecord): JobState {
  return booking.sourceSettings?.requiresAcceptance && !booking.acceptedAt ? 'pending_approval' : 'booked';
}

/**
 * What a booking run already read (booking/facts.ts): the configuration version (a node reuses its
 * warm copy of that version, tenant/config-cache.ts) and the job type. Without it, both are read.
 */
export interface CrmWriteFacts {
  configVersion?: string;
  jobType?: JobType;
  /**
   * The customer the run recognised ($.customer): read with the booking in one request. `isNew`:
   * the run created it just now, so no lead can name it yet (leads/settle.ts looks up the phone only).
   */
  customer?: { customerId: string; isNew?: boolean };
}

/** The booking and its customer: in one request when the run says who the customer is, else one after the other. */
async function bookingAndCustomer(
  tenantId: string,
  bookingId: string,
  facts: CrmWriteFacts | undefined,
): Promise<{ booking: BookingRecord; customer: () => Promise<CustomerRecord | undefined> }> {
  if (facts?.customer) {
    const { customer, items } = await getCustomerWith(tenantId, facts.customer.customerId, [bookingKeys.booking(tenantId, bookingId)]);
    const booking = items[0] as BookingRecord | undefined;
    if (!booking) throw new InvariantError(`Booking ${bookingId} does not exist`);
    // The booking names another customer than the run's (not expected): that one is read.
    if (booking.customerId === facts.customer.customerId) return { booking, customer: async () => customer };
    return { booking, customer: () => (booking.customerId ? getCustomer(tenantId, booking.customerId) : Promise.resolve(undefined)) };
  }
  const booking = await requireBookingRecord(tenantId, bookingId);
  return { booking, customer: () => (booking.customerId ? getCustomer(tenantId, booking.customerId) : Promise.resolve(undefined)) };
}

async function tenantFor(tenantId: string, facts: CrmWriteFacts | undefined): Promise<Tenant | undefined> {
  return facts?.configVersion ? tenantConfig(tenantId, facts.configVersion) : getTenant(tenantId);
}

export async function buildBookingWrite(
  tenantId: string,
  bookingId: string,
  state?: JobState,
  facts?: CrmWriteFacts,
): Promise<{ write: CrmBookingWrite; booking: BookingRecord; idKeys: VendorIdKeys; tenant: Tenant }> {
  const { booking, customer: customerOf } = await bookingAndCustomer(tenantId, bookingId, facts);
  if (!booking.customerId) throw new InvariantError('Booking has no customer yet');
  const [tenant, customer, jobType] = await Promise.all([
    tenantFor(tenantId, facts),
    customerOf(),
    facts?.jobType?.jobTypeId === booking.jobTypeId ? facts.jobType : getJobType(tenantId, booking.jobTypeId),
  ]);
  if (!tenant || !customer) throw new InvariantError('Tenant or customer missing');
  let jobState = state ?? crmStateOf(booking);
  // A rejected booking's lead is written as that booking: its state is what the lead is now (a
  // `lead` write that waited out an outage after the caller booked closes it, never reopens it).
  const lead = (jobState === 'lead' || jobState === 'lead_booked') && booking.leadId ? await getLead(tenantId, booking.leadId) : undefined;
  if (lead) jobState = leadCrmState(lead);

  const { address } = booking.request;
  const window = booking.window
    ? (() => {
        // UTC to the second, as CRMs take it: 2026-11-02T14:00:00Z.
        const { date } = booking.window;
        const utc = (time: string) => `${zonedInstant(date, tenant.timeZone, time).toISOString().slice(0, 19)}Z`;
        return {
          startUtc: utc(booking.window.start),
          endUtc: utc(booking.window.end),
          label: `${booking.window.date} ${booking.window.start}-${booking.window.end}`,
        };
      })()
    : undefined;
  // The CRM's ids this booking is filed under: the source's own settings, else the mapping picked from the CRM's lists.
  const idKeys: VendorIdKeys = {
    jobTypeId: booking.jobTypeId,
    jobTypeName: jobType?.name,
    source: booking.attribution?.source,
    technicianId: booking.window?.technicianId,
  };
  const source = { ...(booking.sourceSettings ?? {}), ...resolveVendorIds(tenant.crmIds, idKeys, booking.sourceSettings) };
  const context = {
    customer,
    jobType,
    attribution: booking.attribution ?? {},
    source,
    // The job lifecycle as far as it is known (functions/lifecycle/ keeps booking.job), and why.
    job: { ...(booking.job ?? {}), reason: booking.statusReason, ...(lead?.bookedBookingId ? { bookedBookingId: lead.bookedBookingId } : {}) },
    booking: {
      bookingId,
      channel: booking.channel,
      summary: booking.summary,
      addressLine: [address.line1, address.line2, address.city, address.region, address.postalCode].filter(Boolean).join(', '),
      postalCode: address.postalCode,
      technicianId: booking.window?.technicianId,
      windowLabel: window?.label,
      accessNotes: booking.request.accessNotes,
      customerNotes: booking.request.notes,
      leadId: booking.leadId,
      // Members first: the active plan's name (renewals/member.ts), absent for everyone else.
      membershipPlan: memberPlan(customer),
    },
  };
  const { dealStage, fields } = mapFields(effectiveMapping(tenant.crmMapping), jobState, context);
  const transcriptNote = booking.request.transcript?.map((turn) => `${turn.role}: ${turn.text}`).join('\n');
  return {
    booking,
    idKeys,
    tenant,
    write: {
      tenantId,
      bookingId,
      customerId: booking.customerId,
      state: jobState,
      dealStage,
      fields,
      customer: { name: customer.name, phoneE164: customer.phoneE164, email: customer.email, isNew: customer.serviceHistory.length === 0 },
      address: { ...address, country: address.country ?? 'US' },
      summary: booking.summary,
      window,
      source: { ...source, name: booking.attribution?.source },
      transcriptNote,
      urgency: booking.request.emergency || jobType?.emergency ? 'emergency' : (booking.request.triage?.urgency ?? 'routine'),
      existingExternalIds: booking.crm?.externalIds,
      // One write per state and schedule: a retry of this write is a replay; a later reschedule (or a
      // state the booking returns to after one) is a new write, never dropped as the first's replay.
      idempotencyKey: `${tenantId}:${bookingId}:${jobState}:v${booking.scheduleVersion ?? 1}`,
      // A customer read from this CRM (read sync): written against its own customer and location ids.
      ...(customer.crm && customer.crm.adapter === tenant.crm.adapter
        ? { crmCustomer: { customerId: customer.crm.customerId, locationId: ownValue(customer.crm.locations, normalizeAddress(address)) } }
        : {}),
    },
  };
}

/**
 * What a lead's CRM record says now: `lead` while the caller may still be called back, `lead_booked`
 * once they booked. Every write of a lead writes this, whatever its message asked, so writes that
 * arrive out of order (a `lead` write retried after the close) end with the lead as it is.
 */
export function leadCrmState(lead: LeadRecord): 'lead' | 'lead_booked' {
  return lead.status === 'booked' ? 'lead_booked' : 'lead';
}

/** The time a CRM write may take when its caller gives no budget (routes and workers, whose Lambda timeouts are 10 s or more). */
export const DEFAULT_CRM_WRITE_BUDGET_MS = 5_000;

/**
 * Writes the booking to the tenant's CRM and records where it went. Throws the adapter's errors.
 * The adapter's calls together get `budgetMs` (a call still running then is CrmUnavailableError).
 */
export async function writeBookingToCrm(
  tenantId: string,
  bookingId: string,
  at: Date,
  options: { node: string; state?: JobState; budgetMs?: number; facts?: CrmWriteFacts } = { node: 'WriteCrm' },
): Promise<CrmWriteResult & { dealStage: string; fieldCount: number; record: NonNullable<BookingRecord['crm']> }> {
  const { write, booking, idKeys, tenant } = await buildBookingWrite(tenantId, bookingId, options.state, options.facts);
  // The booking's first write (every way a booking is made comes through here, whatever the route
  // answered): the caller's open leads are served, and their CRM records closed (leads/settle.ts).
  const settleStarted = Date.now();
  if (write.state === 'booked' || write.state === 'pending_approval') {
    // The booking's own write never waits on its caller's leads: a failure here is logged, and the next write of the booking settles them.
    const customerIsNew = options.facts?.customer?.isNew === true && options.facts.customer.customerId === booking.customerId;
    await settleLeadsOfCaller(tenantId, booking, at, { customerIsNew }).catch((error: Error) =>
      logger.warn('open leads of the caller not settled', { tenantId, bookingId, error: error.name, cause: error.message }),
    );
  }
  const adapter = await crmAdapterFor(tenant);
  // The write still goes (the dispatcher sees the booking in the CRM); what it lacks is named for a person.
  const missing = missingVendorIds(adapter.requiredIds, write.source ?? {}, idKeys);
  if (missing.length) await reportMissingMapping(tenantId, bookingId, adapter.name, missing, at);
  if (adapter.findsLostCreates && !Object.keys(write.existingExternalIds ?? {}).length) {
    // A create: note the first attempt before sending it, so that if its answer is lost (a
    // timeout after the vendor did the work) the retry looks for the record instead of making two.
    if (booking.crmCreateAttemptAt) write.previousCreateAttemptAt = booking.crmCreateAttemptAt;
    else await updateBooking(tenantId, bookingId, { crmCreateAttemptAt: at.toISOString() }, { at });
  }
  // The CRM calls get what is left of the caller's budget after the leads were settled.
  const budgetMs = Math.max(250, (options.budgetMs ?? DEFAULT_CRM_WRITE_BUDGET_MS) - (Date.now() - settleStarted));
  // Where the write went, on the booking: in the CRM's own transaction when the CRM is the JobRelay
  // table (the built-in store: one request), else a write of its own after the CRM answered.
  const recordOf = (result: CrmWriteResult) => {
    const externalIds = { ...(write.existingExternalIds ?? {}), ...result.externalIds };
    const fields = { crm: { adapter: result.adapter, externalIds, syncedAt: at.toISOString(), state: write.state } };
    const detail = { adapter: result.adapter, state: write.state, dealStage: write.dealStage, fields: Object.keys(write.fields).length };
    return { externalIds, fields, options: { at, timeline: { node: options.node, outcome: 'written', detail } } };
  };
  const result = await withCallBudget(budgetMs, () =>
    adapter.writeBooking(write, {
      recordWith: (written) => {
        const { fields, options: update } = recordOf(written);
        return { Update: bookingUpdate(tenantId, bookingId, fields, update) };
      },
    }),
  );
  const { externalIds, fields, options: update } = recordOf(result);
  if (!result.recorded) await updateBooking(tenantId, bookingId, fields, update);
  const { recorded: _recorded, ...written } = result;
  return { ...written, externalIds, dealStage: write.dealStage, fieldCount: Object.keys(write.fields).length, record: fields.crm };
}

/**
 * A lead without a booking (a caller who hung up on a hold, triage handing the caller to a person),
 * as the adapter's write of state `lead`: the caller (their customer record, else the lead's
 * contact), where, the job if known, why unbooked, attribution and the transcript as a note. The
 * record the CRM keys it by is the lead (`bookingId` of the write is the lead id, the contact of a
 * caller with no customer record is keyed `lead-<leadId>`), so a retry updates the same records.
 */
export async function buildLeadWrite(tenantId: string, leadId: string): Promise<{ write: CrmBookingWrite; tenant: Tenant }> {
  const lead = await getLead(tenantId, leadId);
  if (!lead) throw new InvariantError(`No such lead ${leadId}`);
  const state = leadCrmState(lead);
  const [tenant, customer, jobType] = await Promise.all([
    getTenant(tenantId),
    lead.customerId ? getCustomer(tenantId, lead.customerId) : Promise.resolve(undefined),
    lead.jobTypeId ? getJobType(tenantId, lead.jobTypeId) : Promise.resolve(undefined),
  ]);
  if (!tenant) throw new InvariantError('Tenant missing');
  const phoneE164 = customer?.phoneE164 ?? lead.phoneE164;
  if (!phoneE164) throw new InvariantError('The lead has no phone to write to the CRM');
  const caller = { name: customer?.name ?? lead.contact?.name ?? 'Unknown caller', phoneE164, email: customer?.email ?? lead.contact?.email };
  // The customer's own address in the lead's postal code when there is one; else only the postal code is known.
  const known = customer?.addresses.find((a) => a.postalCode === lead.postalCode) ?? customer?.addresses[0];
  const address = known ?? { line1: '', city: '', region: '', postalCode: lead.postalCode, country: 'US' };
  const idKeys: VendorIdKeys = { jobTypeId: lead.jobTypeId ?? '', jobTypeName: jobType?.name, source: lead.attribution?.source };
  const source = resolveVendorIds(tenant.crmIds, idKeys);
  const context = {
    customer: { ...(customer ?? {}), ...caller },
    jobType,
    attribution: lead.attribution ?? {},
    source,
    job: { reason: lead.reason, ...(lead.bookedBookingId ? { bookedBookingId: lead.bookedBookingId } : {}) },
    booking: {
      leadId,
      channel: lead.channel,
      summary: jobType?.name ?? `${lead.trade} (${lead.reason})`,
      postalCode: lead.postalCode,
      ...(known ? { addressLine: [known.line1, known.line2, known.city, known.region, known.postalCode].filter(Boolean).join(', ') } : {}),
    },
  };
  const { dealStage, fields } = mapFields(effectiveMapping(tenant.crmMapping), state, context);
  return {
    tenant,
    write: {
      tenantId,
      bookingId: leadId,
      customerId: lead.customerId ?? `lead-${leadId}`,
      state,
      dealStage,
      fields,
      customer: { ...caller, isNew: !customer || customer.serviceHistory.length === 0 },
      address,
      summary: context.booking.summary,
      source: { ...source, name: lead.attribution?.source },
      transcriptNote: lead.transcript?.map((turn) => `${turn.role}: ${turn.text}`).join('\n'),
      urgency: jobType?.emergency ? 'emergency' : 'routine',
      existingExternalIds: lead.crm?.externalIds,
      idempotencyKey: `${tenantId}:lead:${leadId}:${state}`,
      ...(customer?.crm && customer.crm.adapter === tenant.crm.adapter
        ? { crmCustomer: { customerId: customer.crm.customerId, locationId: known ? ownValue(customer.crm.locations, normalizeAddress(known)) : undefined } }
        : {}),
    },
  };
}

/** Writes a lead without a booking to the tenant's CRM (state `lead`) and records where it went on the lead. Throws the adapter's errors. */
export async function writeLeadToCrm(tenantId: string, leadId: string, at: Date, options: { budgetMs?: number } = {}): Promise<CrmWriteResult> {
  const { write, tenant } = await buildLeadWrite(tenantId, leadId);
  const adapter = await crmAdapterFor(tenant);
  const result = await withCallBudget(options.budgetMs ?? DEFAULT_CRM_WRITE_BUDGET_MS, () => adapter.writeBooking(write));
  const externalIds = { ...(write.existingExternalIds ?? {}), ...result.externalIds };
  await setLeadCrm(tenantId, leadId, { adapter: result.adapter, externalIds, syncedAt: at.toISOString(), state: write.state as 'lead' | 'lead_booked' });
  return { ...result, externalIds };
}
