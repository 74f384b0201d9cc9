/**
 * Changes to a booked job: reschedule (a new window and/or another technician) and cancel. Both go
 * back through the same capacity claims and notification ledger as a new booking. A reschedule
 * claims and commits the new hold before it releases the old one, so the customer never holds
 * nothing; the booking moves by compare-and-swap on its hold, so two concurrent changes cannot both win.
 */
import { ulid } from 'ulid';
import { holdWindow, alternativesFor } from '../capacity/engine';
import { commitHold, getHold, isHoldLive, releaseHold } from '../capacity/store';
import { enqueueCrmSync } from '../crm/outbox';
import { writeBookingToCrm } from '../crm/write';
import type { JobState } from '../crm/mapping';
import { planForStatus } from '../notify/ledger';
import { addLedgerRows, cancelPendingRows } from '../notify/store';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getJobType, getTenant } from '../tenant/store';
import type { Tenant } from '../tenant/model';
import type { BookingStatus } from './schemas';
import { appendTimeline, getBookingRecord, updateBooking, type BookingRecord } from './store';

/** Bookings that own committed capacity and may be moved or cancelled. */
export const CHANGEABLE: BookingStatus[] = ['confirmed', 'pending_crm_sync', 'pending_confirmation', 'pending_approval'];

async function loadChangeable(tenantId: string, bookingId: string): Promise<BookingRecord> {
  const booking = await getBookingRecord(tenantId, bookingId);
  if (!booking) throw new ApiError('not_found', `No booking ${bookingId}`, 'id');
  if (!CHANGEABLE.includes(booking.status)) {
    throw new ApiError('conflict', `A ${booking.status} booking cannot be changed`, 'id');
  }
  return booking;
}

/** The CRM hears of the change now, or through the outbox when it is down; the change stands either way. */
async function syncCrm(tenantId: string, bookingId: string, state: JobState, node: string, at: Date): Promise<void> {
  try {
    await writeBookingToCrm(tenantId, bookingId, at, { node, state });
  } catch (error) {
    logger.warn('CRM update deferred to the outbox', { tenantId, bookingId, node, error: (error as Error).name });
    await enqueueCrmSync({ tenantId, bookingId, state, firstError: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 1_000) }, 0);
  }
}

export interface RescheduleRequest {
  window?: { date: string; start: string };
  holdId?: string;
  technicianId?: string;
  reason?: string;
}

export async function rescheduleBooking(tenantId: string, bookingId: string, change: RescheduleRequest, by: string, at: Date) {
  const booking = await loadChangeable(tenantId, bookingId);
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant || !jobType) throw new ApiError('service_unavailable', 'Tenant or job type configuration is missing');
  const current = booking.window;
  const postalCode = booking.request.address.postalCode;
  const emergency = Boolean(booking.request.emergency || jobType.emergency);

  // 1. Claim the new capacity (a caller's hold, or a fresh hold) while the old claim still stands.
  let newHoldId: string;
  if (change.holdId) {
    const hold = await getHold(tenantId, change.holdId);
    if (!hold || !isHoldLive(hold, at) || hold.plan.jobTypeId !== jobType.jobTypeId) {
      throw new ApiError('window_unavailable', 'The hold is unknown, expired or for another job type', 'holdId', {
        alternatives: await alternativesFor({ tenant, jobType, postalCode, now: at, emergency }),
      });
    }
    newHoldId = hold.holdId;
  } else {
    const window = change.window ?? (current ? { date: current.date, start: current.start } : undefined);
    if (!window) throw new ApiError('invalid_request', 'Give the new window (or a holdId)', 'window');
    if (change.technicianId && change.technicianId === current?.technicianId && !change.window) {
      throw new ApiError('invalid_request', 'The booking already has this technician', 'technicianId');
    }
    const attempt = await holdWindow({
      tenant, jobType, postalCode, window, emergency, technicianId: change.technicianId,
      holdId: `hold-${bookingId}-${ulid()}`, bookingId, source: 'booking', now: at,
    });
    if (!attempt.hold) {
      throw new ApiError('window_unavailable', `That window cannot be had (${attempt.reason})`, 'window', { alternatives: attempt.alternatives });
    }
    newHoldId = attempt.hold.holdId;
  }
  if (!(await commitHold(tenantId, newHoldId, bookingId))) {
    throw new ApiError('conflict', 'The new window was taken meanwhile; look again', 'window');
  }

  // 2. Move the booking onto it: a compare-and-swap on the hold it had.
  const hold = (await getHold(tenantId, newHoldId))!;
  const window = { date: hold.plan.date, start: hold.plan.start, end: hold.plan.end, technicianId: hold.plan.technicianId };
  const version = (booking.scheduleVersion ?? 1) + 1;
  const moved = await updateBooking(tenantId, bookingId, { window, holdId: newHoldId, scheduleVersion: version }, {
    onlyFrom: CHANGEABLE, at, ifHoldId: booking.holdId ?? null,
  });
  if (!moved) {
    await releaseHold(tenantId, newHoldId, { includeBooked: true });
    throw new ApiError('conflict', 'The booking changed meanwhile; read it again', 'id');
  }

  // 3. Only now give the old capacity back; messages move with the booking.
  if (booking.holdId) await releaseHold(tenantId, booking.holdId, { includeBooked: true });
  await announceScheduleChange({ tenant, booking, window, version, by, reason: change.reason, node: 'RescheduleBooking', at });
  return getBookingRecord(tenantId, bookingId);
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
}): Promise<void> {
  const { tenant, booking, window, version, at } = args;
  const { tenantId, bookingId } = booking;
  const current = booking.window;
  await cancelPendingRows(tenantId, bookingId, at);
  const reassigned = current?.technicianId && current.technicianId !== window.technicianId;
  const technicianOnly = Boolean(reassigned && current?.date === window.date && current.start === window.start);
  const rows = planForStatus({ status: booking.status, window, timeZone: tenant.timeZone, now: at, channel: 'sms', rescheduled: { version, technicianOnly } });
  if (reassigned) {
    rows.push({ kind: 'technician_unassigned', channel: 'sms', dueAt: at.toISOString(), technicianId: current!.technicianId, version });
  }
  if (reassigned || !current?.technicianId) {
    rows.push({ kind: 'technician_assigned', channel: 'sms', dueAt: at.toISOString(), technicianId: window.technicianId, version });
  }
  await addLedgerRows(tenantId, bookingId, rows);
  await appendTimeline(tenantId, bookingId, args.node, technicianOnly ? 'reassigned' : 'rescheduled', {
    from: current ?? null, to: window, by: args.by, reason: args.reason,
  }, at);
  await syncCrm(tenantId, bookingId, 'rescheduled', args.node, at);
}

export async function cancelBooking(tenantId: string, bookingId: string, reason: string, by: string, at: Date) {
  const booking = await loadChangeable(tenantId, bookingId);
  if (!(await updateBooking(tenantId, bookingId, { status: 'cancelled', statusReason: reason }, { onlyFrom: CHANGEABLE, at }))) {
    throw new ApiError('conflict', 'The booking changed meanwhile; read it again', 'id');
  }
  if (booking.holdId) await releaseHold(tenantId, booking.holdId, { includeBooked: true });
  await cancelPendingRows(tenantId, bookingId, at);
  const version = (booking.scheduleVersion ?? 1) + 1;
  await addLedgerRows(tenantId, bookingId, [
    { kind: 'cancellation', channel: 'sms', dueAt: at.toISOString(), version },
    ...(booking.window?.technicianId
      ? [{ kind: 'technician_unassigned' as const, channel: 'sms' as const, dueAt: at.toISOString(), technicianId: booking.window.technicianId, version }]
      : []),
  ]);
  await appendTimeline(tenantId, bookingId, 'CancelBooking', 'cancelled', { reason, by }, at);
  await syncCrm(tenantId, bookingId, 'cancelled', 'CancelBooking', at);
  return getBookingRecord(tenantId, bookingId);
}
