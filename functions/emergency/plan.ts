/**
 * Emergency dispatch, the pure part: whether an emergency waits for a window or is dispatched now,
 * who is paged in which order, what a paging round does next, and what a technician's reply says.
 * No I/O: inputs in, decisions out (test/unit/emergency.test.ts).
 */
import {
  type CapacityClaim,
  type CapacityTenant,
  type ClaimPlan,
  coversPostalCode,
  dailyLimit,
  firstFreeIndex,
  isClaimActive,
  isOnCall,
  normalizePostalCode,
  ROUTE_COUNTER_CAP,
  routeDayOf,
  routed,
  routeStopsOf,
  UNIT_MINUTES,
  windowUnits,
  withCounters,
} from '../capacity/availability';
import { routeFits } from '../capacity/route';
import { basePostalCode, travelMinutes } from '../dispatch/geo';
import { zonedClock, zonedDate, zonedInstant } from '../shared/zoned-time';
import type { JobType, Technician } from '../tenant/model';
import type { EmergencySettings } from './settings';

/**
 * An emergency keeps a window only when the window starts (or is under way) within the tenant's
 * longest wait; otherwise (or with no window at all) it is dispatched now.
 */
export function needsDispatchNow(window: { date: string; start: string } | undefined, timeZone: string, now: Date, settings: EmergencySettings): boolean {
  if (!window) return true;
  const start = zonedInstant(window.date, timeZone, window.start);
  return start.getTime() - now.getTime() > settings.maxWaitMinutes * 60_000;
}

export interface PageCandidate {
  technicianId: string;
  coversArea: boolean;
  travelMinutes: number;
}

/**
 * The on-call technicians of the job's trade on the local date, nearest first: those whose territory
 * covers the postal code first, then by travel from their base. Another trade is never paged (the
 * HVAC tech for a plumbing emergency); required skills are not asked of an emergency page.
 */
export function rankOnCall(args: {
  tenant: Pick<CapacityTenant, 'onCallRotation'>;
  technicians: Technician[];
  jobType: Pick<JobType, 'trade'>;
  postalCode: string;
  date: string;
}): PageCandidate[] {
  const { tenant, jobType, postalCode, date } = args;
  return args.technicians
    .filter((t) => t.active && t.trades.includes(jobType.trade) && isOnCall(tenant, t.technicianId, date) && t.phone)
    .map((t) => ({
      technicianId: t.technicianId,
      coversArea: coversPostalCode(t, postalCode),
      travelMinutes: travelMinutes(t.basePostalCode ?? basePostalCode(t.postalCodes), postalCode),
    }))
    .sort((a, b) => Number(b.coversArea) - Number(a.coversArea) || a.travelMinutes - b.travelMinutes || a.technicianId.localeCompare(b.technicianId));
}

/** A dispatch as the paging round sees it. */
export interface DispatchState {
  status: 'paging' | 'accepted' | 'unanswered';
  candidates: string[];
  /** Technicians paged so far, in order; `answer` once they replied. */
  pages: Array<{ technicianId: string; at: string; answer?: 'accept' | 'decline' }>;
  startedAt: string;
  escalatedAt?: string;
}

export type DispatchStep = { action: 'page'; technicianId: string } | { action: 'escalate' } | { action: 'wait'; until: string } | { action: 'done' };

/**
 * What the paging round does at `now`: escalate once nobody accepted within the tenant's minutes;
 * page the next candidate when the last page timed out or was declined (or none was sent yet);
 * otherwise wait until the next of those moments. After escalation the remaining candidates are
 * still paged in turn; with nobody left the round is done (the manager has it).
 */
export function nextDispatchStep(state: DispatchState, now: Date, settings: EmergencySettings): DispatchStep {
  if (state.status !== 'paging') return { action: 'done' };
  const escalateAt = Date.parse(state.startedAt) + settings.escalateAfterMinutes * 60_000;
  if (!state.escalatedAt && (now.getTime() >= escalateAt || !state.candidates.length)) return { action: 'escalate' };
  const last = state.pages[state.pages.length - 1];
  const next = state.candidates.find((id) => !state.pages.some((p) => p.technicianId === id));
  const lastTimesOutAt = last ? Date.parse(last.at) + settings.pageTimeoutMinutes * 60_000 : 0;
  if (next && (!last || last.answer === 'decline' || now.getTime() >= lastTimesOutAt)) return { action: 'page', technicianId: next };
  const moments = [...(state.escalatedAt ? [] : [escalateAt]), ...(next ? [lastTimesOutAt] : [])].filter((t) => t > now.getTime());
  if (!moments.length) return { action: 'done' };
  return { action: 'wait', until: new Date(Math.min(...moments)).toISOString() };
}

export interface PageReply {
  answer: 'accept' | 'decline';
  /** The dispatch code the reply names ("YES 123"), when it names one. */
  code?: string;
}

const ACCEPT = new Set(['YES', 'Y', 'ACCEPT', 'OK', 'SI', 'SÍ']);
const DECLINE = new Set(['NO', 'N', 'DECLINE', 'PASS']);

/** "YES 123", "no", "Accept 4821": a page answer, or undefined for any other text (not ours to handle). */
export function parsePageReply(body: string): PageReply | undefined {
  const match = /^\s*([a-zA-ZíÍ]+)[\s#:.-]*(\d{3,6})?\s*[.!]?\s*$/.exec(body);
  if (!match) return undefined;
  const word = match[1]!.toUpperCase();
  const answer = ACCEPT.has(word) ? 'accept' : DECLINE.has(word) ? 'decline' : undefined;
  if (!answer) return undefined;
  return match[2] ? { answer, code: match[2] } : { answer };
}

/** The same-day window an accepting technician promises: from now to now + the tenant's ETA, in the company's zone. */
export function acceptedWindow(now: Date, timeZone: string, settings: EmergencySettings): { date: string; start: string; end: string } {
  const date = zonedDate(now, timeZone);
  const by = new Date(now.getTime() + settings.etaMinutes * 60_000);
  const end = zonedDate(by, timeZone) === date ? zonedClock(by, timeZone) : '23:59';
  return { date, start: zonedClock(now, timeZone), end };
}

/** Why an accepted emergency's claim goes past what the technician's day had free (a dispatcher moves the rest). */
export interface EmergencyOverbooking {
  /** Windows the emergency runs into where another job (or a caller's live hold) already has some of this technician's time. */
  windows: Array<{ start: string; end: string; bookingIds: string[] }>;
  /** Every one of the technician's daily jobs was taken, the emergency reserve included: the emergency is one more. */
  overDailyLimit: boolean;
  /** The company's daily cap for this job type was reached: the emergency is one more. */
  overJobTypeCap: boolean;
}

const clockMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * What an on-call technician's acceptance claims, in the items CommitSlot's holds own: the minute
 * units of the technician's windows (regular or after-hours) that the emergency keeps them busy
 * for (from acceptance to the promised arrival, plus the job type's duration), a technician-day
 * token, and a job-type-day token under a cap.
 *
 * The technician said yes, so an emergency is never refused for capacity; it may overbook only in
 * ways a dispatcher can see: daily tokens up to the full limit (the emergency reserve is there for
 * this), then one past the limit (`overDailyLimit`); time another job already holds is left to
 * that job and reported (`windows`, with the jobs), so the dispatcher moves them or calls their
 * customers. Free units and expired holds' are claimed. Pure.
 */
export function emergencyClaimPlan(args: {
  tenant: CapacityTenant;
  technician: Technician;
  jobType: Pick<JobType, 'jobTypeId' | 'dailyCap' | 'durationMinutes'>;
  window: { date: string; start: string; end: string };
  claims: CapacityClaim[];
  now: Date;
  /** Where the emergency is: under the `route` travel model it is claimed as a stop of the technician's route. */
  postalCode?: string;
}): { plan: ClaimPlan; overbooking: EmergencyOverbooking } {
  const { tenant, technician, jobType, window, now } = args;
  const technicianId = technician.technicianId;
  const active = args.claims.filter((c) => c.date === window.date && isClaimActive(c, now));
  const tokens = emergencyTokens(tenant, technician, jobType, active);
  // Route model, accepted inside a standard window: a stop of the technician's route (capacity/
  // availability.ts placeJob's claim, with no version condition: the technician said yes, so it is
  // never refused), so every later route check of their day sees it.
  const home = tenant.arrivalWindows.find((w) => w.start <= window.start && window.start < w.end);
  if (args.postalCode && home && routed(tenant, jobType)) return routeEmergencyPlan({ ...args, postalCode: args.postalCode, home, active, tokens });
  const busyFrom = clockMinutes(window.start);
  const busyTo = clockMinutes(window.end) + (jobType.durationMinutes ?? 0);
  // Windows the busy time overlaps, each once (an after-hours window may repeat a start).
  const overlapping = [...tenant.arrivalWindows, ...tenant.afterHoursWindows]
    .filter((w) => clockMinutes(w.start) < busyTo && busyFrom < clockMinutes(w.end))
    .filter((w, i, all) => all.findIndex((o) => o.start === w.start) === i)
    .sort((a, b) => a.start.localeCompare(b.start));
  const units: Record<string, number[]> = {};
  const conflicts: EmergencyOverbooking['windows'] = [];
  for (const w of overlapping) {
    const mine = active.filter((c) => c.technicianId === technicianId && c.start === w.start && (c.kind === 'unit' || c.kind === 'slot'));
    // A whole-window item (from before minute units) holds every unit of its window.
    const owner = (k: number) => mine.find((c) => c.kind === 'slot' || c.index === k);
    const wanted = Array.from({ length: windowUnits(w) }, (_, i) => i + 1).filter((k) => {
      const from = clockMinutes(w.start) + (k - 1) * UNIT_MINUTES;
      return from < busyTo && busyFrom < from + UNIT_MINUTES;
    });
    const free = wanted.filter((k) => !owner(k));
    if (free.length) units[w.start] = free;
    const taken = wanted.map(owner).filter((c) => c !== undefined);
    if (taken.length) conflicts.push({ start: w.start, end: w.end, bookingIds: [...new Set(taken.map((c) => c.bookingId ?? c.holdId ?? 'a hold'))] });
  }

  const { techDayIndex, jobTypeDayIndex, overDailyLimit, overJobTypeCap } = tokens;
  return {
    plan: withCounters(
      {
        date: window.date,
        start: window.start,
        end: window.end,
        technicianId,
        windowStarts: Object.keys(units).sort(),
        units,
        techDayIndex,
        jobTypeId: jobType.jobTypeId,
        ...(jobTypeDayIndex !== undefined ? { jobTypeDayIndex } : {}),
      },
      overlapping,
      active,
      now,
    ),
    overbooking: { windows: conflicts, overDailyLimit, overJobTypeCap },
  };
}

type EmergencyTokens = { techDayIndex: number; jobTypeDayIndex?: number; overDailyLimit: boolean; overJobTypeCap: boolean };

/** The emergency's daily tokens: up to the full limit (the reserve is for this), then one past it (reported). */
function emergencyTokens(
  tenant: CapacityTenant,
  technician: Technician,
  jobType: Pick<JobType, 'jobTypeId' | 'dailyCap'>,
  active: CapacityClaim[],
): EmergencyTokens {
  const tokens = (kind: CapacityClaim['kind'], match: (c: CapacityClaim) => boolean) =>
    new Set(active.filter((c) => c.kind === kind && match(c)).map((c) => c.index!));
  const beyond = (used: Set<number>) => firstFreeIndex(used, used.size + 1)!;
  const techTokens = tokens('techDay', (c) => c.technicianId === technician.technicianId);
  const withinLimit = firstFreeIndex(techTokens, dailyLimit(tenant, technician));
  let jobTypeDayIndex: number | undefined;
  let overJobTypeCap = false;
  if (jobType.dailyCap !== undefined) {
    const typeTokens = tokens('jobTypeDay', (c) => c.jobTypeId === jobType.jobTypeId);
    jobTypeDayIndex = firstFreeIndex(typeTokens, jobType.dailyCap);
    if (jobTypeDayIndex === undefined) {
      overJobTypeCap = true;
      jobTypeDayIndex = beyond(typeTokens);
    }
  }
  return { techDayIndex: withinLimit ?? beyond(techTokens), jobTypeDayIndex, overDailyLimit: withinLimit === undefined, overJobTypeCap };
}

/**
 * An accepted emergency under the route model: its minutes on the counter of the standard window it
 * was accepted in, as a route stop. When no order of the technician's day reaches every job (this
 * one in its promised window) it overbooks: the windows from the acceptance on with the jobs it
 * runs into are reported.
 */
function routeEmergencyPlan(args: {
  tenant: CapacityTenant;
  technician: Technician;
  jobType: Pick<JobType, 'jobTypeId' | 'durationMinutes'>;
  window: { date: string; start: string; end: string };
  postalCode: string;
  home: { start: string; end: string };
  active: CapacityClaim[];
  tokens: EmergencyTokens;
  now: Date;
}): { plan: ClaimPlan; overbooking: EmergencyOverbooking } {
  const { tenant, technician, jobType, window, home, active, now } = args;
  const technicianId = technician.technicianId;
  const postalCode = normalizePostalCode(args.postalCode);
  const durationMinutes = jobType.durationMinutes!;
  const allWindows = [...tenant.arrivalWindows, ...tenant.afterHoursWindows];
  const day = routeDayOf(technician, window.date);
  const stops = routeStopsOf(active, window.date, technician, allWindows, now);
  const mine = { id: 'emergency', postalCode, durationMinutes, from: clockMinutes(window.start), to: clockMinutes(window.end) };
  const fits = Boolean(day && routeFits(day, [...stops, mine]));
  const conflicts: EmergencyOverbooking['windows'] = fits
    ? []
    : tenant.arrivalWindows
        .filter((w) => w.end > window.start)
        .map((w) => ({
          start: w.start,
          end: w.end,
          bookingIds: [
            ...new Set(
              active
                .filter((c) => c.technicianId === technicianId && c.start === w.start && (c.kind === 'stop' || c.kind === 'unit' || c.kind === 'slot'))
                .map((c) => c.bookingId ?? c.holdId ?? 'a hold'),
            ),
          ],
        }))
        .filter((w) => w.bookingIds.length);
  const used = new Set(active.filter((c) => c.kind === 'unit' && c.technicianId === technicianId && c.start === home.start).map((c) => c.index!));
  const indices: number[] = [];
  for (let k = 1; indices.length < Math.ceil(durationMinutes / UNIT_MINUTES); k++) if (!used.has(k)) indices.push(k);
  const { techDayIndex, jobTypeDayIndex, overDailyLimit, overJobTypeCap } = args.tokens;
  return {
    plan: {
      date: window.date,
      start: window.start,
      end: window.end,
      technicianId,
      windowStarts: [home.start],
      units: { [home.start]: indices },
      counters: { [home.start]: { minutes: durationMinutes, cap: ROUTE_COUNTER_CAP } },
      // No versions: never refused for a concurrent claim (it overbooks instead, reported).
      route: { postalCode, durationMinutes, versions: {} },
      techDayIndex,
      jobTypeId: jobType.jobTypeId,
      ...(jobTypeDayIndex !== undefined ? { jobTypeDayIndex } : {}),
    },
    overbooking: { windows: conflicts, overDailyLimit, overJobTypeCap },
  };
}

/** Is anything past the technician's free capacity (a review item for the dispatcher)? */
export function isOverbooked(overbooking: EmergencyOverbooking): boolean {
  return overbooking.windows.length > 0 || overbooking.overDailyLimit || overbooking.overJobTypeCap;
}
