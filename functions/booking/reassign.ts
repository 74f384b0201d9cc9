/**
 * Reassigning booked jobs to other technicians, several at once and atomically: a swap (two jobs
 * exchange technicians), a chain (A's job to B, B's job to C) or a day plan's changes. One job at a
 * time cannot do a swap: each step would need a slot the other still holds. So every claim item the
 * jobs own or will own changes owner in ONE TransactWriteItems, built by capacity/store.ts (the one
 * owner of claim items and holds: moveHoldItems), with each booking's compare-and-swap on the hold
 * it had (booking/store.ts's bookingUpdate). Any concurrent change cancels the whole transaction:
 * all move or none. Windows never change here (the customer was promised them); the messages,
 * timeline and CRM update that follow are rescheduleBooking's (announceScheduleChange). A set of
 * moves larger than one transaction goes through dispatch/apply-plan.ts's staged sequence.
 */
import { ulid } from 'ulid';
import {
  coversPostalCode,
  firstFreeIndex,
  isClaimActive,
  isOff,
  isOnCall,
  isOnShift,
  isQualified,
  keptTokens,
  placeJob,
  planClaims,
  planFootprint,
  routeDayOf,
  routeStopsOf,
  usableDailyJobs,
  windowsOf,
  type CapacityClaim,
  type ClaimPlan,
} from '../capacity/availability';
import { routeFits } from '../capacity/route';
import {
  bookedHold,
  getHold,
  listClaims,
  MAX_TRANSACTION_ITEMS,
  moveHoldItems,
  sendClaimTransaction,
  type HoldMove,
  type HoldRecord,
  type TransactItem,
} from '../capacity/store';
import { enqueueCrmSyncs } from '../crm/outbox-store';
import { forEachLimited } from '../shared/concurrency';
import { ApiError } from '../shared/errors';
import { getTenant, listJobTypes, listTechnicians } from '../tenant/store';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { announceScheduleChange, CHANGEABLE, moveVersions } from './changes';
import { isEmergencyMove, isMemberMove } from './moves';
import { bookingUpdate, getBookingRecord, getBookingRecords, type BookingRecord } from './store';

export interface Reassignment {
  bookingId: string;
  technicianId: string;
}

export interface Move extends HoldMove {
  booking: BookingRecord;
  oldHold: HoldRecord;
}

function conflict(message: string, field = 'technicianId'): never {
  throw new ApiError('conflict', message, field);
}

/** Can `tech` take this job in its (unchanged) windows? The reason when not. */
export function whyNot(tenant: Tenant, tech: Technician, jobType: JobType, booking: BookingRecord, plan: ClaimPlan): string | undefined {
  if (!tech.active) return `${tech.technicianId} is not active`;
  if (isOff(tech, plan.date)) return `${tech.technicianId} is off on ${plan.date}`;
  if (!isQualified(tech, jobType)) return `${tech.technicianId} is not qualified for ${jobType.jobTypeId}`;
  if (!coversPostalCode(tech, booking.request.address.postalCode)) return `${tech.technicianId} does not cover ${booking.request.address.postalCode}`;
  for (const start of plan.windowStarts) {
    const standard = tenant.arrivalWindows.find((w) => w.start === start);
    const working = standard ? isOnShift(tech, plan.date, standard, tenant.timeZone) : isOnCall(tenant, tech.technicianId, plan.date);
    if (!working) return `${tech.technicianId} does not work the ${start} window on ${plan.date}`;
  }
  return undefined;
}

/** A job of a reassignment as read: its booking, the committed hold it has, its job type and the technician it goes to. */
export interface JobToMove {
  booking: BookingRecord;
  oldHold: HoldRecord;
  jobType: JobType;
  to: Technician;
}

/** The committed hold a booked job moves from: its booking's, booked for it; none when it holds no committed slot. */
export async function committedHold(tenantId: string, booking: Pick<BookingRecord, 'bookingId' | 'holdId' | 'window'>): Promise<HoldRecord | undefined> {
  const hold = booking.window && booking.holdId ? await getHold(tenantId, booking.holdId) : undefined;
  return hold?.status === 'BOOKED' && hold.bookingId === booking.bookingId ? hold : undefined;
}

/** Plans the new holds: validates every move against the day's claims as the other moves leave them. */
export async function planMoves(tenantId: string, reassignments: Reassignment[], at: Date): Promise<{ tenant: Tenant; moves: Move[] }> {
  if (reassignments.length === 0) throw new ApiError('invalid_request', 'Nothing to reassign', 'assignments');
  if (new Set(reassignments.map((r) => r.bookingId)).size !== reassignments.length) {
    throw new ApiError('invalid_request', 'A job appears twice', 'assignments');
  }
  const [tenant, technicians, jobTypes] = await Promise.all([getTenant(tenantId), listTechnicians(tenantId), listJobTypes(tenantId)]);
  if (!tenant) throw new ApiError('not_found', 'tenant not found');
  const techs = new Map(technicians.map((t) => [t.technicianId, t]));
  const types = new Map(jobTypes.map((j) => [j.jobTypeId, j]));

  const jobs = await Promise.all(
    reassignments.map(async (r): Promise<JobToMove> => {
      const booking = await getBookingRecord(tenantId, r.bookingId);
      if (!booking) throw new ApiError('not_found', `No booking ${r.bookingId}`, 'bookingId');
      if (!CHANGEABLE.includes(booking.status)) conflict(`A ${booking.status} booking cannot be changed`, 'bookingId');
      const oldHold = await committedHold(tenantId, booking);
      if (!oldHold) conflict(`Booking ${r.bookingId} holds no committed slot to move`, 'bookingId');
      const to = techs.get(r.technicianId);
      if (!to) throw new ApiError('invalid_request', `No technician ${r.technicianId}`, 'technicianId');
      if (oldHold.plan.technicianId === r.technicianId)
        throw new ApiError('invalid_request', `Booking ${r.bookingId} already has ${r.technicianId}`, 'technicianId');
      const jobType = types.get(booking.jobTypeId);
      if (!jobType) throw new ApiError('service_unavailable', `Job type ${booking.jobTypeId} is missing`);
      return { booking, oldHold, jobType, to };
    }),
  );
  // The first job's day: placeMoves refuses jobs on several dates (once it said which job cannot go where).
  const date = jobs[0]!.oldHold.plan.date;
  const placed = await placeMoves({ tenant, jobs, claims: await listClaims(tenantId, date, date), at });
  if ('refused' in placed) conflict(placed.refused);
  return { tenant, moves: placed.moves };
}

/** The one date of a reassignment's jobs (a reassignment never spans days). */
function theirDate(jobs: JobToMove[]): string {
  const dates = new Set(jobs.map((m) => m.oldHold.plan.date));
  if (dates.size !== 1) throw new ApiError('invalid_request', 'Jobs reassigned together must be on one date', 'assignments');
  return [...dates][0]!;
}

/**
 * THE rule of a reassignment, on the day's claims as read (`claims`: the date's, from listClaims):
 * may every job go to its technician in its (unchanged) windows, all at once? Each technician must
 * be able to take the job (whyNot), the job's minutes must fit (placeJob, the route under the route
 * model) and a daily place must be free (the reserves kept: a member's job may take the member
 * reserve) on the day as the whole change leaves it. The moves when they may (planMoves stores
 * them), else the dispatcher's sentence why not. Dispatch's swap suggestions ask it before they
 * propose a swap (dispatch/suggestions.ts), so a swap offered is a swap its accept takes.
 */
export async function placeMoves(args: {
  tenant: Tenant;
  jobs: JobToMove[];
  claims: CapacityClaim[];
  at: Date;
}): Promise<{ moves: Move[] } | { refused: string }> {
  const { tenant, jobs, at } = args;
  for (const { booking, oldHold, jobType, to } of jobs) {
    const reason = whyNot(tenant, to, jobType, booking, oldHold.plan);
    if (reason) return { refused: reason };
  }
  const date = theirDate(jobs);
  const tenantId = tenant.tenantId;

  // The day's claims as they will stand once the moving jobs have let go of theirs; each job placed
  // joins it (planClaims), so every later job, and the route check of every technician a job lands
  // on, sees the day as the whole change leaves it (jobs moving in together, jobs moving out).
  const leaving = new Set(jobs.map((m) => m.oldHold.holdId));
  const day = args.claims.filter((c) => c.date === date && isClaimActive(c, at) && !leaving.has(c.holdId ?? ''));
  const moves: Move[] = [];
  for (const { booking, oldHold, jobType, to } of jobs) {
    const old = oldHold.plan;
    // The job's arrival window; an accepted emergency's plan starts at its acceptance time, not at a
    // window: it keeps the minutes it holds (in whichever windows they are).
    const windows = windowsOf(tenant, old.start);
    const window = windows.find((w) => w.start === old.start);
    const placed = placeJob({
      tenant,
      technician: to,
      jobType,
      postalCode: booking.request.address.postalCode,
      date,
      window: window ?? { start: old.start, end: old.end },
      windows: window ? windows : [...tenant.arrivalWindows, ...tenant.afterHoursWindows],
      afterHours: !window || windows !== tenant.arrivalWindows,
      active: day,
      now: at,
      // Buffer model: the same minutes the job holds now (capacity/availability.ts jobFootprint), in the new technician's windows.
      footprint: planFootprint(old, window ? windows : [...tenant.arrivalWindows, ...tenant.afterHoursWindows]),
    });
    if ('refused' in placed) {
      return {
        refused:
          placed.refused === 'route'
            ? `${to.technicianId} cannot reach job ${booking.bookingId} in its ${old.start}-${old.end} window on ${date} with the jobs already on their route`
            : `${to.technicianId} has no room left in the ${old.windowStarts.join(' and ')} window on ${date}`,
      };
    }
    const emergency = isEmergencyMove(booking, jobType);
    // The daily tokens the job keeps on its day (capacity/availability.ts keptTokens: its job-type
    // token; its technician's never, the technician changes); moveHoldItems hands each over in one write.
    const kept = keptTokens(planClaims(old, oldHold.holdId, booking.bookingId), { date, technicianId: to.technicianId, jobTypeId: old.jobTypeId });
    const used = new Set(day.filter((c) => c.kind === 'techDay' && c.technicianId === to.technicianId).map((c) => c.index!));
    // A member's job may take the member reserve (booking/moves.ts isMemberMove): asked only when the rest is full.
    const index =
      kept.techDayIndex ??
      firstFreeIndex(used, usableDailyJobs(tenant, to, emergency)) ??
      (tenant.memberReserve && (await isMemberMove(booking)) ? firstFreeIndex(used, usableDailyJobs(tenant, to, emergency, true)) : undefined);
    if (index === undefined) return { refused: `${to.technicianId} is at their daily limit on ${date}` };
    // The old plan's own capacity part (units, counters, a route claim) gives way to the new placement's.
    const { units: _units, counters: _counters, route: _route, windowStarts: _starts, keeps: _keeps, jobTypeDayIndex: _type, ...rest } = old;
    const plan: ClaimPlan = {
      ...rest,
      ...placed.placement,
      technicianId: to.technicianId,
      techDayIndex: index,
      ...(kept.jobTypeDayIndex !== undefined ? { jobTypeDayIndex: kept.jobTypeDayIndex } : {}),
    };
    const newHold = bookedHold({
      tenantId,
      holdId: `hold-${booking.bookingId}-${ulid()}`,
      bookingId: booking.bookingId,
      plan,
      emergency: oldHold.emergency,
      at,
    });
    day.push(...planClaims(plan, newHold.holdId, booking.bookingId));
    moves.push({ booking, oldHold, newHold });
  }
  return { moves };
}

/**
 * A staged apply (dispatch/apply-plan.ts), once every item is parked: does each technician a route
 * claim lands on still have a day some order of which reaches every job in its window? Its parks
 * carry no version conditions (each raises its counter's version, so they could not all hold the
 * versions read), so a booking that came in before a park is caught here instead: the day is read
 * again as the change leaves it (the moving jobs' old claims and the apply's surplus left out, its
 * parked claims in). A booking after a park sees the parked stops in its own route check, and one
 * that read before a park of its technician's day loses its version condition. The refusal
 * (a dispatcher's sentence) when some day does not route; the caller rolls the park back.
 */
export async function parkedRouteRefusal(
  tenantId: string,
  moves: Array<Pick<HoldMove, 'oldHold' | 'newHold'>>,
  parkedBy: string,
  at: Date,
): Promise<string | undefined> {
  const routedMoves = moves.filter((m) => m.newHold.plan.route);
  if (!routedMoves.length) return undefined;
  const date = routedMoves[0]!.newHold.plan.date;
  const [tenant, technicians] = await Promise.all([getTenant(tenantId), listTechnicians(tenantId)]);
  if (!tenant) return undefined;
  const gone = new Set([parkedBy, ...moves.map((m) => m.oldHold.holdId)]);
  const day = (await listClaims(tenantId, date, date)).filter((c) => isClaimActive(c, at) && !gone.has(c.holdId ?? ''));
  const windows = [...tenant.arrivalWindows, ...tenant.afterHoursWindows];
  for (const technicianId of new Set(routedMoves.map((m) => m.newHold.plan.technicianId))) {
    const technician = technicians.find((t) => t.technicianId === technicianId);
    const routeDay = technician && routeDayOf(technician, date);
    if (technician && routeDay && routeFits(routeDay, routeStopsOf(day, date, technician, windows, at))) continue;
    return `${technicianId} cannot reach every job of their day on ${date} in its window with the jobs now on their route (a booking came in meanwhile); nothing was changed: read the day again`;
  }
  return undefined;
}

/** The booking's own compare-and-swap: it moves to the new hold only if it still has the old one. */
export function bookingMoveItem(tenantId: string, move: Pick<Move, 'booking' | 'oldHold' | 'newHold'>, at: Date): TransactItem {
  const window = { ...move.booking.window!, technicianId: move.newHold.plan.technicianId };
  return {
    Update: bookingUpdate(
      tenantId,
      move.booking.bookingId,
      { window, holdId: move.newHold.holdId, ...moveVersions(move.booking, window) },
      { onlyFrom: CHANGEABLE, at, ifHoldId: move.oldHold.holdId },
    ),
  };
}

/** The single transaction that moves every job's claims, holds and booking, or nothing. */
export function reassignmentItems(tenantId: string, moves: Move[], at: Date): TransactItem[] {
  return [...moveHoldItems(tenantId, moves, at), ...moves.map((m) => bookingMoveItem(tenantId, m, at))];
}

/** Jobs announced at once: each is a few DynamoDB calls (ledger, timeline), none waits for the CRM. */
const ANNOUNCE_CONCURRENCY = 8;

/**
 * Each moved job's customer and both technicians are told and the timeline updated, a few jobs at a
 * time; each job's CRM update goes through the crm-sync outbox (one message per job, its worker's
 * retries and review path; the built-in CRM, this table, is written inline), so an apply answers without waiting for the CRM, however many jobs and
 * however slow it is. Safe to run again (a recovered apply): ledger rows are per schedule version,
 * and a write the CRM already has is not written twice (crm/run-sync.ts).
 */
export async function announceMoves(tenant: Tenant, moves: Array<Pick<Move, 'booking' | 'newHold'>>, by: string, reason: string, at: Date): Promise<void> {
  // The built-in CRM is this table: written with each announcement (a few milliseconds), no queue.
  const crmQueued = tenant.crm.adapter !== 'builtin';
  if (crmQueued) {
    await enqueueCrmSyncs(
      moves.map(({ booking }) => ({ tenantId: tenant.tenantId, bookingId: booking.bookingId, state: 'rescheduled' as const })),
      0,
    );
  }
  await forEachLimited(moves, ANNOUNCE_CONCURRENCY, ({ booking, newHold }) => {
    const window = { ...booking.window!, technicianId: newHold.plan.technicianId };
    return announceScheduleChange({
      tenant,
      booking,
      window,
      version: (booking.scheduleVersion ?? 1) + 1,
      by,
      reason,
      node: 'ReassignTechnicians',
      at,
      crmQueued,
    });
  });
}

/**
 * Moves each job to its new technician, all or none, in one transaction; then each job's customer
 * and both technicians are told. Throws ApiError (400/404/409) saying which job and why.
 */
export async function reassignTechnicians(tenantId: string, reassignments: Reassignment[], by: string, reason: string, at: Date): Promise<BookingRecord[]> {
  const { tenant, moves } = await planMoves(tenantId, reassignments, at);
  const items = reassignmentItems(tenantId, moves, at);
  if (items.length > MAX_TRANSACTION_ITEMS)
    throw new ApiError('invalid_request', 'Too many jobs to move in one transaction: apply them as a day plan', 'assignments');
  if (!(await sendClaimTransaction(items))) conflict('A job or technician changed meanwhile; read the day again', 'assignments');
  await announceMoves(tenant, moves, by, reason, at);
  return (await getBookingRecords(
    tenantId,
    moves.map(({ booking }) => booking.bookingId),
  )) as BookingRecord[];
}
