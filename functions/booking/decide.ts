/**
 * A dispatcher's decision (POST /v1/bookings/{id}/accept and /dismiss, booking/decide-booking.handler.ts) on a booking whose marketing source
 * needs acceptance (pending_approval). The booking kept its slot claim while it waited.
 * - accept: a compare-and-swap pending_approval -> confirmed (never a second claim); the CRM record
 *   moves to "booked" through the mapping table (outbox if the CRM is down); only now does the
 *   post-booking trail start (confirmation and reminders).
 * - dismiss (with a reason): pending_approval -> dismissed, and the slot claim is released (only the
 *   items this booking's hold still owns).
 * Either way the booking's pending_approval review item is resolved.
 */
import { getHold } from '../capacity/store';
import type * as z from '../shared/zod';
import type { DismissBookingRequestSchema } from '../crm/schemas';
import { ApiError } from '../shared/errors';
import { actorOf, type TenantContext } from '../shared/http';
import { now } from '../shared/time';
import { endBooking, finishChange } from './changes';
import { type ChangeFollowUp, followUpPut } from './follow-up-store';
import type { Booking } from './schemas';
import { getBookingRecord, getBookingWithTimeline, updateBookingWith, type BookingRecord } from './store';

async function pendingBooking(tenantId: string, id: string): Promise<BookingRecord> {
  const booking = await getBookingRecord(tenantId, id);
  if (!booking) throw new ApiError('not_found', `No booking ${id}`, 'id');
  if (booking.status !== 'pending_approval') {
    throw new ApiError('conflict', `Only a pending_approval booking can be accepted or dismissed (this one is ${booking.status})`, 'id');
  }
  return booking;
}

/** Accepts a pending_approval booking: confirmed by compare-and-swap, the CRM told, messages planned, the trail started. */
export async function acceptBooking(caller: TenantContext, bookingId: string): Promise<Booking | undefined> {
  const at = now();
  const booking = await pendingBooking(caller.tenantId, bookingId);
  const id = booking.bookingId;
  const hold = booking.holdId ? await getHold(caller.tenantId, booking.holdId) : undefined;
  if (hold?.status !== 'BOOKED' || hold.bookingId !== id) throw new ApiError('conflict', 'This booking holds no slot any more', 'id');
  // What the acceptance owes (timeline, CRM, confirmation texts, the approval item, the trail) is
  // written with it (booking/follow-up-store.ts): a run that stops after it leaves them to the sweep.
  const { followUp, item } = followUpPut({
    tenantId: caller.tenantId,
    bookingId: id,
    change: 'accepted',
    at: at.toISOString(),
    by: actorOf(caller),
    version: booking.scheduleVersion ?? 1,
  });
  const accepted = await updateBookingWith(
    caller.tenantId,
    id,
    { status: 'confirmed', statusReason: 'accepted_by_dispatch', acceptedAt: at.toISOString() },
    // Still on the hold just checked: a reschedule or dismiss that won meanwhile makes this a clean 409.
    { onlyFrom: ['pending_approval'], at, ifHoldId: hold.holdId },
    [item],
  );
  if (!accepted) throw new ApiError('conflict', 'The booking was decided or moved meanwhile; read it again', 'id');
  await finishChange(followUp, booking);
  return getBookingWithTimeline(caller.tenantId, id);
}

/** Dismisses a pending_approval booking (with a reason): its slot claim released in the same decision, the CRM told. */
export async function dismissBooking(
  caller: TenantContext,
  bookingId: string,
  body: z.infer<typeof DismissBookingRequestSchema>,
): Promise<Booking | undefined> {
  const at = now();
  const booking = await pendingBooking(caller.tenantId, bookingId);
  const id = booking.bookingId;
  // The status change and the release of what the booking's hold owns now: one transaction (a
  // reschedule that won meanwhile moved the claims; the decision is taken again on those).
  // What the dismissal owes (the timeline, the CRM, its approval item) is written with it (booking/follow-up-store.ts).
  let owed: ChangeFollowUp | undefined;
  const decided = await endBooking(
    caller.tenantId,
    id,
    { status: 'dismissed', statusReason: `dismissed: ${body.reason}` },
    ['pending_approval'],
    at,
    (found) => {
      const { followUp, item } = followUpPut({
        tenantId: caller.tenantId,
        bookingId: id,
        change: 'dismissed',
        at: at.toISOString(),
        by: actorOf(caller),
        reason: body.reason,
        ...(found.window ? { from: found.window } : {}),
        version: found.scheduleVersion ?? 1,
      });
      owed = followUp;
      return [item];
    },
  );
  await finishChange(owed!, decided);
  return getBookingWithTimeline(caller.tenantId, id);
}
