/**
 * Booking node CheckCapacity. Condition: is the asked window (or, when none was asked, the first
 * window in the horizon) open for a qualified technician covering the address? Action: pass the
 * window and its technicians on, or reject the booking with the reason and alternatives.
 */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { workflowNode, type CapacityResult } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { InvariantError } from '../shared/errors';
import { asBookedWindow, availableWindows } from './engine';

const ALTERNATIVES = 3;

export const handler = workflowNode('CheckCapacity', async ({ tenantId, bookingId }): Promise<CapacityResult> => {
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant) throw new InvariantError(`Tenant ${tenantId} has no configuration`);
  if (!jobType) throw new InvariantError(`Job type ${booking.jobTypeId} does not exist`);
  const asked = booking.request.window;
  const postalCode = booking.request.address.postalCode;

  const { open, reason } = await availableWindows({ tenant, jobType, postalCode, days: tenant.bookingHorizonDays, now: at });
  const chosen = asked ? open.find((w) => w.date === asked.date && w.start === asked.start) : open[0];

  if (chosen) {
    await appendTimeline(tenantId, bookingId, 'CheckCapacity', 'available', {
      date: chosen.date,
      start: chosen.start,
      technicians: chosen.technicianIds.length,
    }, at);
    return { decision: 'available', date: chosen.date, start: chosen.start, end: chosen.end, technicianIds: chosen.technicianIds };
  }

  const statusReason = asked && open.length ? 'window_unavailable' : (reason ?? 'fully_booked');
  const alternatives = open.slice(0, ALTERNATIVES).map((w) => asBookedWindow(w));
  await updateBooking(tenantId, bookingId, { status: 'rejected', statusReason, alternatives }, { onlyFrom: ['received'], at });
  await appendTimeline(tenantId, bookingId, 'CheckCapacity', 'rejected', { reason: statusReason, alternatives: alternatives.length }, at);
  return { decision: 'unavailable', reason: statusReason };
});
