/**
 * The recovery sweep's work (RecoverySweep, booking/recovery-sweep.handler.ts, runs it on its
 * schedule): nothing stays where no one looks.
 * - Bookings in the recovery index (booking/recovery.ts) that are due: a `received` booking whose run
 *   died is re-driven through the idempotent workflow (holding its reservation's lease, so a client
 *   retry and the sweep never run it at once); one that cannot be finished, or a
 *   `pending_confirmation` booking whose hold expired before commit, goes to a person (review item
 *   `booking_stuck`, dispatch told by SMS when it has a phone), its uncommitted hold is released and
 *   a CRM record already written for it is cancelled through the mapping table (compensation);
 *   a `pending_crm_sync` booking with no outbox work gets its write queued again; a confirmed booking
 *   whose job trail never closed goes to a person (review item `workflow_failed`, issue 19 item 4).
 * - CRM outbox rows that are due (crm/outbox-store.ts): their doorbell was lost or their backoff is longer
 *   than SQS can delay a message: rung again.
 * Idempotent: running it twice, or at once with a retry of the same request, changes nothing more.
 */
import { getHold, releaseHold } from '../capacity/store';
import { enqueueCrmSync, listDueCrmSyncWork, markCrmSyncRung, pendingCrmSyncWork, ringCrmSync } from '../crm/outbox-store';
import { addLedgerRows } from '../notify/queue-now';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';
import { driveBooking } from './drive';
import { decideRecovery, RECOVERY_FIRST_LOOK_MS, RECOVERY_PARTITION, type RecoveryDecision } from './recovery';
import { dueBookings, setRecoveryDue } from './recovery-store';
import { getReservation, releaseReservationLease, takeOverReservation } from './reservation-store';
import { appendTimeline, getBookingRecord, updateBooking, type BookingRecord } from './store';
import { resumeFollowUps } from './changes';
import { dueFollowUps, takeFollowUp } from './follow-up-store';

const PAGE = 50;
const MAX_PAGES = 20;

export interface RecoverySweepResult {
  bookings: Record<string, number>;
  crmDoorbells: number;
  /** Changes whose follow-ups their own run did not finish (booking/follow-up-store.ts), by outcome: done, to_review. */
  followUps: Record<string, number>;
}

async function factsOf(booking: BookingRecord, at: Date) {
  const { tenantId, bookingId } = booking;
  const [hold, reservation, crmWork, openItems] = await Promise.all([
    booking.holdId ? getHold(tenantId, booking.holdId) : Promise.resolve(undefined),
    booking.reservationKey ? getReservation(tenantId, booking.reservationKey) : Promise.resolve(undefined),
    booking.status === 'pending_crm_sync' ? pendingCrmSyncWork(tenantId, bookingId) : Promise.resolve([]),
    findOpenReviewItems(tenantId, { type: 'booking', id: bookingId }),
  ]);
  return decideRecovery(
    bookingId,
    {
      status: booking.status,
      holdId: booking.holdId,
      hold: hold ? { status: hold.status, expiresAt: hold.expiresAt, bookingId: hold.bookingId } : undefined,
      leaseUntil: reservation?.status === 'in_progress' ? reservation.lockedUntil : undefined,
      recoveryRuns: booking.recoveryRuns ?? 0,
      crmSyncPending: crmWork.length ? { dueAt: crmWork.map((w) => w.dueAt ?? '').sort()[0] || undefined } : undefined,
      inReview: openItems.length > 0,
      trail: { closed: Boolean(booking.trail?.completedAt), lastChangeAt: booking.updatedAt },
    },
    at,
  );
}

/** Hands a booking that cannot be finished to a person; gives back what it held; tells dispatch. */
async function handToPerson(booking: BookingRecord, decision: Extract<RecoveryDecision, { action: 'stuck' }>, at: Date): Promise<void> {
  const { tenantId, bookingId } = booking;
  if (decision.releaseHold && booking.holdId) await releaseHold(tenantId, booking.holdId);
  await updateBooking(
    tenantId,
    bookingId,
    { status: 'pending_confirmation', statusReason: decision.statusReason },
    { onlyFrom: ['received', 'pending_confirmation'], at },
  );
  const subject = { type: 'booking', id: bookingId };
  if (!(await findOpenReviewItems(tenantId, subject, 'booking_stuck')).length) {
    await openReviewItem(
      tenantId,
      { kind: 'booking_stuck', reason: decision.reason, subject, payload: { statusReason: decision.statusReason, holdId: booking.holdId ?? null } },
      at,
    );
  }
  // Compensation: the CRM already has this job, but it holds no slot: cancel it there (mapping table).
  if (booking.crm?.syncedAt && booking.crm.state !== 'cancelled') {
    await enqueueCrmSync({ tenantId, bookingId, state: 'cancelled' }, 0);
  }
  const tenant = await getTenant(tenantId);
  const told = tenant?.dispatch.phone
    ? await addLedgerRows(tenantId, bookingId, [{ kind: 'dispatcher_callback', channel: 'sms', dueAt: at.toISOString() }], { at })
    : 0;
  await appendTimeline(
    tenantId,
    bookingId,
    'RecoverySweep',
    'handed_to_person',
    {
      reason: decision.statusReason,
      releasedHold: decision.releaseHold,
      dispatchTold: told > 0,
      crmCancelled: Boolean(booking.crm?.syncedAt),
    },
    at,
  );
}

/** Looks at one due booking and does what its state asks; returns what it did. */
export async function recoverBooking(tenantId: string, bookingId: string, at: Date, depth = 0): Promise<string> {
  const booking = await getBookingRecord(tenantId, bookingId);
  if (!booking) return 'gone';
  const decision = await factsOf(booking, at);
  switch (decision.action) {
    case 'settled':
      await setRecoveryDue(tenantId, bookingId, undefined);
      return 'settled';
    case 'later':
      await setRecoveryDue(tenantId, bookingId, decision.dueAt);
      return 'later';
    case 'requeue_crm':
      await enqueueCrmSync({ tenantId, bookingId, firstError: 'The recovery sweep found this booking pending_crm_sync with no outbox work' }, 0);
      await appendTimeline(tenantId, bookingId, 'RecoverySweep', 'crm_sync_requeued', {}, at);
      await setRecoveryDue(tenantId, bookingId, new Date(at.getTime() + RECOVERY_FIRST_LOOK_MS).toISOString());
      return 'requeued_crm';
    case 'stuck':
      await handToPerson(booking, decision, at);
      await setRecoveryDue(tenantId, bookingId, undefined);
      return 'handed_to_person';
    case 'trail_unfinished': {
      const item = await openReviewItem(
        tenantId,
        {
          kind: 'workflow_failed',
          reason: decision.reason,
          subject: { type: 'booking', id: bookingId },
          payload: { workflow: 'job-trail', by: 'RecoverySweep' },
        },
        at,
      );
      await appendTimeline(tenantId, bookingId, 'RecoverySweep', 'trail_unfinished', { reviewItemId: item.reviewItemId }, at);
      await setRecoveryDue(tenantId, bookingId, undefined);
      return 'trail_unfinished';
    }
    case 'redrive': {
      // Own the reservation's lease while re-driving: a client retry meanwhile gets 409 + Retry-After.
      if (booking.reservationKey && !(await takeOverReservation(tenantId, booking.reservationKey, at))) {
        const current = await getReservation(tenantId, booking.reservationKey);
        if (current?.status === 'in_progress') {
          await setRecoveryDue(tenantId, bookingId, new Date(Math.max(current.lockedUntil, at.getTime()) + 30_000).toISOString());
          return 'later';
        }
      }
      await updateBooking(
        tenantId,
        bookingId,
        {
          recoveryRuns: (booking.recoveryRuns ?? 0) + 1,
          // Should this run die too, the sweep comes back.
          duePk: RECOVERY_PARTITION,
          dueAt: new Date(at.getTime() + RECOVERY_FIRST_LOOK_MS).toISOString(),
        },
        { at },
      );
      await appendTimeline(tenantId, bookingId, 'RecoverySweep', 'redriven', { run: (booking.recoveryRuns ?? 0) + 1 }, at);
      try {
        await driveBooking(tenantId, bookingId, { resumed: true, by: 'RecoverySweep' });
      } finally {
        if (booking.reservationKey) await releaseReservationLease(tenantId, booking.reservationKey);
      }
      // Look again at once: a finished run settles it; a pending_confirmation with a held slot waits.
      return depth < 2 ? `redriven:${await recoverBooking(tenantId, bookingId, now(), depth + 1)}` : 'redriven';
    }
  }
}

/** One sweep at `at`. `tenantId` narrows it to one tenant (tests share one system). */
export async function sweepRecovery(at: Date, options: { tenantId?: string } = {}): Promise<RecoverySweepResult> {
  const result: RecoverySweepResult = { bookings: {}, crmDoorbells: 0, followUps: {} };
  const seen = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = (await dueBookings(at, PAGE, options.tenantId)).filter((b) => !seen.has(`${b.tenantId}/${b.bookingId}`));
    if (!due.length) break;
    for (const { tenantId, bookingId } of due) {
      seen.add(`${tenantId}/${bookingId}`);
      try {
        const outcome = (await recoverBooking(tenantId, bookingId, at)).split(':').at(-1)!;
        result.bookings[outcome] = (result.bookings[outcome] ?? 0) + 1;
      } catch (error) {
        // One booking never holds up the rest; it stays due and is tried on the next tick.
        logger.error('recovery of a booking failed', { tenantId, bookingId, error: (error as Error).name, reason: (error as Error).message });
      }
    }
  }
  const rung = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = (await listDueCrmSyncWork(at, PAGE, options.tenantId)).filter((w) => !rung.has(`${w.tenantId}/${w.bookingId ?? w.leadId}/${w.state}`));
    if (!due.length) break;
    for (const work of due) {
      rung.add(`${work.tenantId}/${work.bookingId ?? work.leadId}/${work.state}`);
      if (!(await markCrmSyncRung(work, at))) continue;
      // A booking's row, or a lead's without a booking (crm/outbox-store.ts crmSyncSubject).
      const subject = work.leadId ? { leadId: work.leadId } : { bookingId: work.bookingId };
      await ringCrmSync({ tenantId: work.tenantId, ...subject, ...(work.state ? { state: work.state } : {}), requestedAt: work.requestedAt }, 0);
      result.crmDoorbells++;
    }
  }
  // Taking one moves it on (takeFollowUp): the next page holds the ones not yet looked at.
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await dueFollowUps(at, PAGE, options.tenantId);
    if (!due.length) break;
    for (const seen of due) {
      const owed = await takeFollowUp(seen, at);
      if (!owed) continue;
      try {
        const outcome = await resumeFollowUps(owed, at);
        result.followUps[outcome] = (result.followUps[outcome] ?? 0) + 1;
      } catch (error) {
        // Due again after the takeover time; after FOLLOW_UP_ATTEMPTS a person is told.
        logger.error("a change's follow-ups failed again", { tenantId: owed.tenantId, bookingId: owed.bookingId, error: (error as Error).name });
      }
    }
  }
  return result;
}
