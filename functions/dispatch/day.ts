/**
 * One company's dispatch day read from the store: technicians on shift, the booked slot claims of
 * the date and their bookings. Shared by the board and the planner (tenant-scoped: every read is
 * in the tenant's own partitions).
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../shared/errors';
import type { WaitlistPlacement } from '../leads/waiters';
import { type CapacityClaim, dailyLimit, isClaimActive, isOff, isOnShift, routeDayOf, UNIT_MINUTES, windowUnits } from '../capacity/availability';
import { now } from '../shared/time';
import { listClaims } from '../capacity/store';
import { type BookingRecord, getBookingRecords } from '../booking/store';
import { getTenant, listJobTypes, listTechnicians } from '../tenant/store';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { basePostalCode } from './geo';
import { DEFAULT_MAX_HOP_MINUTES, type Assignment, type HeldStop, type PinnedStop, type PlanDay, type PlanTechnician } from './plan';

export interface DayJob {
  bookingId: string;
  status: string;
  jobTypeId: string;
  jobTypeName?: string;
  postalCode: string;
  technicianId?: string;
  /** The hold the job's claims belong to (a new one after every move). */
  holdId?: string;
  start: string;
  end: string;
  /** Windows the job's claims hold minutes of; none for a job outside every window (a late-night emergency). */
  windowStarts: string[];
  /** Minutes of each window the job's claims hold (minute units times UNIT_MINUTES; a whole window for claims from before units). */
  minutes: Record<string, number>;
  /** The job type's minutes on site, when it has a duration. */
  durationMinutes?: number;
  createdAt?: string;
  jobState?: string;
  /** Expected arrival the field reported (dispatched / en_route events). */
  eta?: string;
  /** The latest `delayed` report: this job runs that many minutes past plan. */
  delayMinutes?: number;
}

export interface DispatchDay {
  tenant: Tenant;
  date: string;
  technicians: Technician[];
  jobTypes: JobType[];
  jobs: DayJob[];
  bookings: Map<string, BookingRecord>;
  /** The day's slot claims as read (the capacity engine's input: booking/moves.ts asks it again on them). */
  claims: CapacityClaim[];
  /**
   * Capacity the plan cannot give away, per technician: windows held by a live hold (a booking in
   * progress) or claimed by a job the planner does not move (an FSM job, a booking not live), and
   * how many of the technician's daily jobs those use.
   */
  occupied: Map<string, { starts: Set<string>; units: Record<string, number>; jobs: number; stops: HeldStop[] }>;
}

const LIVE = new Set(['confirmed', 'pending_crm_sync', 'pending_confirmation', 'pending_approval']);

export async function loadDispatchDay(tenantId: string, date: string): Promise<DispatchDay> {
  const tenant = await getTenant(tenantId);
  if (!tenant) throw new ApiError('not_found', 'tenant not found');
  const [technicians, jobTypes, claims] = await Promise.all([listTechnicians(tenantId), listJobTypes(tenantId), listClaims(tenantId, date, date)]);
  const windowOf = (start: string) => [...tenant.arrivalWindows, ...tenant.afterHoursWindows].find((w) => w.start === start);
  // A claim's minutes: a unit's, or (claims from before minute units) its whole window's.
  const claimMinutes = (c: (typeof claims)[number]) =>
    c.kind === 'unit' ? UNIT_MINUTES : windowUnits(windowOf(c.start!) ?? { start: '00:00', end: '00:00' }) * UNIT_MINUTES;
  const slotsByBooking = new Map<string, Record<string, number>>();
  for (const c of claims) {
    if (c.status !== 'BOOKED' || !c.bookingId || c.date !== date) continue;
    // A job outside every window (an emergency accepted late at night) claims only its technician-day token: on the board with no window minutes.
    if (c.kind === 'techDay') {
      if (!slotsByBooking.has(c.bookingId)) slotsByBooking.set(c.bookingId, {});
      continue;
    }
    if (c.kind !== 'slot' && c.kind !== 'unit') continue;
    const minutes = slotsByBooking.get(c.bookingId) ?? {};
    minutes[c.start!] = (minutes[c.start!] ?? 0) + claimMinutes(c);
    slotsByBooking.set(c.bookingId, minutes);
  }
  const bookings = new Map<string, BookingRecord>();
  const records = await getBookingRecords(tenantId, [...slotsByBooking.keys()]);
  for (const r of records) if (r) bookings.set(r.bookingId, r);
  const typeName = new Map(jobTypes.map((j) => [j.jobTypeId, j.name]));
  const typeMinutes = new Map(jobTypes.map((j) => [j.jobTypeId, j.durationMinutes]));
  const jobs: DayJob[] = [];
  for (const [bookingId, minutes] of slotsByBooking) {
    const b = bookings.get(bookingId);
    if (!b || !b.window || !LIVE.has(b.status) || b.window.date !== date) continue;
    jobs.push({
      bookingId,
      status: b.status,
      jobTypeId: b.jobTypeId,
      jobTypeName: typeName.get(b.jobTypeId),
      postalCode: b.request.address.postalCode,
      technicianId: b.window.technicianId,
      holdId: b.holdId,
      start: b.window.start,
      end: b.window.end,
      windowStarts: Object.keys(minutes).sort(),
      minutes,
      ...(typeMinutes.get(b.jobTypeId) !== undefined ? { durationMinutes: typeMinutes.get(b.jobTypeId) } : {}),
      createdAt: b.createdAt,
      jobState: b.jobState,
      eta: b.eta,
      delayMinutes: b.delayMinutes,
    });
  }
  jobs.sort((a, b) => a.start.localeCompare(b.start) || (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  const planned = new Set(jobs.flatMap((j) => [j.bookingId, ...(j.holdId ? [j.holdId] : [])]));
  const at = now();
  const occupied: DispatchDay['occupied'] = new Map();
  // A route claim's units, by hold and window: its stop carries them (the route goes to its address).
  const routedUnits = new Map<string, number>();
  for (const c of claims) {
    if (c.date !== date || !c.technicianId || !isClaimActive(c, at)) continue;
    if ((c.bookingId && planned.has(c.bookingId)) || (c.holdId && planned.has(c.holdId))) continue;
    const entry = occupied.get(c.technicianId) ?? { starts: new Set<string>(), units: {}, jobs: 0, stops: [] };
    if ((c.kind === 'slot' || c.kind === 'unit') && c.start) {
      entry.starts.add(c.start);
      entry.units[c.start] = (entry.units[c.start] ?? 0) + claimMinutes(c) / UNIT_MINUTES;
      if (c.routed) routedUnits.set(`${c.holdId}|${c.start}`, (routedUnits.get(`${c.holdId}|${c.start}`) ?? 0) + claimMinutes(c) / UNIT_MINUTES);
    }
    if (c.kind === 'stop' && c.start && c.postalCode)
      entry.stops.push({ id: `stop:${c.holdId}`, start: c.start, postalCode: c.postalCode, durationMinutes: c.durationMinutes ?? 0, units: 0 });
    if (c.kind === 'techDay') entry.jobs++;
    occupied.set(c.technicianId, entry);
  }
  for (const entry of occupied.values()) for (const s of entry.stops) s.units = routedUnits.get(`${s.id.slice('stop:'.length)}|${s.start}`) ?? 0;
  return { tenant, date, technicians, jobTypes, jobs, bookings, claims, occupied };
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Technicians working that date, as the planner sees them (with their shift, the route model's working day: capacity/availability.ts routeDayOf). */
export function planTechnicians(day: DispatchDay): PlanTechnician[] {
  return day.technicians
    .filter((t) => t.active && !isOff(t, day.date))
    .map((t) => ({
      technicianId: t.technicianId,
      ...(() => {
        const shift = routeDayOf(t, day.date);
        return shift ? { shiftStart: clock(shift.dayStart), shiftEnd: clock(shift.dayEnd) } : {};
      })(),
      trades: t.trades,
      skills: t.skills,
      postalCodes: t.postalCodes,
      windowStarts: day.tenant.arrivalWindows.filter((w) => isOnShift(t, day.date, w, day.tenant.timeZone)).map((w) => w.start),
      dailyJobLimit: dailyLimit(day.tenant, t),
      basePostalCode: basePostalCode(t.postalCodes),
    }))
    .filter((t) => t.windowStarts.length > 0);
}

/**
 * The day's booked jobs as a planning problem. Customers were promised their window, so each job
 * keeps its booked window (`flexibleWindows` lets the planner move it to any window of the day).
 */
export function toPlanDay(day: DispatchDay, options: { flexibleWindows?: boolean; maxHopMinutes?: number } = {}): PlanDay {
  const types = new Map(day.jobTypes.map((j) => [j.jobTypeId, j]));
  const windows = day.tenant.arrivalWindows.map((w) => ({ start: w.start, end: w.end }));
  const ordered = [...day.jobs].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.bookingId.localeCompare(b.bookingId));
  // A booked window starts at an arrival window's start and ends at an arrival window's end (the last of a multi-window job's).
  const movable = (j: DayJob) => types.has(j.jobTypeId) && windows.some((w) => w.start === j.start) && windows.some((w) => w.end === j.end);
  // A job with its own window (an accepted emergency, e.g. 11:05-12:35, or one late at night) stays
  // with its technician: the plan never moves it, its minutes and its daily job are not the plan's to
  // give, and the technician drives to it (a pinned stop of their route, counted in drive minutes).
  const pinned = new Map<string, { units: Record<string, number>; jobs: number; stops: PinnedStop[] }>();
  for (const j of day.jobs) {
    if (movable(j) || !j.technicianId) continue;
    const entry = pinned.get(j.technicianId) ?? { units: {}, jobs: 0, stops: [] };
    for (const [start, minutes] of Object.entries(j.minutes)) entry.units[start] = (entry.units[start] ?? 0) + Math.ceil(minutes / UNIT_MINUTES);
    entry.jobs++;
    entry.stops.push({ jobId: j.bookingId, start: j.start, postalCode: j.postalCode });
    pinned.set(j.technicianId, entry);
  }
  return {
    windows,
    maxHopMinutes: options.maxHopMinutes ?? DEFAULT_MAX_HOP_MINUTES,
    travelBufferMinutes: day.tenant.travelBufferMinutes,
    // A window someone else holds, an unmoved job's or a pinned job's, is not the plan's to give (a route hold: where its job is).
    technicians: planTechnicians(day).map((t) => {
      const taken = day.occupied.get(t.technicianId);
      const fixed = pinned.get(t.technicianId);
      if (!taken && !fixed) return t;
      const usedUnits = { ...taken?.units };
      for (const [start, units] of Object.entries(fixed?.units ?? {})) usedUnits[start] = (usedUnits[start] ?? 0) + units;
      const pinnedStops = fixed ? { pinnedStops: fixed.stops } : {};
      const heldStops = taken?.stops.length ? { heldStops: taken.stops } : {};
      return { ...t, usedUnits, ...pinnedStops, ...heldStops, dailyJobLimit: Math.max(0, t.dailyJobLimit - (taken?.jobs ?? 0) - (fixed?.jobs ?? 0)) };
    }),
    jobs: ordered.filter(movable).map((j, order) => {
      const type = types.get(j.jobTypeId)!;
      return {
        jobId: j.bookingId,
        trade: type.trade,
        requiredSkills: type.requiredSkills,
        postalCode: j.postalCode,
        durationWindows: type.durationWindows,
        ...(type.durationMinutes !== undefined ? { durationMinutes: type.durationMinutes } : {}),
        windows: options.flexibleWindows ? [j.start, ...windows.map((w) => w.start).filter((s) => s !== j.start)] : [j.start],
        order,
      };
    }),
  };
}

/** The assignment the claims hold now, as the planner scores it (jobs of technicians working that day). */
export function currentAssignments(day: DispatchDay, problem: PlanDay): Assignment[] {
  const byId = new Map(day.jobs.map((j) => [j.bookingId, j]));
  return problem.jobs
    .map((j) => byId.get(j.jobId)!)
    .filter((j) => j.technicianId && problem.technicians.some((t) => t.technicianId === j.technicianId))
    .map((j) => ({ jobId: j.bookingId, technicianId: j.technicianId!, start: j.start, windowStarts: j.windowStarts }));
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);
}

/**
 * The board's version: a digest of who does which job in which windows under which hold (every
 * move makes a new hold, so a board changed and changed back has a new version). A plan carries
 * the version it was computed on; applying it on a board with another version is refused (re-plan).
 */
export function boardVersion(day: Pick<DispatchDay, 'jobs'>): string {
  return digest(day.jobs.map((j) => `${j.bookingId}|${j.technicianId ?? '-'}|${j.windowStarts.join(',')}|${j.holdId ?? '-'}`).sort());
}

/**
 * A plan's id: its date, the board it was computed on, its changes and the waitlisted callers it
 * placed, so an apply is idempotent by it and cannot be altered.
 */
export function planId(date: string, version: string, changes: Array<{ jobId: string; technicianId: string }>, waitlist: WaitlistPlacement[] = []): string {
  const waiting = waitlist.map((w) => `waitlist:${w.leadId}>${w.technicianId}@${w.start}`).sort();
  return `pl_${digest([date, version, ...changes.map((c) => `${c.jobId}>${c.technicianId}`).sort(), ...waiting])}`;
}
