/**
 * Pure slot maths: which (date, window, technician) can take a job, and which capacity claims a
 * booking must win to take it. No I/O, so property tests can hammer it.
 *
 * Capacity is a set of claimable items, each won by a conditional write:
 * - a minute unit k (1..window minutes / UNIT_MINUTES) of one technician in one arrival window on
 *   one local date; a job claims the units it needs (jobFootprint: its duration plus a travel
 *   buffer, rounded up to the unit; a job type without a duration fills its windows), lowest free
 *   first, so a technician-window holds as many jobs as fit. (Before minute units a job claimed one
 *   `slot` item per window: such items are still read, as every unit of their window.)
 *   Under the `route` travel model (tenant `travelModel`) a job with a duration claims its minutes on
 *   its arrival window's counter with no fixed buffer and no window limit, and is offered only when
 *   capacity/route.ts finds an order of the technician's day that starts each job inside its window
 *   with the real drive between consecutive jobs (routeStopsOf, routeDayOf; after-hours windows and
 *   jobs with no duration keep the buffer model).
 * - a technician-day token k (1..daily job limit): a technician's k-th job that day;
 * - a job-type-day token k (1..daily cap): the company's k-th job of that type that day.
 * Standard bookings may only take technician-day tokens up to limit - emergency reserve; the rest
 * are kept for emergencies. Holds and bookings claim the same items, so an expired hold frees all.
 */
import { addDays, isoWeekday, offsetChangesOn, zonedClock, zonedDate, zonedInstant } from '../shared/zoned-time';
import type { ArrivalWindow, JobType, Technician, Tenant, Weekday } from '../tenant/model';
import { basePostalCode } from '../dispatch/geo';
import { clockMinutes as minutesOf, type RouteStop, routeFits } from './route';
import { TRAVEL_BUFFER_MINUTES } from './travel-buffer';

/**
 * `stop` and `version` are read from counters, never claimed themselves: a claim on a counter made
 * under the `route` travel model (its job's place and minutes, for the route check) and a counter's
 * version (every claim added to it raises it; a route claim is conditional on the versions it read).
 */
export type ClaimKind = 'slot' | 'unit' | 'techDay' | 'jobTypeDay' | 'stop' | 'version';

export interface CapacityClaim {
  kind: ClaimKind;
  date: string;
  /** Slots and units: window start. */
  start?: string;
  /** Slots, units and technician-day tokens. */
  technicianId?: string;
  /** Job-type-day tokens. */
  jobTypeId?: string;
  /** Units and tokens: 1-based index. */
  index?: number;
  status: 'HELD' | 'BOOKED';
  holdId?: string;
  bookingId?: string;
  /** Epoch seconds; only holds expire. */
  expiresAt?: number;
  /** Read from a technician-window's minute counter (its minutes as units); absent on unit and slot items written before counters. */
  counter?: boolean;
  /** A unit of a route claim (its job is also a `stop`: not counted again as time blocked in the window). */
  routed?: boolean;
  /** A `stop`: where its job is and its minutes on site. */
  postalCode?: string;
  durationMinutes?: number;
}

/** What a booking must win, all in one transaction, to take a window with one technician. */
export interface ClaimPlan {
  date: string;
  start: string;
  end: string;
  technicianId: string;
  /** Starts of every window the job occupies (from its arrival window on). */
  windowStarts: string[];
  /**
   * The minute units claimed, per window start (1-based indices). Absent only on holds made before
   * minute units, which claimed one slot item per window of `windowStarts`.
   */
  units?: Record<string, number[]>;
  /**
   * Per window start: the minutes the job claims on the technician-window's counter and the window's
   * capacity for counter claims (its minutes less those still held by unit or slot items written
   * before counters, which only ever decrease). Present: the plan claims counters (one item per
   * technician-window, `withCounters`); absent on plans from before counters (unit items).
   */
  counters?: Record<string, { minutes: number; cap: number }>;
  techDayIndex: number;
  jobTypeId: string;
  jobTypeDayIndex?: number;
  /**
   * A claim under the `route` travel model: its job's place and minutes (kept on the counter entry)
   * and the version of each of the technician's counters that day (by window start; 0: none yet)
   * when the route was checked. The claim is conditional on every one of them: no claim added to the
   * technician's day in between, so the route checked is the route stored.
   */
  route?: { postalCode: string; durationMinutes: number; versions: Record<string, number> };
  /**
   * A move's plan (a reschedule's hold): the daily tokens it keeps from the job's current hold
   * `from` (keptTokens). Not claimed while the plan is held (that hold still owns them); the
   * transaction that commits the move hands each to the new hold in one conditional write
   * (capacity/store.ts handOverItem), so the day's count never changes.
   */
  keeps?: { from: string; techDay?: true; jobTypeDay?: true };
}

export interface OpenWindow {
  date: string;
  start: string;
  end: string;
  afterHours: boolean;
  /** Technicians who can take it, least busy that day first, each with the claims it would need. */
  candidates: ClaimPlan[];
}

export type NoWindowReason = 'out_of_area' | 'no_qualified_technician' | 'fully_booked';

export type CapacityTenant = Pick<
  Tenant,
  'timeZone' | 'arrivalWindows' | 'afterHoursWindows' | 'onCallRotation' | 'defaultDailyJobLimit' | 'emergencyReserve'
> &
  Partial<Pick<Tenant, 'memberReserve' | 'travelBufferMinutes' | 'travelModel'>>;

export interface AvailabilityInput {
  tenant: CapacityTenant;
  technicians: Technician[];
  jobType: JobType;
  postalCode: string;
  /** Local dates (YYYY-MM-DD) to consider, in order. */
  dates: string[];
  claims: CapacityClaim[];
  /** Windows starting before this instant are not offered (standard bookings). */
  notBefore: Date;
  now: Date;
  /** Emergency: may use reserved capacity, windows already under way today, and on-call after-hours windows. */
  emergency?: boolean;
  /** Emergency: a window under way needs at least this many minutes left to arrive in it (tenant.emergency.minArrivalMinutes). */
  minArrivalMinutes?: number;
  /** A member's booking (an active membership): may take the tenant's member reserve. */
  member?: boolean;
  /** Holds the change gives back when it commits (a reschedule's current hold): see placeJob. */
  leaving?: ReadonlySet<string>;
}

const isoWeekdays: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

export function normalizePostalCode(postalCode: string): string {
  return postalCode.trim().toUpperCase().replace(/\s+/g, '');
}

/** A hold frees itself when it expires, whether or not TTL has deleted it yet. */
export function isClaimActive(claim: Pick<CapacityClaim, 'status' | 'expiresAt'>, now: Date): boolean {
  if (claim.status === 'BOOKED') return true;
  return (claim.expiresAt ?? 0) > Math.floor(now.getTime() / 1000);
}

export function coversPostalCode(technician: Technician, postalCode: string): boolean {
  const wanted = normalizePostalCode(postalCode);
  return technician.postalCodes.some((code) => normalizePostalCode(code) === wanted);
}

export function isQualified(technician: Technician, jobType: JobType): boolean {
  return technician.active && technician.trades.includes(jobType.trade) && jobType.requiredSkills.every((skill) => technician.skills.includes(skill));
}

export function isOnShift(technician: Technician, date: string, window: ArrivalWindow, _timeZone: string): boolean {
  // A calendar date's weekday is the same in every zone.
  const weekday = isoWeekdays[isoWeekday(date)];
  const shift = weekday ? technician.shifts[weekday] : undefined;
  // HH:mm strings compare correctly as text.
  return Boolean(shift && shift.start <= window.start && window.end <= shift.end);
}

export function isOff(technician: Technician, date: string): boolean {
  return technician.timeOff.some((off) => off.from <= date && date <= off.to);
}

export function isOnCall(tenant: Pick<CapacityTenant, 'onCallRotation'>, technicianId: string, date: string): boolean {
  return tenant.onCallRotation.some((r) => r.technicianId === technicianId && r.from <= date && date <= r.to);
}

export function dailyLimit(tenant: CapacityTenant, technician: Technician): number {
  return technician.dailyJobLimit ?? tenant.defaultDailyJobLimit;
}

/**
 * How many of the technician's daily jobs a booking may take: standard ones leave the emergency
 * reserve free, and non-members also the member reserve. Tokens are claimed lowest first with
 * conditional writes, so capping the index a booking may claim is what guarantees the reserve.
 */
export function usableDailyJobs(tenant: CapacityTenant, technician: Technician, emergency: boolean, member = false): number {
  const limit = dailyLimit(tenant, technician);
  if (emergency) return limit;
  return Math.max(0, limit - tenant.emergencyReserve - (member ? 0 : (tenant.memberReserve ?? 0)));
}

/**
 * Does the window `start`-`end` exist on `date` in the zone? Not on a spring-forward day when its
 * start is skipped (02:00-03:00 in the US: booked "confirmed" with start = end in UTC before, issue
 * 15); it must also start before it ends. On a fall-back day the repeated hour is one window,
 * offered once, from its first occurrence. Called only for days whose UTC offset changes.
 */
export function windowExists(date: string, start: string, end: string, timeZone: string): boolean {
  const from = zonedInstant(date, timeZone, start);
  const to = zonedInstant(date, timeZone, end);
  return zonedClock(from, timeZone) === start && from < to;
}

export function windowStartInstant(date: string, start: string, timeZone: string): Date {
  return zonedInstant(date, timeZone, start);
}

/** Local dates from `from` for `days` days, in the tenant's zone. */
export function localDates(from: Date, days: number, timeZone: string): string[] {
  const first = zonedDate(from, timeZone);
  return Array.from({ length: days }, (_, index) => addDays(first, index));
}

export function localDate(at: Date, timeZone: string): string {
  return zonedDate(at, timeZone);
}

/** Dates from `from` to `to` inclusive (both YYYY-MM-DD). */
export function dateRange(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/** The lowest counter index 1..max not in `used` (a daily-limit or daily-cap token), if any. */
export function firstFreeIndex(used: Set<number>, max: number): number | undefined {
  for (let k = 1; k <= max; k++) if (!used.has(k)) return k;
  return undefined;
}

/**
 * THE rule for the daily tokens a booked job keeps when it moves (a reschedule, a caller's hold for
 * a move, a reassignment or day plan, a move from the field): on the same date with the same
 * technician, its technician-day token (it is already one of that technician's jobs that day); on
 * the same date, its job-type-day token (already one of the day's jobs of its type). So a job at a
 * daily limit can still move within its own day, and the limit still holds for every other job.
 * `own`: the moving job's active claims (from storage, or planClaims of its current plan).
 */
export function keptTokens(
  own: CapacityClaim[],
  to: { date: string; technicianId?: string; jobTypeId: string },
): { techDayIndex?: number; jobTypeDayIndex?: number; from?: string } {
  const techDay = to.technicianId
    ? own.find((c) => c.kind === 'techDay' && c.date === to.date && c.technicianId === to.technicianId && c.index !== undefined)
    : undefined;
  const jobTypeDay = own.find((c) => c.kind === 'jobTypeDay' && c.date === to.date && c.jobTypeId === to.jobTypeId && c.index !== undefined);
  return {
    ...(techDay ? { techDayIndex: techDay.index } : {}),
    ...(jobTypeDay ? { jobTypeDayIndex: jobTypeDay.index } : {}),
    ...((techDay ?? jobTypeDay)?.holdId ? { from: (techDay ?? jobTypeDay)!.holdId } : {}),
  };
}

/** Capacity is counted in units of this many minutes of a technician's window. */
export const UNIT_MINUTES = 15;
export { TRAVEL_BUFFER_MINUTES };

const clockMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** How many units a window has (its minutes over UNIT_MINUTES, rounded down). */
export function windowUnits(window: Pick<ArrivalWindow, 'start' | 'end'>): number {
  return Math.max(0, Math.floor((clockMinutes(window.end) - clockMinutes(window.start)) / UNIT_MINUTES));
}

/** The units a job of this type needs: its duration plus the travel buffer, rounded up; undefined when it fills whole windows. */
export function unitsNeeded(jobType: Pick<JobType, 'durationMinutes'>, travelBufferMinutes = TRAVEL_BUFFER_MINUTES): number | undefined {
  if (jobType.durationMinutes === undefined) return undefined;
  return Math.ceil((jobType.durationMinutes + travelBufferMinutes) / UNIT_MINUTES);
}

/** How many units a job takes in each window, from its arrival window on. */
export type Footprint = Array<{ start: string; units: number }>;

/**
 * THE rule for what a job claims (availability, holds, commit, reschedule, reassign, the board and
 * the planner all come here), for a job arriving in the window starting `start` of `windows` (one
 * day's ordered windows). The customer's promise is the arrival window; the minutes are:
 * - no duration: every unit of `durationWindows` consecutive windows (a job fills its windows);
 * - a job that fits its arrival window: that many units of it;
 * - a longer job: every unit of its arrival window (it is the window's only job, so it can run on
 *   past the window's end) and then units of the next consecutive windows until it is done.
 * A window's jobs, with what a longer job before it runs on, then always fit its minutes in order,
 * each arriving inside its window. Undefined when the windows needed do not exist.
 * `travelBufferMinutes`: the tenant's (every caller passes it; absent: TRAVEL_BUFFER_MINUTES).
 */
export function jobFootprint(
  windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>,
  start: string,
  jobType: Pick<JobType, 'durationMinutes' | 'durationWindows'>,
  travelBufferMinutes?: number,
): Footprint | undefined {
  const i = windows.findIndex((w) => w.start === start);
  if (i < 0) return undefined;
  const needed = unitsNeeded(jobType, travelBufferMinutes);
  const out: Footprint = [];
  let rest = needed ?? Number.POSITIVE_INFINITY;
  for (let k = i; k < windows.length; k++) {
    const w = windows[k]!;
    if (k > i && windows[k - 1]!.end !== w.start) return undefined;
    const capacity = windowUnits(w);
    if (needed === undefined) {
      out.push({ start: w.start, units: capacity });
      if (out.length === jobType.durationWindows) return out;
      continue;
    }
    const take = Math.min(rest, capacity);
    out.push({ start: w.start, units: take });
    rest -= take;
    if (rest <= 0) return out;
  }
  return undefined;
}

/** The list of the tenant's windows (standard, else after-hours) that has a window starting at `start`. */
export function windowsOf(tenant: Pick<CapacityTenant, 'arrivalWindows' | 'afterHoursWindows'>, start: string): ArrivalWindow[] {
  return tenant.arrivalWindows.some((w) => w.start === start) ? tenant.arrivalWindows : tenant.afterHoursWindows;
}

/** A held plan's footprint (units per window; a plan from before minute units fills its windows). */
export function planFootprint(plan: Pick<ClaimPlan, 'windowStarts' | 'units'>, windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>): Footprint {
  if (plan.units) return plan.windowStarts.map((start) => ({ start, units: plan.units![start]?.length ?? 0 }));
  return plan.windowStarts.map((start) => ({ start, units: windowUnits(windows.find((w) => w.start === start) ?? { start, end: start }) }));
}

/**
 * The units in use per `date|start|technicianId`, from active claims: a unit claim its index, a
 * slot claim (from before minute units) every unit of its window.
 */
export function usedUnits(claims: CapacityClaim[], windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>, now: Date): Map<string, Set<number>> {
  const used = new Map<string, Set<number>>();
  const setOf = (c: CapacityClaim) => {
    const key = `${c.date}|${c.start}|${c.technicianId}`;
    let set = used.get(key);
    if (!set) {
      set = new Set<number>();
      used.set(key, set);
    }
    return set;
  };
  for (const c of claims) {
    // Only units and slots hold units: the other kinds (most of a full day's claims) are skipped first.
    if ((c.kind !== 'unit' && c.kind !== 'slot') || !isClaimActive(c, now)) continue;
    if (c.kind === 'unit') setOf(c).add(c.index!);
    else {
      const w = windows.find((x) => x.start === c.start);
      const set = setOf(c);
      for (let k = 1; k <= (w ? windowUnits(w) : 0); k++) set.add(k);
    }
  }
  return used;
}

/**
 * The plan with its counter claims (THE way a plan claims minutes since counters: every path that
 * builds a plan comes here): per window of `units`, the minutes it takes and the window's capacity
 * less the minutes legacy unit/slot items still hold there (from `claims`, without the plan's own).
 */
export function withCounters(plan: ClaimPlan, windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>, claims: CapacityClaim[], now: Date): ClaimPlan {
  if (!plan.units) return plan;
  const mine = claims.filter((c) => c.date === plan.date && c.technicianId === plan.technicianId);
  return { ...plan, counters: countersFor(plan.date, plan.technicianId, plan.units, windows, legacyUnits(mine, windows, now)) };
}

/**
 * The units still held by items written before counters (unit and slot items read without a
 * counter), per `date|start|technicianId` like usedUnits: what lowers a counter's capacity.
 * Worked out once over all of a day's claims, then looked up per plan (availability: per candidate).
 */
export function legacyUnits(claims: CapacityClaim[], windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>, now: Date): Map<string, Set<number>> {
  return usedUnits(
    claims.filter((c) => !c.counter),
    windows,
    now,
  );
}

/** withCounters' counters for `units` of one technician on `date`; `legacy`: legacyUnits over `windows`. */
function countersFor(
  date: string,
  technicianId: string,
  units: Record<string, number[]>,
  windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>,
  legacy: Map<string, Set<number>>,
): NonNullable<ClaimPlan['counters']> {
  const counters: NonNullable<ClaimPlan['counters']> = {};
  for (const [start, indices] of Object.entries(units)) {
    const w = windows.find((x) => x.start === start);
    const capUnits = (w ? windowUnits(w) : indices.length) - (legacy.get(`${date}|${start}|${technicianId}`)?.size ?? 0);
    counters[start] = { minutes: indices.length * UNIT_MINUTES, cap: Math.max(0, capUnits) * UNIT_MINUTES };
  }
  return counters;
}

/** The lowest free unit indices a footprint takes in one technician's windows, or undefined when some window lacks them. */
export function placeUnits(
  footprint: Footprint,
  windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>,
  used: (start: string) => Set<number> | undefined,
): Record<string, number[]> | undefined {
  const units: Record<string, number[]> = {};
  for (const { start, units: n } of footprint) {
    const w = windows.find((x) => x.start === start);
    if (!w) return undefined;
    const taken = used(start) ?? new Set<number>();
    const free: number[] = [];
    for (let k = 1; k <= windowUnits(w) && free.length < n; k++) if (!taken.has(k)) free.push(k);
    if (free.length < n) return undefined;
    units[start] = free;
  }
  return units;
}

/**
 * A route claim's counter capacity: no limit from the counter's minutes (the last job of a window
 * may run on past its end); the route check, guarded by the counters' versions, decides.
 */
export const ROUTE_COUNTER_CAP = 24 * 60;

/** Does this tenant check routes for this job type (the `route` travel model, a job with a duration)? */
export function routed(tenant: Pick<CapacityTenant, 'travelModel'>, jobType: Pick<JobType, 'durationMinutes'>): boolean {
  return tenant.travelModel === 'route' && jobType.durationMinutes !== undefined;
}

/** The technician's working day on `date` for the route check: base, shift start and end (undefined: no shift). */
export function routeDayOf(technician: Technician, date: string): { basePostalCode: string; dayStart: number; dayEnd: number } | undefined {
  const shift = technician.shifts[isoWeekdays[isoWeekday(date)]!];
  if (!shift) return undefined;
  return { basePostalCode: basePostalCode(technician.postalCodes), dayStart: minutesOf(shift.start), dayEnd: minutesOf(shift.end) };
}

/**
 * What a technician already has on `date`, as route stops (active claims only): each route claim
 * where its job is; the minutes other claims hold in a window (jobs booked under the buffer model,
 * jobs with no duration) as one stop at the base that must end by the window's end.
 */
export function routeStopsOf(
  active: CapacityClaim[],
  date: string,
  technician: Technician,
  windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>,
  now: Date,
): RouteStop[] {
  const mine = active.filter((c) => c.date === date && c.technicianId === technician.technicianId);
  const stops: RouteStop[] = [];
  for (const c of mine) {
    if (c.kind !== 'stop') continue;
    const w = windows.find((x) => x.start === c.start);
    if (!w) continue;
    stops.push({ id: `stop:${c.holdId}`, postalCode: c.postalCode!, durationMinutes: c.durationMinutes ?? 0, from: minutesOf(w.start), to: minutesOf(w.end) });
  }
  const blocked = usedUnits(
    mine.filter((c) => !c.routed),
    windows,
    now,
  );
  for (const w of windows) {
    const minutes = (blocked.get(`${date}|${w.start}|${technician.technicianId}`)?.size ?? 0) * UNIT_MINUTES;
    if (!minutes) continue;
    const from = minutesOf(w.start);
    stops.push({
      id: `block:${w.start}`,
      postalCode: basePostalCode(technician.postalCodes),
      durationMinutes: minutes,
      from,
      to: Math.max(from, minutesOf(w.end) - minutes),
    });
  }
  return stops;
}

/** The version of each of the technician's counters on `date`, by window start (0: no counter, or none with a version). */
export function counterVersions(
  active: CapacityClaim[],
  date: string,
  technicianId: string,
  windows: Array<Pick<ArrivalWindow, 'start'>>,
): Record<string, number> {
  const versions: Record<string, number> = Object.fromEntries(windows.map((w) => [w.start, 0]));
  for (const c of active) if (c.kind === 'version' && c.date === date && c.technicianId === technicianId && c.start) versions[c.start] = c.index ?? 0;
  return versions;
}

/** The capacity part of a claim plan: what "this job, this technician, this window" claims. */
export type Placement = Pick<ClaimPlan, 'windowStarts' | 'units' | 'counters' | 'route'>;

/** Why a job cannot be placed on a technician: no minutes left (buffer model), or no order of their day reaches every job in its window (route model). */
export type PlacementRefusal = 'room' | 'route';

/**
 * THE rule for placing a job on one technician in one arrival window, under the tenant's travel
 * model, used by availability (every new hold and booking) and by every move of a booked job
 * (reassignment and day plans, field moves), so the route rule is written once:
 * - route model (`routed`, a standard window): the job claims its minutes on its arrival window's
 *   counter with no window limit, only when capacity/route.ts finds an order of the technician's
 *   day (`active` as it will stand) that starts every job inside its window; the claim is
 *   conditional on the versions of the technician's counters that day as read (`route.versions`);
 * - buffer model (or after-hours, or no duration): `footprint`'s units (default jobFootprint), the
 *   lowest free, on counters capped by the window's minutes.
 * `active`: the day's active claims as they will stand with this job (a move leaves out the moving
 * jobs' old claims and adds those placed earlier in the same change: planClaims).
 * `leaving`: holds given back in the same transaction that commits this claim (a reschedule's
 * current hold): the route check leaves their stops out (the job is not on the route twice), while
 * their units and daily tokens, still stored until then, stay taken.
 */
export function placeJob(args: {
  tenant: CapacityTenant;
  technician: Technician;
  jobType: Pick<JobType, 'durationMinutes' | 'durationWindows'>;
  postalCode: string;
  date: string;
  /** The arrival window, one of `windows` (the standard or the after-hours list). */
  window: Pick<ArrivalWindow, 'start' | 'end'>;
  windows: Array<Pick<ArrivalWindow, 'start' | 'end'>>;
  afterHours: boolean;
  active: CapacityClaim[];
  now: Date;
  /** Units in use by `date|start|technicianId` (usedUnits of `active`): given when the caller has it. */
  units?: Map<string, Set<number>>;
  /** Units held by items from before counters (legacyUnits of `active` over `windows`): given when the caller has it. */
  legacy?: Map<string, Set<number>>;
  /** Buffer model: the minutes to place (default: jobFootprint); a moved job keeps the minutes it holds. */
  footprint?: Footprint;
  /** Route stops by `date|technicianId`, shared by calls over the same `active` and `leaving` (availability). */
  stopsCache?: Map<string, RouteStop[]>;
  /** Route model: counterVersions by `date|technicianId`, shared by calls over the same `active` (availability). */
  versionsCache?: Map<string, Record<string, number>>;
  leaving?: ReadonlySet<string>;
}): { placement: Placement } | { refused: PlacementRefusal } {
  const { tenant, technician, jobType, date, window, active, now } = args;
  const technicianId = technician.technicianId;
  const units = args.units ?? usedUnits(active, [...tenant.arrivalWindows, ...tenant.afterHoursWindows], now);
  const taken = (start: string) => units.get(`${date}|${start}|${technicianId}`);
  if (routed(tenant, jobType) && !args.afterHours) {
    const day = routeDayOf(technician, date);
    if (!day) return { refused: 'route' };
    const allWindows = [...tenant.arrivalWindows, ...tenant.afterHoursWindows];
    const key = `${date}|${technicianId}`;
    const onRoute = args.leaving?.size ? active.filter((c) => !args.leaving!.has(c.holdId ?? '')) : active;
    const stops = args.stopsCache?.get(key) ?? routeStopsOf(onRoute, date, technician, allWindows, now);
    args.stopsCache?.set(key, stops);
    const postalCode = normalizePostalCode(args.postalCode);
    const durationMinutes = jobType.durationMinutes!;
    const mine: RouteStop = { id: 'new', postalCode, durationMinutes, from: minutesOf(window.start), to: minutesOf(window.end) };
    if (!routeFits(day, [...stops, mine])) return { refused: 'route' };
    const versions = args.versionsCache?.get(key) ?? counterVersions(active, date, technicianId, allWindows);
    args.versionsCache?.set(key, versions);
    // Units for the board's picture only (the counter's minutes): the lowest free, past the window's end if need be.
    const used = taken(window.start) ?? new Set<number>();
    const indices: number[] = [];
    for (let k = 1; indices.length < Math.ceil(durationMinutes / UNIT_MINUTES); k++) if (!used.has(k)) indices.push(k);
    return {
      placement: {
        windowStarts: [window.start],
        units: { [window.start]: indices },
        counters: { [window.start]: { minutes: durationMinutes, cap: ROUTE_COUNTER_CAP } },
        route: { postalCode, durationMinutes, versions: { ...versions } },
      },
    };
  }
  const footprint = args.footprint ?? jobFootprint(args.windows, window.start, jobType, tenant.travelBufferMinutes);
  const placed = footprint && placeUnits(footprint, args.windows, taken);
  if (!footprint || !placed) return { refused: 'room' };
  return {
    placement: {
      windowStarts: footprint.map((f) => f.start),
      units: placed,
      counters: countersFor(
        date,
        technicianId,
        placed,
        args.windows,
        args.legacy ??
          legacyUnits(
            active.filter((c) => c.date === date && c.technicianId === technicianId),
            args.windows,
            now,
          ),
      ),
    },
  };
}

/**
 * The claims a plan will hold once stored, as listClaims reads them back (units, its route stop,
 * its daily tokens): how a change of several jobs sees the day as the jobs placed before leave it.
 */
export function planClaims(plan: ClaimPlan, holdId: string, bookingId?: string): CapacityClaim[] {
  const base = { date: plan.date, technicianId: plan.technicianId, status: 'BOOKED' as const, holdId, bookingId };
  const claims: CapacityClaim[] = Object.entries(plan.units ?? {}).flatMap(([start, indices]) =>
    indices.map((index) => ({ ...base, kind: 'unit' as const, start, index, counter: Boolean(plan.counters), ...(plan.route ? { routed: true } : {}) })),
  );
  if (plan.route)
    claims.push({ ...base, kind: 'stop', start: plan.windowStarts[0], postalCode: plan.route.postalCode, durationMinutes: plan.route.durationMinutes });
  claims.push({ ...base, kind: 'techDay', index: plan.techDayIndex });
  if (plan.jobTypeDayIndex !== undefined)
    claims.push({ ...base, kind: 'jobTypeDay', technicianId: undefined, jobTypeId: plan.jobTypeId, index: plan.jobTypeDayIndex });
  return claims;
}

export function findOpenWindows(input: AvailabilityInput): OpenWindow[] {
  const { tenant, jobType, postalCode, now } = input;
  const emergency = Boolean(input.emergency);
  const eligible = input.technicians.filter((t) => isQualified(t, jobType) && coversPostalCode(t, postalCode));
  const active = input.claims.filter((claim) => isClaimActive(claim, now));

  const units = usedUnits(active, [...tenant.arrivalWindows, ...tenant.afterHoursWindows], now);
  // Counters' capacities: the legacy items indexed once per list of windows, not filtered per candidate.
  const legacy = new Map<ArrivalWindow[], Map<string, Set<number>>>();
  const legacyOf = (windows: ArrivalWindow[]) => legacy.get(windows) ?? legacy.set(windows, legacyUnits(active, windows, now)).get(windows)!;
  const techDayTokens = new Map<string, Set<number>>();
  const jobTypeDayTokens = new Map<string, Set<number>>();
  for (const c of active) {
    if (c.kind === 'techDay') {
      const key = `${c.date}|${c.technicianId}`;
      techDayTokens.set(key, (techDayTokens.get(key) ?? new Set()).add(c.index!));
    }
    if (c.kind === 'jobTypeDay' && c.jobTypeId === jobType.jobTypeId) {
      jobTypeDayTokens.set(c.date, (jobTypeDayTokens.get(c.date) ?? new Set()).add(c.index!));
    }
  }

  // A move (`leaving`): the daily tokens the job holds now, kept on its own day (keptTokens).
  const own = input.leaving?.size ? active.filter((c) => input.leaving!.has(c.holdId ?? '')) : [];
  const route = routed(tenant, jobType);
  // Route model: each technician's stops that day, worked out once per day.
  const stopsCache = new Map<string, RouteStop[]>();
  const versionsCache = new Map<string, Record<string, number>>();
  const open: OpenWindow[] = [];
  for (const date of input.dates) {
    // A DST day: two lookups per day (kept per container, shared/zoned-time.ts), not per window.
    const dstDay = offsetChangesOn(date, tenant.timeZone);
    let jobTypeDayIndex: number | undefined;
    const keptType = keptTokens(own, { date, jobTypeId: jobType.jobTypeId });
    if (jobType.dailyCap !== undefined) {
      jobTypeDayIndex = keptType.jobTypeDayIndex ?? firstFreeIndex(jobTypeDayTokens.get(date) ?? new Set(), jobType.dailyCap);
      if (jobTypeDayIndex === undefined) continue; // the company's cap for this job type is reached that day
    }
    const techIndex = new Map<string, number>();
    const keeps = new Map<string, NonNullable<ClaimPlan['keeps']>>();
    for (const t of eligible) {
      if (isOff(t, date)) continue;
      const kept = keptTokens(own, { date, technicianId: t.technicianId, jobTypeId: jobType.jobTypeId });
      const index =
        kept.techDayIndex ?? firstFreeIndex(techDayTokens.get(`${date}|${t.technicianId}`) ?? new Set(), usableDailyJobs(tenant, t, emergency, input.member));
      if (index === undefined) continue;
      techIndex.set(t.technicianId, index);
      const keepsType = jobTypeDayIndex !== undefined && kept.jobTypeDayIndex === jobTypeDayIndex;
      if (kept.from && (kept.techDayIndex !== undefined || keepsType))
        keeps.set(t.technicianId, {
          from: kept.from,
          ...(kept.techDayIndex !== undefined ? { techDay: true as const } : {}),
          ...(keepsType ? { jobTypeDay: true as const } : {}),
        });
    }

    const groups: Array<{ windows: ArrivalWindow[]; afterHours: boolean }> = [{ windows: tenant.arrivalWindows, afterHours: false }];
    if (emergency) groups.push({ windows: tenant.afterHoursWindows, afterHours: true });

    for (const { windows, afterHours } of groups) {
      for (const first of windows) {
        // Route model: the job claims its minutes on its arrival window's counter only; the route decides.
        // After-hours (on-call) windows lie outside the shift: those claims keep the buffer model.
        const routeHere = route && !afterHours;
        const footprint = routeHere
          ? [{ start: first.start, units: Math.ceil(jobType.durationMinutes! / UNIT_MINUTES) }]
          : jobFootprint(windows, first.start, jobType, tenant.travelBufferMinutes);
        if (!footprint) continue;
        const run = footprint.map((f) => windows.find((w) => w.start === f.start)!);
        // The customer's window: the arrival window (a job with no duration: every window it fills).
        const last = jobType.durationMinutes === undefined ? run[run.length - 1]! : first;
        if (dstDay && !run.every((w) => windowExists(date, w.start, w.end, tenant.timeZone))) continue;
        // Standard: not before the lead time. Emergency: a window with enough time left to arrive in it
        // (never 10-12 at 11:45 and told "between 10:00 and 12:00").
        const cutoff = emergency
          ? windowStartInstant(date, last.end, tenant.timeZone).getTime() - now.getTime() < Math.max(1, (input.minArrivalMinutes ?? 0) * 60_000)
          : windowStartInstant(date, first.start, tenant.timeZone) < input.notBefore;
        if (cutoff) continue;
        const placed = new Map<string, Placement>();
        for (const t of eligible) {
          if (!techIndex.has(t.technicianId)) continue;
          if (!(afterHours ? isOnCall(tenant, t.technicianId, date) : run.every((w) => isOnShift(t, date, w, tenant.timeZone)))) continue;
          const result = placeJob({
            tenant,
            technician: t,
            jobType,
            postalCode,
            date,
            window: first,
            windows,
            afterHours,
            active,
            now,
            units,
            legacy: legacyOf(windows),
            footprint,
            stopsCache,
            versionsCache,
            leaving: input.leaving,
          });
          if ('placement' in result) placed.set(t.technicianId, result.placement);
        }
        const candidates = eligible
          .filter((t) => placed.has(t.technicianId))
          .sort(
            (a, b) =>
              (techDayTokens.get(`${date}|${a.technicianId}`)?.size ?? 0) - (techDayTokens.get(`${date}|${b.technicianId}`)?.size ?? 0) ||
              a.technicianId.localeCompare(b.technicianId),
          )
          .map(
            (t): ClaimPlan => ({
              date,
              start: first.start,
              end: last.end,
              technicianId: t.technicianId,
              ...placed.get(t.technicianId)!,
              techDayIndex: techIndex.get(t.technicianId)!,
              jobTypeId: jobType.jobTypeId,
              ...(jobTypeDayIndex !== undefined ? { jobTypeDayIndex } : {}),
              ...(keeps.has(t.technicianId) ? { keeps: keeps.get(t.technicianId) } : {}),
            }),
          );
        if (candidates.length) open.push({ date, start: first.start, end: last.end, afterHours, candidates });
      }
    }
  }
  return open;
}

/** Why nothing is open: the reason a bot can say to the caller. */
export function explainNoWindow(technicians: Technician[], jobType: JobType, postalCode: string): NoWindowReason {
  const inArea = technicians.filter((t) => t.active && coversPostalCode(t, postalCode));
  if (!inArea.length) return 'out_of_area';
  if (!inArea.some((t) => isQualified(t, jobType))) return 'no_qualified_technician';
  return 'fully_booked';
}
