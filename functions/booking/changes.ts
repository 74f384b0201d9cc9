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
import { getJobType, getTenant } from '../tenant/store';
import type { Tenant } from '../tenant/model';
import type { BookingStatus } from './schemas';
import { CHANGEABLE } from './changeable';
import type { RescheduleRequestSchema } from './schemas-changes';
import { appendTimeline, bookingUpdate, getBookingRecord, type BookingRecord } from './store';

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
): Promise<BookingRecord> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt++) {
    const booking = await loadChangeable(tenantId, bookingId, onlyFrom);
    if (await decideBooking({ booking, fields, onlyFrom, at, release: true })) return booking;
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
  const moved =
    hold.status === 'HELD' &&
    (await decideBooking({
      booking,
      fields: { window, holdId: newHoldId, ...versions },
      onlyFrom: CHANGEABLE,
      at,
      release: true,
      commit: hold,
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

  // 3. Messages move with the booking.
  await announceScheduleChange({ tenant, booking, window, version, by, reason: change.reason, node: 'RescheduleBooking', at });
  // The window it left is free again: the earliest waitlisted caller of the trade is offered it (leads/waitlist.ts).
  if (current && (current.date !== window.date || current.start !== window.start)) await offerFreedSlot(tenantId, booking, current, at, 'reschedule');
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
  // The status change and the release of the claims the booking owns now: one decision.
  const booking = await endBooking(tenantId, bookingId, { status: 'cancelled', statusReason: reason }, CHANGEABLE, at);
  await cancelPendingRows(tenantId, bookingId, at);
  const version = (booking.scheduleVersion ?? 1) + 1;
  await addLedgerRows(
    tenantId,
    bookingId,
    [
      { kind: 'cancellation', channel: 'sms', dueAt: at.toISOString(), version },
      ...(booking.window?.technicianId
        ? [{ kind: 'technician_unassigned' as const, channel: 'sms' as const, dueAt: at.toISOString(), technicianId: booking.window.technicianId, version }]
        : []),
    ],
    { at },
  );
  await appendTimeline(tenantId, bookingId, 'CancelBooking', 'cancelled', { reason, by }, at);
  await syncBookingToCrm(tenantId, bookingId, 'cancelled', 'CancelBooking', at);
  // The freed window goes to the earliest waitlisted caller of the trade (leads/waitlist.ts).
  await offerFreedSlot(tenantId, booking, booking.window, at, 'cancellation');
  return getBookingRecord(tenantId, bookingId);
}
