/**
 * Booking node CommitSlot: HELD(holdId) -> BOOKED, then the booking's status. A booking whose CRM
 * write failed is still committed (the customer has the slot) and stands as pending_crm_sync.
 */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { InvariantError } from '../shared/errors';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { commitSlot } from './store';

export class SlotLostError extends Error {
  override name = 'SlotLostError';
}

export const handler = workflowNode('CommitSlot', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (!booking.holdId || !booking.window?.technicianId) throw new InvariantError('Booking has no hold to commit');
  const slot = { date: booking.window.date, start: booking.window.start, technicianId: booking.window.technicianId };
  if (!(await commitSlot(tenantId, slot, booking.holdId))) {
    throw new SlotLostError('The hold expired and the slot was claimed by another booking before commit');
  }
  const status = state.failures?.WriteCrm ? 'pending_crm_sync' : 'confirmed';
  await updateBooking(tenantId, bookingId, { status }, { onlyFrom: ['received'], at });
  await appendTimeline(tenantId, bookingId, 'CommitSlot', 'booked', { status, ...slot }, at);
  return { status };
});
