/**
 * POST /v1/bookings/{id}/confirm: a dispatcher confirms a booking that waited for a person
 * (pending_confirmation). A compare-and-swap on the status, never a second claim: the booking kept
 * its slot while it waited. Then the customer gets the confirmation and reminders, and the job's
 * post-booking trail starts.
 */
import { getHold } from '../capacity/store';
import { planForStatus } from '../notify/plan';
import { addLedgerRows } from '../notify/queue-now';
import { ApiError } from '../shared/errors';
import { actorOf, apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';
import { startJobTrail } from '../trail/start';
import { BookingIdParamsSchema } from './schemas';
import { appendTimeline, getBookingRecord, getBookingWithTimeline, updateBooking } from './store';

export const handler = apiRoute({}, async ({ tenant: caller, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  const at = now();
  const booking = await getBookingRecord(caller.tenantId, id);
  if (!booking) throw new ApiError('not_found', `No booking ${id}`, 'id');
  if (booking.status !== 'pending_confirmation') {
    throw new ApiError('conflict', `Only a pending_confirmation booking can be confirmed (this one is ${booking.status})`, 'id');
  }
  const hold = booking.holdId ? await getHold(caller.tenantId, booking.holdId) : undefined;
  if (hold?.status !== 'BOOKED' || hold.bookingId !== id) {
    throw new ApiError('conflict', 'This booking holds no slot: reschedule it into a window first', 'id');
  }
  if (
    !(await updateBooking(
      caller.tenantId,
      id,
      { status: 'confirmed', statusReason: 'confirmed_by_dispatch' },
      { onlyFrom: ['pending_confirmation'], at, ifHoldId: hold.holdId },
    ))
  ) {
    throw new ApiError('conflict', 'The booking changed meanwhile; read it again', 'id');
  }
  const tenant = await getTenant(caller.tenantId);
  const planned = planForStatus({ status: 'confirmed', window: booking.window, timeZone: tenant!.timeZone, now: at, channel: 'sms' });
  await addLedgerRows(caller.tenantId, id, planned, { at });
  await appendTimeline(caller.tenantId, id, 'ConfirmBooking', 'confirmed', { by: actorOf(caller) }, at);
  // Only now does the post-booking trail run (the booking workflow left it for a person's decision).
  await startJobTrail(caller.tenantId, id);
  return { statusCode: 200, body: await getBookingWithTimeline(caller.tenantId, id) };
});
