/**
 * Booking node CommitSlot: the hold and every item it claimed go HELD -> BOOKED in one transaction,
 * then the booking gets its status. A booking whose CRM write failed still commits (the customer has
 * the slot) and stands as pending_crm_sync; one booked on stale schedule data, or with no slot,
 * waits for dispatch as pending_confirmation and keeps its claim.
 */
import { factsOf } from '../booking/facts';
import { type BookingRecord, requireBookingRecord, sendBookingTransaction, toPublicBooking, updateBookingReturning } from '../booking/store';
import type { BookingStatus } from '../booking/schemas';
import { workflowNode, BOOKING_NODE_CATCH, type WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { commitHold, commitHoldItems, type HoldRecord } from './store';
import { InvariantError, PermanentError, type NodeRaises } from '../shared/errors';

/** The hold expired and another booking took its slot before commit: retrying cannot bring it back. */
export class SlotLostError extends PermanentError {
  override name = 'SlotLostError';
}

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [SlotLostError, InvariantError], catchAll: BOOKING_NODE_CATCH };

/**
 * What CommitSlot decides on. A run that carries its facts (booking/facts.ts) knows it without a
 * read: the snapshot the route took, the hold and window SoftHold wrote ($.hold), the status reason
 * RecordReviewItem set after a failed CRM write ($.review); those are the only writes of these
 * fields before this node. A run without facts reads the booking.
 */
async function bookingToCommit(state: WorkflowState): Promise<Pick<BookingRecord, 'holdId' | 'window' | 'sourceSettings' | 'statusReason'>> {
  const snapshot = factsOf(state)?.booking;
  if (!snapshot) return requireBookingRecord(state.tenantId, state.bookingId);
  const holdId = state.hold?.holdId ?? snapshot.holdId;
  const window = state.hold?.window ?? snapshot.window ?? null;
  const statusReason = state.review?.statusReason ?? snapshot.statusReason;
  return {
    ...(holdId ? { holdId } : {}),
    window,
    ...(snapshot.sourceSettings ? { sourceSettings: snapshot.sourceSettings } : {}),
    ...(statusReason ? { statusReason } : {}),
  };
}

export const handler = workflowNode('CommitSlot', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  const booking = await bookingToCommit(state);
  if (booking.holdId && !(await commitTheHold(state, booking.holdId))) {
    throw new SlotLostError('The hold expired and its slot was claimed by another booking before commit');
  }
  let status: BookingStatus = 'confirmed';
  if (state.capacity?.stale || !booking.holdId) status = 'pending_confirmation';
  // A source whose bookings a dispatcher must accept: the slot stays claimed until accept/dismiss.
  else if (booking.sourceSettings?.requiresAcceptance) status = 'pending_approval';
  // The CRM refused the booking: it keeps its slot, but a person fixes the CRM side and confirms it
  // (the customer is told the request was received, never "confirmed", until then).
  else if (booking.statusReason === 'crm_rejected') status = 'pending_confirmation';
  else if (state.failures?.WriteCrm) status = 'pending_crm_sync';
  const statusReason =
    status === 'pending_confirmation'
      ? state.capacity?.stale
        ? 'schedule_stale'
        : booking.holdId
          ? booking.statusReason
          : 'no_slot'
      : status === 'pending_approval'
        ? 'source_requires_acceptance'
        : booking.statusReason;
  const record = await updateBookingReturning(
    tenantId,
    bookingId,
    { status, statusReason },
    {
      onlyFrom: ['received'],
      at,
      timeline: { node: 'CommitSlot', outcome: booking.holdId ? 'booked' : 'unconfirmed', detail: { status, ...(booking.window ?? {}) } },
    },
  );
  // The window travels on: ScheduleNotifications plans from it without reading the booking again.
  // The booking as this write left it (public shape, no caller details): the bookings route answers
  // with it (the run's output) instead of reading it; null when this write did not apply (a re-entry).
  return { status, window: booking.window ?? null, booking: record ? toPublicBooking(record) : null };
});

/**
 * HELD -> BOOKED for the hold. The items SoftHold claimed travel in $.hold.keys: committed in one
 * transaction without reading the hold. When that is refused (a retry after the commit went
 * through, or an item re-claimed) commitHold reads the hold and decides, as without the keys.
 */
async function commitTheHold(state: WorkflowState, holdId: string): Promise<boolean> {
  const { tenantId, bookingId } = state;
  const keys = state.hold?.holdId === holdId ? state.hold.keys : undefined;
  // commitHoldItems needs only the hold's id and keys (the rest of the record is not written).
  if (keys?.length && (await sendBookingTransaction(commitHoldItems({ tenantId, holdId, keys } as HoldRecord, bookingId)))) return true;
  return commitHold(tenantId, holdId, bookingId);
}
