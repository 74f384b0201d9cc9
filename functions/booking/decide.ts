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
import { syncBookingToCrm } from '../crm/sync-booking';
import type * as z from '../shared/zod';
import type { DismissBookingRequestSchema } from '../crm/schemas';
import { planForStatus } from '../notify/plan';
import { addLedgerRows } from '../notify/queue-now';
import { resolveReviewItemsFor } from '../review/store';
import { ApiError } from '../shared/errors';
import { actorOf, type TenantContext } from '../shared/http';
import { now } from '../shared/time';
import { startJobTrail } from '../trail/start';
import { getTenant } from '../tenant/store';
import { endBooking, finishChange } from './changes';
import { type ChangeFollowUp, followUpPut } from './follow-up-store';
import type { Booking } from './schemas';
import { appendTimeline, getBookingRecord, getBookingWithTimeline, updateBooking, type BookingRecord } from './store';

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
  const accepted = await updateBooking(
    caller.tenantId,
    id,
    { status: 'confirmed', statusReason: 'accepted_by_dispatch', acceptedAt: at.toISOString() },
    // Still on the hold just checked: a reschedule or dismiss that won meanwhile makes this a clean 409.
    { onlyFrom: ['pending_approval'], at, ifHoldId: hold.holdId },
  );
  if (!accepted) throw new ApiError('conflict', 'The booking was decided or moved meanwhile; read it again', 'id');
  await appendTimeline(caller.tenantId, id, 'AcceptBooking', 'accepted', { by: actorOf(caller) }, at);

  // The CRM record moves from pending approval to booked (an update of the record it already has).
  await syncBookingToCrm(caller.tenantId, id, 'booked', 'AcceptBooking', at, {
    beforeOutbox: () => updateBooking(caller.tenantId, id, { status: 'pending_crm_sync', statusReason: 'crm_unreachable' }, { onlyFrom: ['confirmed'], at }),
  });

  const tenant = await getTenant(caller.tenantId);
  const planned = planForStatus({ status: 'confirmed', window: booking.window, timeZone: tenant!.timeZone, now: at, channel: 'sms' });
  await addLedgerRows(caller.tenantId, id, planned, { at });
  await resolveReviewItemsFor(caller.tenantId, { type: 'booking', id }, 'pending_approval', actorOf(caller), 'Accepted by dispatch', at);
  // Only now does the post-booking trail run (the booking workflow left it for the dispatcher).
  await startJobTrail(caller.tenantId, id);
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
