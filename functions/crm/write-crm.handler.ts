/**
 * Booking node WriteCrm: customer upsert, job record and deal stage "Booked" through the mapping
 * table, with source fields and the transcript as a note. Failures go to the Catch path, which keeps
 * the booking as pending_crm_sync and opens a crm_write_failed review item.
 */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { getCustomer } from '../recognise/store';
import { InvariantError } from '../shared/errors';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { crmAdapterFor } from './adapters';
import { defaultCrmMapping, mapFields } from './mapping';

export const handler = workflowNode('WriteCrm', async ({ tenantId, bookingId }) => {
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (!booking.customerId) throw new InvariantError('Booking has no customer yet');
  const [tenant, customer, jobType] = await Promise.all([
    getTenant(tenantId),
    getCustomer(tenantId, booking.customerId),
    getJobType(tenantId, booking.jobTypeId),
  ]);
  if (!tenant || !customer) throw new InvariantError('Tenant or customer missing');

  const { address } = booking.request;
  const context = {
    customer,
    jobType,
    attribution: booking.attribution ?? {},
    booking: {
      bookingId,
      channel: booking.channel,
      summary: booking.summary,
      addressLine: [address.line1, address.line2, address.city, address.region, address.postalCode].filter(Boolean).join(', '),
      postalCode: address.postalCode,
      technicianId: booking.window?.technicianId,
      windowLabel: booking.window ? `${booking.window.date} ${booking.window.start}-${booking.window.end}` : undefined,
    },
  };
  const { dealStage, fields } = mapFields(defaultCrmMapping, 'booked', context);
  const transcriptNote = booking.request.transcript?.map((turn) => `${turn.role}: ${turn.text}`).join('\n');

  const adapter = await crmAdapterFor(tenant.crm);
  const result = await adapter.writeBooking({
    tenantId,
    bookingId,
    customerId: booking.customerId,
    state: 'booked',
    dealStage,
    fields,
    transcriptNote,
    idempotencyKey: `${tenantId}:${bookingId}:booked`,
  });
  await updateBooking(tenantId, bookingId, { crm: { adapter: result.adapter, externalIds: result.externalIds, syncedAt: at.toISOString() } }, { at });
  await appendTimeline(tenantId, bookingId, 'WriteCrm', 'written', { adapter: result.adapter, dealStage, fields: Object.keys(fields).length }, at);
  return { status: 'written', externalIds: result.externalIds };
});
