/**
 * Changes to a booked job: reschedule (a new window and/or another technician) and cancel. Both go
 * back through the same capacity claims and notification ledger as a new booking. A reschedule
 * claims the new window (a HELD hold, which expires by itself) before anything else; then ONE
 * transaction commits the new hold, moves the booking by compare-and-swap on the hold it had, and
 * releases the old hold's claims. Cancel and dismiss are one transaction too: the booking's update
 * (a CAS on its status and its current hold) with the release of that hold's claims. So a change
 * racing another either sees the other's result or fails as a whole: capacity never leaks.
 */
import { ulid } from 'ulid';
import type * as z from '../shared/zod';
import { holdWindow } from '../capacity/engine';
import { isEmergencyMove, isMemberMove, windowsToMoveTo } from './moves';
import {
  commitHoldItems,
  getHold,
  isHoldLive,
  keptKeys,
  releaseHold,
  releaseHoldItems,
  sendClaimTransaction,
  type HoldRecord,
  type TransactItem,
} from '../capacity/store';
import { syncBookingToCrm } from '../crm/sync-booking';
import { offerFreedSlot } from '../leads/waitlist';
import { planForStatus } from '../notify/plan';
import { addLedgerRows } from '../notify/queue-now';
import { cancelPendingRows } from '../notify/store';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { openReviewItem, resolveReviewItemsFor } from '../review/store';
import { getJobType, getTenant } from '../tenant/store';
import type { Tenant } from '../tenant/model';
import type { BookingStatus } from './schemas';
import { CHANGEABLE } from './changeable';
import type { RescheduleRequestSchema } from './schemas-changes';
import { appendTimeline, bookingUpdate, getBookingRecord, updateBooking, type BookingRecord } from './store';
import { startJobTrail } from '../trail/start';
import { type ChangeFollowUp, clearFollowUp, FOLLOW_UP_ATTEMPTS, followUpPut, OWED_WORK } from './follow-up-store';

export { CHANGEABLE };

async function loadChangeable(tenantId: string, bookingId: string, allowed: BookingStatus[] = CHANGEABLE): Promise<BookingRecord> {
  const booking = await getBookingRecord(tenantId, bookingId);
  if (!booking) throw new ApiError('not_found', `No booking ${bookingId}`, 'id');
  if (!allowed.includes(booking.status)) {
    throw new ApiError('conflict', `A ${booking.status} booking cannot be ${allowed === CHANGEABLE ? 'changed' : 'decided'} now`, 'id');
  }
  return booking;
}

/**
 * One atomic decision on a booking, as a single TransactWriteItems: its update (a compare-and-swap
 * on its status and on the hold it owns now), the release of that hold's claims (`release`), and the
 * commit of a new hold (`commit`). False when anything changed meanwhile (the booking, a claim, the
 * hold): nothing was written, and the caller decides again on fresh state or answers 409.
 */
export async function decideBooking(args: {
  booking: BookingRecord;
  fields: Parameters<typeof bookingUpdate>[2];
  onlyFrom: BookingStatus[];
  at: Date;
  release?: boolean;
  commit?: HoldRecord;
  /** Written in the same transaction (the change's follow-up item: booking/follow-up-store.ts). */
  alsoWrite?: TransactItem[];
}): Promise<boolean> {
  const { booking, at, commit } = args;
  // A move's hold keeps daily tokens of the hold the booking had when it was made: handed over from
  // that hold only (the booking moved meanwhile: refused, nothing written).
  const keeps = commit?.plan.keeps;
  if (keeps && keeps.from !== booking.holdId) return false;
  const handedOver = new Set(commit ? keptKeys(commit.tenantId, commit.plan).map((k) => k.sk) : []);
  const items: TransactItem[] = [
    { Update: bookingUpdate(booking.tenantId, booking.bookingId, args.fields, { onlyFrom: args.onlyFrom, at, ifHoldId: booking.holdId ?? null }) },
    ...(commit ? commitHoldItems(commit, booking.bookingId) : []),
    ...(args.release && booking.holdId ? await releaseHoldItems(booking.tenantId, booking.holdId, handedOver) : []),
    ...(args.alsoWrite ?? []),
  ];
  return sendClaimTransaction(items);
}

/** How often a cancel or dismiss decides again on fresh state after losing a race. */
const DECISION_ATTEMPTS = 4;

/**
 * Ends a booking (cancel, dismiss) and gives its capacity back, atomically; a lost race is decided
 * again on the booking as it now is (a reschedule that won moved the claims: those are released).
 * Returns the booking as it was when the decision was taken.
 */
export async function endBooking(
  tenantId: string,
  bookingId: string,
  fields: Parameters<typeof bookingUpdate>[2],
  onlyFrom: BookingStatus[],
  at: Date,
  /** Items written with the decision, from the booking as it is decided on (a cancellation's follow-up). */
  alsoWrite?: (booking: BookingRecord) => TransactItem[],
): Promise<BookingRecord> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const booking = await loadChangeable(tenantId, bookingId, onlyFrom);
    if (await decideBooking({ booking, fields, onlyFrom, at, release: true, alsoWrite: alsoWrite?.(booking) })) return booking;
  }
  throw new ApiError('conflict', 'The booking kept changing while this was decided; read it again', 'id');
}

/** A reschedule or reassignment as the route takes it (one schema: booking/schemas-changes.ts). */
export type RescheduleRequest = z.infer<typeof RescheduleRequestSchema>;

export async function rescheduleBooking(tenantId: string, bookingId: string, change: RescheduleRequest, by: string, at: Date) {
  const booking = await loadChangeable(tenantId, bookingId);
  // A member's job may take the member reserve, as the windows offered for its move show (booking/moves.ts).
  const [tenant, jobType, member] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId), isMemberMove(booking)]);
  if (!tenant || !jobType) throw new ApiError('service_unavailable', 'Tenant or job type configuration is missing');
  const current = booking.window;
  const postalCode = booking.request.address.postalCode;
  const emergency = isEmergencyMove(booking, jobType);

  // 1. Claim the new capacity (a caller's hold, or a fresh hold) while the old claim still stands.
  let newHoldId: string;
  if (change.holdId) {
    const hold = await getHold(tenantId, change.holdId);
    // A hold taken for a move (POST /v1/holds with bookingId) is that booking's only.
    if (!hold || !isHoldLive(hold, at) || hold.plan.jobTypeId !== jobType.jobTypeId || (hold.bookingId && hold.bookingId !== bookingId)) {
      throw new ApiError('window_unavailable', 'The hold is unknown, expired, for another job type or taken for another booking', 'holdId', {
        alternatives: await windowsToMoveTo({ tenant, jobType, booking, now: at, member, technicianId: change.technicianId }),
      });
    }
    if (hold.plan.keeps && hold.plan.keeps.from !== booking.holdId) {
      throw new ApiError('conflict', 'The job has moved since this hold was taken for it; hold a window again', 'holdId');
    }
    newHoldId = hold.holdId;
  } else {
    const window = change.window ?? (current ? { date: current.date, start: current.start } : undefined);
    if (!window) throw new ApiError('invalid_request', 'Give the new window (or a holdId)', 'window');
    if (change.technicianId && change.technicianId === current?.technicianId && !change.window) {
      throw new ApiError('invalid_request', 'The booking already has this technician', 'technicianId');
    }
    const attempt = await holdWindow({
      tenant,
      jobType,
      postalCode,
      window,
      emergency,
      member,
      technicianId: change.technicianId,
      // Its own stop leaves its technician's route as this claim commits: not counted twice (issue 21).
      leaving: booking.holdId,
      holdId: `hold-${bookingId}-${ulid()}`,
      bookingId,
      source: 'booking',
      now: at,
      alternatives: () => windowsToMoveTo({ tenant, jobType, booking, now: at, member, technicianId: change.technicianId, near: window, except: window }),
    });
    if (!attempt.hold) {
      const refused = change.technicianId ? `${change.technicianId} cannot take that window` : 'That window cannot be had';
      throw new ApiError('window_unavailable', `${refused} (${attempt.reason}); the alternatives are windows this change can have`, 'window', {
        alternatives: attempt.alternatives,
      });
    }
    newHoldId = attempt.hold.holdId;
  }
  // 2. One transaction: commit the new hold, move the booking onto it (a compare-and-swap on the hold
  //    it had) and give the old hold's claims back. All or nothing.
  const hold = (await getHold(tenantId, newHoldId))!;
  const window = { date: hold.plan.date, start: hold.plan.start, end: hold.plan.end, technicianId: hold.plan.technicianId };
  const versions = moveVersions(booking, window);
  const version = versions.scheduleVersion;
  const owed = followUpPut({
    tenantId,
    bookingId,
    change: 'rescheduled',
    at: at.toISOString(),
    by,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(current ? { from: current } : {}),
    to: window,
    version,
  });
  const moved =
    hold.status === 'HELD' &&
    (await decideBooking({
      booking,
      fields: { window, holdId: newHoldId, ...versions },
      onlyFrom: CHANGEABLE,
      at,
      release: true,
      commit: hold,
      alsoWrite: [owed.item],
    }));
  if (!moved) {
    // The new hold is only HELD (it would expire by itself): give it back now.
    await releaseHold(tenantId, newHoldId);
    const fresh = await getBookingRecord(tenantId, bookingId);
    if (fresh?.status !== booking.status || fresh.holdId !== booking.holdId) {
      throw new ApiError('conflict', `The booking changed meanwhile (it is ${fresh?.status ?? 'gone'} now); read it again`, 'id');
    }
    throw new ApiError('conflict', 'The new window was taken meanwhile; look again', 'window');
  }

  // 3. Messages move with the booking; the window it left goes to a waiting caller.
  await finishChange(owed.followUp, booking, tenant);
  return getBookingRecord(tenantId, bookingId);
}

/**
 * A move of the technician alone: same day and arrival time, another technician. The customer is
 * told who comes now ("technician_changed"); after any other move, the new time ("reschedule_confirmation").
 */
export function technicianOnlyMove(current: BookingRecord['window'], next: NonNullable<BookingRecord['window']>): boolean {
  return Boolean(current?.technicianId && current.technicianId !== next.technicianId && current.date === next.date && current.start === next.start);
}

/**
 * What a move writes on the booking with its new window, in the same write: the next schedule
 * version and, when the customer is told a new time (every move but one of the technician alone),
 * that version as `windowVersion`. The send worker drops a time text only for a newer time text
 * (notify/send.ts supersededBy): a later change of the technician alone must not silence it.
 */
export function moveVersions(
  booking: Pick<BookingRecord, 'scheduleVersion' | 'window'>,
  next: NonNullable<BookingRecord['window']>,
): { scheduleVersion: number; windowVersion?: number } {
  const scheduleVersion = (booking.scheduleVersion ?? 1) + 1;
  return technicianOnlyMove(booking.window, next) ? { scheduleVersion } : { scheduleVersion, windowVersion: scheduleVersion };
}

/**
 * What follows any move of a booked job (new window, another technician): pending messages are
 * replaced by the new schedule's (a new ledger version), both technicians are told on a
 * reassignment, the timeline says who and why, and the CRM is updated (or outboxed).
 */
export async function announceScheduleChange(args: {
  tenant: Tenant;
  booking: BookingRecord;
  window: NonNullable<BookingRecord['window']>;
  version: number;
  by: string;
  reason?: string;
  node: string;
  at: Date;
  /** false: the caller writes the CRM itself (a move from the field: the status-events worker's write). */
  syncCrm?: boolean;
  /** The caller put the CRM update in the crm-sync outbox (a dispatch apply: booking/reassign.ts); the timeline says it is queued. */
  crmQueued?: boolean;
}): Promise<void> {
  const { tenant, booking, window, version, at } = args;
  const { tenantId, bookingId } = booking;
  const current = booking.window;
  const reassigned = current?.technicianId && current.technicianId !== window.technicianId;
  const technicianOnly = technicianOnlyMove(current, window);
  // Only the earlier schedules' rows: a move that runs again keeps the rows it planned. A change of
  // the technician alone keeps a time text still waiting (quiet hours): the customer has not heard the
  // time moved, and the text names who comes now.
  await cancelPendingRows(tenantId, bookingId, at, { beforeVersion: version, ...(technicianOnly ? { except: ['reschedule_confirmation'] as const } : {}) });
  const rows = planForStatus({ status: booking.status, window, timeZone: tenant.timeZone, now: at, channel: 'sms', rescheduled: { version, technicianOnly } });
  if (reassigned) {
    rows.push({ kind: 'technician_unassigned', channel: 'sms', dueAt: at.toISOString(), technicianId: current!.technicianId, version });
  }
  if (reassigned || !current?.technicianId) {
    rows.push({ kind: 'technician_assigned', channel: 'sms', dueAt: at.toISOString(), technicianId: window.technicianId, version });
  }
  await addLedgerRows(tenantId, bookingId, rows, { at });
  await appendTimeline(
    tenantId,
    bookingId,
    args.node,
    technicianOnly ? 'reassigned' : 'rescheduled',
    {
      from: current ?? null,
      to: window,
      by: args.by,
      reason: args.reason,
      ...(args.crmQueued ? { crm: 'queued' } : {}),
    },
    at,
  );
  if (args.syncCrm !== false && !args.crmQueued) await syncBookingToCrm(tenantId, bookingId, 'rescheduled', args.node, at);
}

export async function cancelBooking(tenantId: string, bookingId: string, reason: string, by: string, at: Date) {
  // The status change, the release of the claims the booking owns now and what that owes: one decision.
  let owed: ChangeFollowUp | undefined;
  const booking = await endBooking(tenantId, bookingId, { status: 'cancelled', statusReason: reason }, CHANGEABLE, at, (decided) => {
    const { followUp, item } = followUpPut({
      tenantId,
      bookingId,
      change: 'cancelled',
      at: at.toISOString(),
      by,
      reason,
      ...(decided.window ? { from: decided.window } : {}),
      version: (decided.scheduleVersion ?? 1) + 1,
    });
    owed = followUp;
    return [item];
  });
  await finishChange(owed!, booking);
  return getBookingRecord(tenantId, bookingId);
}

/**
 * What a change owes, each step safe to take again: pending texts cancelled, the change's own rows
 * (ledger rows are keyed by kind and version: one written again is not queued again), the timeline
 * entry (keyed by the change's time), the CRM's state, and the freed window offered once
 * (follow-up-store.ts markOfferedItem). `booking`: the booking as the change found it. `offerAt`:
 * when the offer is made (the sweep's now when it takes over; the window must still be open then).
 */
async function followUps(owed: ChangeFollowUp, booking: BookingRecord, options: { tenant?: Tenant; offerAt?: Date } = {}): Promise<void> {
  const { tenantId, bookingId, version, from } = owed;
  const at = new Date(owed.at);
  const tenantOf = async () => {
    const tenant = options.tenant ?? (await getTenant(tenantId));
    if (!tenant) throw new Error(`follow-ups of ${bookingId}: tenant ${tenantId} not found`);
    return tenant;
  };
  switch (owed.change) {
    case 'accepted': {
      await appendTimeline(tenantId, bookingId, 'AcceptBooking', 'accepted', { by: owed.by }, at);
      // The CRM record moves from pending approval to booked (an update of the record it already has).
      await syncBookingToCrm(tenantId, bookingId, 'booked', 'AcceptBooking', at, {
        beforeOutbox: () =>
          updateBooking(tenantId, bookingId, { status: 'pending_crm_sync', statusReason: 'crm_unreachable' }, { onlyFrom: ['confirmed'], at }),
      });
      const planned = planForStatus({ status: 'confirmed', window: booking.window, timeZone: (await tenantOf()).timeZone, now: at, channel: 'sms' });
      await addLedgerRows(tenantId, bookingId, planned, { at });
      await resolveReviewItemsFor(tenantId, { type: 'booking', id: bookingId }, 'pending_approval', owed.by, 'Accepted by dispatch', at);
      // Only now does the post-booking trail run (the booking workflow left it for the dispatcher).
      await startJobTrail(tenantId, bookingId);
      return;
    }
    case 'dismissed':
      await appendTimeline(
        tenantId,
        bookingId,
        'DismissBooking',
        'dismissed',
        { by: owed.by, reason: owed.reason, slot: booking.holdId ? 'RELEASED' : 'none' },
        at,
      );
      // A CRM that has the booking (as pending approval) hears it was dismissed: the "cancelled" state.
      if (booking.crm) await syncBookingToCrm(tenantId, bookingId, 'cancelled', 'DismissBooking', at);
      await resolveReviewItemsFor(tenantId, { type: 'booking', id: bookingId }, 'pending_approval', owed.by, `Dismissed: ${owed.reason}`, at);
      return;
    case 'cancelled':
      await cancelPendingRows(tenantId, bookingId, at);
      await addLedgerRows(
        tenantId,
        bookingId,
        [
          { kind: 'cancellation', channel: 'sms', dueAt: owed.at, version },
          ...(from?.technicianId
            ? [{ kind: 'technician_unassigned' as const, channel: 'sms' as const, dueAt: owed.at, technicianId: from.technicianId, version }]
            : []),
        ],
        { at },
      );
      await appendTimeline(tenantId, bookingId, 'CancelBooking', 'cancelled', { reason: owed.reason, by: owed.by }, at);
      await syncBookingToCrm(tenantId, bookingId, 'cancelled', 'CancelBooking', at);
      break;
    case 'rescheduled':
      await announceScheduleChange({
        tenant: await tenantOf(),
        booking,
        window: owed.to!,
        version,
        by: owed.by,
        reason: owed.reason,
        node: 'RescheduleBooking',
        at,
      });
      break;
    // cancelled_in_field, moved_in_field: the status-events worker tells the rest itself.
  }
  await offerWindowLeft(owed, booking, options.offerAt ?? at);
}

/**
 * The window the change gave back goes to the earliest waitlisted caller of the trade (leads/waitlist.ts):
 * the one it left, unless a move kept the window (another technician, same time).
 */
async function offerWindowLeft(owed: ChangeFollowUp, booking: BookingRecord, at: Date): Promise<void> {
  const { from, to } = owed;
  if (!from || (to && from.date === to.date && from.start === to.start)) return;
  await offerFreedSlot(owed.tenantId, booking, from, at, to ? 'reschedule' : 'cancellation', owed);
}

/**
 * The change's run does what the change owes, then takes its follow-up off the due index. A failure
 * leaves the follow-up for the recovery sweep (resumeFollowUps): the change is made, and its answer
 * says so; the customer is told a little later rather than never.
 */
export async function finishChange(owed: ChangeFollowUp, booking: BookingRecord, tenant?: Tenant): Promise<void> {
  try {
    await followUps(owed, booking, { tenant });
    await clearFollowUp(owed);
  } catch (error) {
    logger.warn("a change's follow-ups failed: the recovery sweep takes them over", {
      tenantId: owed.tenantId,
      bookingId: owed.bookingId,
      change: owed.change,
      error: (error as Error).name,
    });
  }
}

/** What a person is told when a change's follow-ups failed every sweep: what happened, what did not (OWED_WORK), what to do. */
const GAVE_UP: Record<ChangeFollowUp['change'], { happened: string; todo: string }> = {
  cancelled: { happened: 'The booking was cancelled', todo: "check the booking's messages, the CRM and the waitlist, and tell the customer" },
  rescheduled: { happened: 'The booking was moved', todo: "check the booking's messages, the CRM and the waitlist, and tell the customer the new time" },
  accepted: { happened: 'The booking was accepted', todo: "check the booking's messages and the CRM, close the approval item, and tell the customer" },
  dismissed: { happened: 'The booking was dismissed', todo: 'check the CRM and close the approval item' },
  cancelled_in_field: { happened: 'The job was cancelled in the field service system', todo: 'look at the waitlist and offer the window' },
  moved_in_field: { happened: 'The job was moved in the field service system', todo: 'look at the waitlist and offer the window' },
};

/**
 * The recovery sweep's part (recover-stuck.ts): a change whose run did not finish its follow-ups.
 * A reschedule the booking has moved on from (a later move announced its own time) offers the window
 * it freed and tells nobody of a time no longer true. After FOLLOW_UP_ATTEMPTS sweeps, a person is told.
 */
export async function resumeFollowUps(owed: ChangeFollowUp, at: Date): Promise<'done' | 'to_review'> {
  const record = await getBookingRecord(owed.tenantId, owed.bookingId);
  try {
    if (!record) throw new Error(`booking ${owed.bookingId} not found`);
    const moved = owed.change === 'rescheduled' || owed.change === 'moved_in_field';
    if (moved && record.scheduleVersion !== owed.version) {
      await offerWindowLeft(owed, record, at);
    } else {
      // As the change found it: a move's announcement compares with the window it left.
      await followUps(owed, moved ? { ...record, window: owed.from ?? null } : record, { offerAt: at });
    }
    await clearFollowUp(owed);
    return 'done';
  } catch (error) {
    if ((owed.attempts ?? 0) < FOLLOW_UP_ATTEMPTS) throw error;
    const { happened, todo } = GAVE_UP[owed.change];
    await openReviewItem(
      owed.tenantId,
      {
        kind: 'workflow_failed',
        reason: `${happened}, but ${OWED_WORK[owed.change]} failed ${FOLLOW_UP_ATTEMPTS} times (${(error as Error).name}: ${(error as Error).message}): ${todo}.`,
        subject: { type: 'booking', id: owed.bookingId },
        payload: { change: owed.change, at: owed.at, ...(owed.from ? { from: owed.from } : {}), ...(owed.to ? { to: owed.to } : {}) },
      },
      at,
    );
    await clearFollowUp(owed);
    return 'to_review';
  }
}
