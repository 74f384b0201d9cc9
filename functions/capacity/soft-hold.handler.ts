/**
 * Booking node SoftHold. Claims the chosen window for the first technician whose slot is still free
 * (conditional write; the hold expires by itself). When a concurrent booking took every candidate, a
 * booking with no asked window moves to the next open window; an asked window is rejected with
 * alternatives.
 */
import { DateTime } from 'luxon';
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { InvariantError } from '../shared/errors';
import { workflowNode, type HoldResult } from '../shared/node';
import { epochSeconds, now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { asBookedWindow, availableWindows } from './engine';
import { claimSlot } from './store';

const MAX_WINDOW_ATTEMPTS = 3;

export function holdIdFor(bookingId: string): string {
  return `hold-${bookingId}`;
}

export const handler = workflowNode('SoftHold', async (state): Promise<HoldResult> => {
  const { tenantId, bookingId } = state;
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  const holdId = holdIdFor(bookingId);
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant || !jobType) throw new InvariantError(`Tenant ${tenantId} or job type ${booking.jobTypeId} is missing`);
  const openWindows = async () =>
    (await availableWindows({ tenant, jobType, postalCode: booking.request.address.postalCode, days: tenant.bookingHorizonDays, now: at })).open;
  const expiresAt = epochSeconds(DateTime.fromJSDate(at).plus({ minutes: tenant.holdMinutes }).toJSDate());

  let window = state.capacity;
  for (let attempt = 0; window?.decision === 'available' && attempt < MAX_WINDOW_ATTEMPTS; attempt++) {
    for (const technicianId of window.technicianIds ?? []) {
      const slot = { date: window.date!, start: window.start!, technicianId };
      if (!(await claimSlot({ tenantId, ...slot, holdId, bookingId, expiresAt, now: at }))) continue;
      await updateBooking(tenantId, bookingId, { holdId, window: { ...slot, end: window.end! } }, { at });
      await appendTimeline(tenantId, bookingId, 'SoftHold', 'held', { ...slot, expiresAt }, at);
      return { held: true, holdId, technicianId, expiresAt: new Date(expiresAt * 1000).toISOString() };
    }
    if (booking.request.window) break;
    // Every candidate went to concurrent bookings: look again and take the next open window.
    const [next] = await openWindows();
    window = next ? { decision: 'available', ...next } : undefined;
  }

  const alternatives = (await openWindows()).slice(0, 3).map((w) => asBookedWindow(w));
  await updateBooking(tenantId, bookingId, { status: 'rejected', statusReason: 'window_taken', alternatives }, { onlyFrom: ['received'], at });
  await appendTimeline(tenantId, bookingId, 'SoftHold', 'lost_race', { alternatives: alternatives.length }, at);
  return { held: false };
});
