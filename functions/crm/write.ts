/**
 * One CRM write of a booking, shared by the WriteCrm node (inline, during the booking) and the
 * CrmSyncWorker (the outbox, after an outage): build the context, map it through the tenant's
 * mapping table, call the tenant's adapter, record the external ids on the booking.
 */
import { DateTime } from 'luxon';
import { appendTimeline, requireBookingRecord, updateBooking, type BookingRecord } from '../booking/store';
import { normalizeAddress } from '../recognise/address';
import { getCustomer } from '../recognise/store';
import { ownValue } from '../shared/own';
import { memberPlan } from '../renewals/member';
import { InvariantError } from '../shared/errors';
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

export async function buildBookingWrite(
  tenantId: string,
  bookingId: string,
  state?: JobState,
): Promise<{ write: CrmBookingWrite; booking: BookingRecord; idKeys: VendorIdKeys }> {
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (!booking.customerId) throw new InvariantError('Booking has no customer yet');
  const [tenant, customer, jobType] = await Promise.all([
    getTenant(tenantId),
    getCustomer(tenantId, booking.customerId),
    getJobType(tenantId, booking.jobTypeId),
  ]);
  if (!tenant || !customer) throw new InvariantError('Tenant or customer missing');
  const jobState = state ?? crmStateOf(booking);

  const { address } = booking.request;
  const window = booking.window
    ? (() => {
        const start = DateTime.fromISO(`${booking.window.date}T${booking.window.start}`, { zone: tenant.timeZone });
        const end = DateTime.fromISO(`${booking.window.date}T${booking.window.end}`, { zone: tenant.timeZone });
        return {
          startUtc: start.toUTC().toISO({ suppressMilliseconds: true })!,
          endUtc: end.toUTC().toISO({ suppressMilliseconds: true })!,
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
    job: { ...(booking.job ?? {}), reason: booking.statusReason },
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
      idempotencyKey: `${tenantId}:${bookingId}:${jobState}`,
      // A customer read from this CRM (read sync): written against its own customer and location ids.
      ...(customer.crm && customer.crm.adapter === tenant.crm.adapter
        ? { crmCustomer: { customerId: customer.crm.customerId, locationId: ownValue(customer.crm.locations, normalizeAddress(address)) } }
        : {}),
    },
  };
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
  options: { node: string; state?: JobState; budgetMs?: number } = { node: 'WriteCrm' },
): Promise<CrmWriteResult & { dealStage: string; fieldCount: number }> {
  const { write, booking, idKeys } = await buildBookingWrite(tenantId, bookingId, options.state);
  const tenant = await getTenant(tenantId);
  const adapter = await crmAdapterFor(tenant!);
  // The write still goes (the dispatcher sees the booking in the CRM); what it lacks is named for a person.
  const missing = missingVendorIds(adapter.requiredIds, write.source ?? {}, idKeys);
  if (missing.length) await reportMissingMapping(tenantId, bookingId, adapter.name, missing, at);
  if (!Object.keys(write.existingExternalIds ?? {}).length) {
    // A create: note the first attempt before sending it, so that if its answer is lost (a
    // timeout after the vendor did the work) the retry looks for the record instead of making two.
    if (booking.crmCreateAttemptAt) write.previousCreateAttemptAt = booking.crmCreateAttemptAt;
    else await updateBooking(tenantId, bookingId, { crmCreateAttemptAt: at.toISOString() }, { at });
  }
  const result = await withCallBudget(options.budgetMs ?? DEFAULT_CRM_WRITE_BUDGET_MS, () => adapter.writeBooking(write));
  const externalIds = { ...(write.existingExternalIds ?? {}), ...result.externalIds };
  await updateBooking(tenantId, bookingId, { crm: { adapter: result.adapter, externalIds, syncedAt: at.toISOString(), state: write.state } }, { at });
  await appendTimeline(
    tenantId,
    bookingId,
    options.node,
    'written',
    { adapter: result.adapter, state: write.state, dealStage: write.dealStage, fields: Object.keys(write.fields).length },
    at,
  );
  return { ...result, externalIds, dealStage: write.dealStage, fieldCount: Object.keys(write.fields).length };
}
