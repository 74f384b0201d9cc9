/**
 * Booking node CommitSlot: the hold and every item it claimed go HELD -> BOOKED, and the booking gets
 * its status, in one transaction (the items SoftHold passed on in $.hold.keys; refused, the hold is
 * read and decided and the booking written after it). A booking whose CRM write failed still commits (the customer has
 * the slot) and stands as pending_crm_sync; one booked on stale schedule data, or with no slot,
 * waits for dispatch as pending_confirmation and keeps its claim.
 */
import { factsOf, type RunChanges, runChangesOf } from '../booking/facts';
import { type BookingRecord, bookingUpdate, requireBookingRecord, sendBookingTransaction, updateBookingReturning } from '../booking/store';
import type { BookingStatus } from '../booking/schemas';
import { workflowNode, BOOKING_NODE_CATCH, type WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { commitHold, commitHoldItems, type HoldToCommit } from './store';
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
  const fields = { status, statusReason };
  const options = {
    onlyFrom: ['received'] as BookingStatus[],
    at,
    timeline: { node: 'CommitSlot', outcome: booking.holdId ? 'booked' : 'unconfirmed', detail: { status, ...(booking.window ?? {}) } },
  };
  // The window travels on: ScheduleNotifications plans from it without reading the booking again.
  const answer = (changes: RunChanges | null) => ({ status, window: booking.window ?? null, booking: changes });

  // Issue 19: the hold's commit and the booking's status in one transaction, with the keys SoftHold
  // passed on. The run's writes before this one are in its state, so the booking as this write
  // leaves it is known without ReturnValues: the customer RecogniseCustomer named, the hold and
  // window SoftHold wrote, where WriteCrm wrote it, this status. (No other writer changes those
  // fields of a booking still `received`: this write's own condition.)
  // A booking's own hold keeps nothing of another hold (a move's does: plan.keeps), so its keys are all the commit needs.
  const keys = booking.holdId && state.hold?.holdId === booking.holdId ? state.hold.keys : undefined;
  const held: HoldToCommit | undefined = booking.holdId && keys?.length ? { tenantId, holdId: booking.holdId, keys } : undefined;
  if (held) {
    const commit = commitHoldItems(held, bookingId);
    if (await sendBookingTransaction([...commit, { Update: bookingUpdate(tenantId, bookingId, fields, options) }])) {
      const customerId = state.customer?.customerId ?? factsOf(state)?.booking.customerId;
      return answer(
        runChangesOf({
          ...fields,
          ...(customerId ? { customerId } : {}),
          holdId: booking.holdId,
          window: booking.window ?? null,
          ...(state.crm?.record ? { crm: state.crm.record } : {}),
          updatedAt: at.toISOString(),
        }),
      );
    }
  }
  // Refused (a retry after the commit went through, an item re-claimed, the booking no longer
  // `received`), or no keys: the hold is read and decided, then the booking is written on its own.
  if (booking.holdId && !(await commitHold(tenantId, booking.holdId, bookingId))) {
    throw new SlotLostError('The hold expired and its slot was claimed by another booking before commit');
  }
  const record = await updateBookingReturning(tenantId, bookingId, fields, options);
  // The booking as this write left it (the run's fields only, no caller details): the bookings route
  // answers with it (the run's output) instead of reading it; null when this write did not apply (a re-entry).
  return answer(record ? runChangesOf(record) : null);
});
