/**
 * A job moved in the field: an FSM `rescheduled` event whose data names a new window and/or
 * technician. The FSM's word is final for the schedule, so the job goes where it says:
 * - its capacity claims move in ONE transaction built by capacity/store.ts (moveHoldItems, the same
 *   builder reassignment and dispatch plans use) with the booking's compare-and-swap on the hold it
 *   had: all or nothing, never a slot claimed twice. Like an FSM job synced in (capacity/
 *   schedule-sync.ts), a field move may go past our daily limits: it happened, so it is counted.
 * - when the new slot is another job's (or the window or technician is not one we know), nothing
 *   is claimed twice: the job keeps its old claims (capacity never leaks or doubles), takes the
 *   FSM's window, and dispatch gets a `stale_capacity` review item to settle the clash.
 * - its pending messages move with it (booking/changes.ts's announceScheduleChange: the old
 *   schedule's pending rows cancelled, the new schedule's planned, both technicians told); the CRM
 *   write is the status-events worker's (the event's facts, the sync policy's 'status-event' site).
 * Idempotent: the booking records the event that moved it (`fieldMove`) and the window it left, so
 * a redelivered event re-plans the same rows (deterministic keys) and claims nothing again.
 */
import { ulid } from 'ulid';
import { announceScheduleChange, CHANGEABLE, finishChange, moveVersions } from '../booking/changes';
import { appendTimeline, bookingUpdate, getBookingRecord, updateBooking, type BookingRecord } from '../booking/store';
import { firstFreeIndex, isClaimActive, jobFootprint, keptTokens, placeJob, planClaims, type ClaimPlan } from '../capacity/availability';
import { bookedHold, getHold, listClaims, moveHoldItems, sendClaimTransaction } from '../capacity/store';
import { followUpPut } from '../booking/follow-up-store';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { listTechnicians } from '../tenant/store';
import type { JobEventBody } from './schemas';

export const FIELD_MOVE_NODE = 'StatusEventsWorker';
/** Rounds of read-and-move when a concurrent change to the job or a claim cancels the transaction. */
const MOVE_ROUNDS = 3;

type Window = NonNullable<BookingRecord['window']>;
export type FieldMoveOutcome = 'moved' | 'moved_without_claims' | 'unchanged' | 'not_movable';

/** Whether the event asks to move the job at all (a `rescheduled` with a window or a technician). */
export function asksToMove(event: JobEventBody): boolean {
  return event.type === 'rescheduled' && Boolean(event.data.window || event.data.technicianId);
}

/** The company windows the job takes from `start` and the minutes in each (capacity/availability.ts jobFootprint), standard or after-hours. */
function windowRun(tenant: Tenant, jobType: JobType | undefined, start: string) {
  for (const windows of [tenant.arrivalWindows, tenant.afterHoursWindows]) {
    const footprint = jobFootprint(windows, start, jobType ?? { durationWindows: 1 }, tenant.travelBufferMinutes);
    if (!footprint) continue;
    const last = jobType?.durationMinutes === undefined ? footprint[footprint.length - 1]!.start : start;
    return { starts: footprint.map((f) => f.start), end: windows.find((w) => w.start === last)!.end, footprint, windows };
  }
  return undefined;
}

/** The claim plan for the new place, against the day's claims but the job's own; or why it cannot be had. */
async function planFieldMove(args: {
  tenant: Tenant;
  booking: BookingRecord;
  jobType: JobType | undefined;
  technician: Technician;
  oldPlan: ClaimPlan;
  oldHoldId: string;
  target: Window;
  starts: string[];
  run: NonNullable<ReturnType<typeof windowRun>>;
  at: Date;
}): Promise<{ plan: ClaimPlan } | { conflict: string }> {
  const { tenant, booking, oldPlan, target, at } = args;
  const technicianId = target.technicianId!;
  const claims = (await listClaims(tenant.tenantId, target.date, target.date)).filter((c) => isClaimActive(c, at) && c.holdId !== args.oldHoldId);
  const { windows, footprint } = args.run;
  // The same placement rule as a new booking (capacity/availability.ts placeJob): under the route
  // model the technician's day must still route with the job in it.
  const window = windows.find((w) => w.start === target.start)!;
  const placed = placeJob({
    tenant,
    technician: args.technician,
    jobType: args.jobType ?? { durationWindows: 1 },
    postalCode: booking.request.address.postalCode,
    date: target.date,
    window,
    windows,
    afterHours: windows !== tenant.arrivalWindows,
    active: claims,
    now: at,
    footprint,
  });
  if ('refused' in placed) {
    if (placed.refused === 'route')
      return {
        conflict: `${technicianId} cannot reach the job in its ${window.start}-${window.end} window on ${target.date} with the jobs already on their route`,
      };
    const clash = claims.find((c) => (c.kind === 'slot' || c.kind === 'unit') && args.starts.includes(c.start!) && c.technicianId === technicianId);
    return {
      conflict: `${technicianId}'s ${args.starts.join(' and ')} window on ${target.date} is full${clash?.bookingId ? ` (booking ${clash.bookingId})` : ''}`,
    };
  }
  const tokens = (kind: 'techDay' | 'jobTypeDay', match: (c: (typeof claims)[number]) => boolean) =>
    new Set(claims.filter((c) => c.kind === kind && match(c)).map((c) => c.index!));
  // The tokens the job keeps on its own day (capacity/availability.ts keptTokens; moveHoldItems hands
  // each over in one write). A move the field made happened: it may go past our limits (an unbounded
  // next token), as a synced FSM job does.
  const kept = keptTokens(planClaims(oldPlan, args.oldHoldId, booking.bookingId), { date: target.date, technicianId, jobTypeId: oldPlan.jobTypeId });
  const techDayIndex =
    kept.techDayIndex ??
    firstFreeIndex(
      tokens('techDay', (c) => c.technicianId === technicianId),
      Number.MAX_SAFE_INTEGER,
    )!;
  const jobTypeDayIndex =
    oldPlan.jobTypeDayIndex === undefined
      ? undefined
      : (kept.jobTypeDayIndex ??
        firstFreeIndex(
          tokens('jobTypeDay', (c) => c.jobTypeId === oldPlan.jobTypeId),
          Number.MAX_SAFE_INTEGER,
        )!);
  return {
    plan: {
      date: target.date,
      start: target.start,
      end: target.end,
      technicianId,
      ...placed.placement,
      techDayIndex,
      jobTypeId: booking.jobTypeId,
      ...(jobTypeDayIndex !== undefined ? { jobTypeDayIndex } : {}),
    },
  };
}

/** Dispatch settles a field move our capacity could not take (once per event). */
async function reviewClash(tenantId: string, bookingId: string, event: JobEventBody, target: Window, why: string, at: Date): Promise<void> {
  const subject = { type: 'booking', id: bookingId };
  if ((await findOpenReviewItems(tenantId, subject, 'stale_capacity')).some((item) => item.payload?.eventId === event.eventId)) return;
  await openReviewItem(
    tenantId,
    {
      kind: 'stale_capacity',
      reason: `The FSM moved job ${bookingId} to ${target.date} ${target.start}-${target.end}${target.technicianId ? ` (${target.technicianId})` : ''}, but ${why}: the job keeps its old capacity claims until dispatch settles it`,
      subject,
      payload: { node: FIELD_MOVE_NODE, eventId: event.eventId, to: target, why },
    },
    at,
  );
}

/**
 * Moves the job where the field says (see the file comment). `booking` is the booking after the
 * event's state was committed.
 */
export async function moveJobFromField(args: {
  tenant: Tenant;
  booking: BookingRecord;
  jobType: JobType | undefined;
  event: JobEventBody;
  at: Date;
}): Promise<FieldMoveOutcome> {
  const { tenant, jobType, event, at } = args;
  const { tenantId, bookingId } = args.booking;
  let booking = args.booking;
  for (let round = 0; round < MOVE_ROUNDS; round++) {
    // Redelivered after the move: the messages are planned again from the window it left (same rows).
    if (booking.fieldMove?.eventId === event.eventId) {
      await announce(tenant, { ...booking, window: booking.fieldMove.from }, booking.window!, booking.scheduleVersion ?? 2, event, at);
      return booking.fieldMove.claimed ? 'moved' : 'moved_without_claims';
    }
    const current = booking.window;
    if (!CHANGEABLE.includes(booking.status) || !current) {
      await appendTimeline(tenantId, bookingId, FIELD_MOVE_NODE, 'field_move_ignored', { eventId: event.eventId, reason: `a ${booking.status} booking` }, at);
      return 'not_movable';
    }
    const start = event.data.window?.start ?? current.start;
    const run = windowRun(tenant, jobType, start);
    const target: Window = {
      date: event.data.window?.date ?? current.date,
      start,
      end: event.data.window?.end ?? run?.end ?? (start === current.start ? current.end : start),
      ...((event.data.technicianId ?? current.technicianId) ? { technicianId: event.data.technicianId ?? current.technicianId } : {}),
    };
    if (target.date === current.date && target.start === current.start && target.technicianId === current.technicianId) return 'unchanged';
    const versions = moveVersions(booking, target);
    const version = versions.scheduleVersion;

    const oldHold = booking.holdId ? await getHold(tenantId, booking.holdId) : undefined;
    const technicians = await listTechnicians(tenantId);
    let why: string | undefined;
    if (!run) why = `${start} is not one of the company's windows`;
    else if (!target.technicianId || !technicians.some((t) => t.technicianId === target.technicianId))
      why = `technician ${target.technicianId ?? '(none)'} is unknown here`;
    else if (oldHold?.status !== 'BOOKED' || oldHold.bookingId !== bookingId) why = 'the job holds no committed slot to move';
    let planned: Awaited<ReturnType<typeof planFieldMove>> | undefined;
    if (!why) {
      planned = await planFieldMove({
        tenant,
        booking,
        jobType,
        technician: technicians.find((t) => t.technicianId === target.technicianId)!,
        oldPlan: oldHold!.plan,
        oldHoldId: oldHold!.holdId,
        target,
        starts: run!.starts,
        run: run!,
        at,
      });
      if ('conflict' in planned) why = planned.conflict;
    }

    if (planned && 'plan' in planned) {
      const newHold = bookedHold({ tenantId, bookingId, plan: planned.plan, emergency: oldHold!.emergency, at, holdId: `hold-${bookingId}-${ulid()}` });
      const fieldMove = { eventId: event.eventId, from: current, claimed: true };
      // The offer of the window it leaves is owed from the same transaction (booking/follow-up-store.ts).
      const owed = followUpPut({ tenantId, bookingId, change: 'moved_in_field', at: at.toISOString(), by: 'field', from: current, to: target, version });
      const moved = await sendClaimTransaction([
        ...moveHoldItems(tenantId, [{ oldHold: oldHold!, newHold }], at),
        {
          Update: bookingUpdate(
            tenantId,
            bookingId,
            { window: target, holdId: newHold.holdId, ...versions, fieldMove },
            { onlyFrom: CHANGEABLE, at, ifHoldId: oldHold!.holdId },
          ),
        },
        owed.item,
      ]);
      if (moved) {
        await announce(tenant, booking, target, version, event, at);
        // The window it left is free again: the earliest waitlisted caller of the trade is offered it (leads/waitlist.ts).
        await finishChange(owed.followUp, booking, tenant);
        return 'moved';
      }
    } else {
      // Nothing is claimed twice: the job keeps its claims, takes the FSM's window, and dispatch settles it.
      const fieldMove = { eventId: event.eventId, from: current, claimed: false };
      const written = await updateBooking(
        tenantId,
        bookingId,
        { window: target, ...versions, fieldMove },
        { onlyFrom: CHANGEABLE, at, ifHoldId: booking.holdId ?? null },
      );
      if (written) {
        await reviewClash(tenantId, bookingId, event, target, why!, at);
        await announce(tenant, booking, target, version, event, at);
        return 'moved_without_claims';
      }
    }
    // The job or a claim changed meanwhile: decide again on fresh state.
    booking = (await getBookingRecord(tenantId, bookingId)) ?? booking;
  }
  throw new Error(`Job ${bookingId} kept changing while event ${event.eventId} moved it; retrying later`);
}

async function announce(tenant: Tenant, before: BookingRecord, window: Window, version: number, event: JobEventBody, at: Date): Promise<void> {
  await announceScheduleChange({
    tenant,
    booking: before,
    window,
    version,
    by: 'fsm',
    reason: event.data.reason,
    node: FIELD_MOVE_NODE,
    at,
    syncCrm: false,
  });
}
