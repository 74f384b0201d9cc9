/**
 * The capacity engine: reads what the slot maths needs (one Query for technicians, one for every
 * claim in the date range) and claims holds with retries. Used by the booking nodes and the
 * availability and holds routes alike.
 */
import { createHash } from 'node:crypto';
import { listTechnicians } from '../tenant/store';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { epochSeconds } from '../shared/time';
import {
  type CapacityClaim,
  type ClaimPlan,
  dateRange,
  explainNoWindow,
  findOpenWindows,
  localDates,
  type NoWindowReason,
  type OpenWindow,
} from './availability';
import { claimHold, type HoldRecord, listClaims, type TransactItem } from './store';

/** Lead time: a standard window is not offered when it starts sooner than this. */
export const MIN_LEAD_MINUTES = 60;
/** Emergencies look at today and tomorrow only. */
export const EMERGENCY_DAYS = 2;
/** Rounds of read-and-claim before giving up on a contended window. */
const CLAIM_ROUNDS = 6;

export interface AvailabilityAnswer {
  open: OpenWindow[];
  reason?: NoWindowReason;
}

export interface WindowChoice {
  date: string;
  start: string;
  end: string;
}

export function asBookedWindow(window: WindowChoice, technicianId?: string) {
  return { date: window.date, start: window.start, end: window.end, ...(technicianId ? { technicianId } : {}) };
}

/** External schedule data older than the tenant's threshold (or never synced) cannot be trusted. */
export function isScheduleStale(tenant: Tenant, now: Date): boolean {
  const source = tenant.scheduleSource;
  if (source.mode !== 'external') return false;
  if (!source.lastSyncAt) return true;
  return now.getTime() - Date.parse(source.lastSyncAt) > source.staleAfterMinutes * 60_000;
}

export function searchDates(tenant: Tenant, now: Date, options: { emergency?: boolean; from?: string; to?: string }): string[] {
  if (options.from && options.to) return dateRange(options.from, options.to);
  return localDates(now, options.emergency ? EMERGENCY_DAYS : tenant.bookingHorizonDays, tenant.timeZone);
}

export async function availableWindows(args: {
  tenant: Tenant;
  jobType: JobType;
  postalCode: string;
  dates: string[];
  now: Date;
  emergency?: boolean;
  /** A member's booking: may take the tenant's member reserve. */
  member?: boolean;
  /** A reschedule's current hold, given back when the new one commits (availability.ts placeJob `leaving`). */
  leaving?: ReadonlySet<string>;
  /** Never these windows (a move's current one: with its place given back it looks open; one just refused). */
  except?: ReadonlyArray<{ date: string; start: string }>;
  /** The technicians, when the caller has a cheaper source than a Query (CheckCapacity: its container's copy at the run's configuration version). */
  readTechnicians?: () => Promise<Technician[]>;
}): Promise<AvailabilityAnswer> {
  const { tenant, dates } = args;
  const [technicians, claims] = await Promise.all([
    args.readTechnicians ? args.readTechnicians() : listTechnicians(tenant.tenantId),
    listClaims(tenant.tenantId, dates[0]!, dates[dates.length - 1]!),
  ]);
  return openWindowsIn({ ...args, technicians, claims });
}

/**
 * availableWindows' maths on technicians and claims already read: what is open if the day held
 * these claims (a caller weighing claims not stored, e.g. offers made in the same pass: leads/waitlist.ts).
 */
export function openWindowsIn(args: Parameters<typeof availableWindows>[0] & { technicians: Technician[]; claims: CapacityClaim[] }): AvailabilityAnswer {
  const { tenant, jobType, postalCode, dates, now, technicians, claims, except = [] } = args;
  const emergency = args.emergency ?? jobType.emergency;
  const found = findOpenWindows({
    tenant,
    technicians,
    jobType,
    postalCode,
    dates,
    claims,
    notBefore: new Date(now.getTime() + MIN_LEAD_MINUTES * 60_000),
    now,
    emergency,
    minArrivalMinutes: tenant.emergency.minArrivalMinutes,
    member: args.member,
    leaving: args.leaving,
  });
  const open = except.length ? found.filter((w) => !except.some((x) => w.date === x.date && w.start === x.start)) : found;
  return open.length ? { open } : { open, reason: explainNoWindow(technicians, jobType, postalCode) };
}

export interface HoldAttempt {
  hold?: HoldRecord;
  /** When nothing could be held: why, and what is open instead. */
  reason?: NoWindowReason | 'window_unavailable';
  alternatives: WindowChoice[];
}

/**
 * Soft-holds a window: the asked one, or the first open one. Reads claims, tries each candidate
 * technician's claim transaction, and on losing every candidate reads again (a concurrent claim may
 * have lost too, or taken a different technician), a bounded number of rounds.
 */
export async function holdWindow(args: {
  tenant: Tenant;
  jobType: JobType;
  postalCode: string;
  window?: { date: string; start: string };
  emergency?: boolean;
  /** Only this technician (a reassignment). */
  technicianId?: string;
  /** A member's booking: may take the tenant's member reserve. */
  member?: boolean;
  /** A reschedule: the booking's current hold, released in the transaction that commits this one (not on the route twice). */
  leaving?: string;
  holdId: string;
  bookingId?: string;
  source: HoldRecord['source'];
  now: Date;
  /**
   * Called before each claim and before alternatives are looked up: a route with a time budget throws
   * here (503 with Retry-After) rather than run past its Lambda's timeout. Never after a claim is won.
   */
  checkTime?: () => void;
  /** Items written in the hold's own claim transaction (the caller of a hold: kept with it or not at all). */
  alongside?: (hold: HoldRecord) => TransactItem[];
  /** What is offered when nothing could be held (a move: the windows that job could move to, booking/moves.ts); default alternativesFor. */
  alternatives?: () => Promise<WindowChoice[]>;
  /**
   * The candidates a read just chose for this window (CheckCapacity's, issue 19): the first round
   * claims from them without reading again. The claim's conditions, not the read, are the guarantee:
   * a plan gone stale is refused by storage, and the next round reads as always.
   */
  chosen?: ClaimPlan[];
}): Promise<HoldAttempt> {
  const { tenant, jobType, postalCode, window, holdId, now } = args;
  const emergency = args.emergency ?? jobType.emergency;
  const dates = window ? [window.date] : searchDates(tenant, now, { emergency });
  const expiresAt = epochSeconds(new Date(now.getTime() + tenant.holdMinutes * 60_000));

  /** The chosen window's candidates as storage holds them now, or why there is none. */
  const readCandidates = async (): Promise<ClaimPlan[] | { reason: HoldAttempt['reason'] }> => {
    const leaving = args.leaving ? new Set([args.leaving]) : undefined;
    const { open, reason } = await availableWindows({ tenant, jobType, postalCode, dates, now, emergency, member: args.member, leaving });
    const usable = args.technicianId
      ? open.map((w) => ({ ...w, candidates: w.candidates.filter((c) => c.technicianId === args.technicianId) })).filter((w) => w.candidates.length)
      : open;
    const chosen = window ? usable.find((w) => w.start === window.start) : usable[0];
    return chosen ? chosen.candidates : { reason: window && usable.length ? 'window_unavailable' : (reason ?? 'fully_booked') };
  };

  let lastReason: HoldAttempt['reason'];
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    args.checkTime?.();
    const candidates = round === 0 && args.chosen?.length ? args.chosen : await readCandidates();
    if (!Array.isArray(candidates)) {
      lastReason = candidates.reason;
      break;
    }
    for (const plan of spreadCandidates(candidates, holdId)) {
      args.checkTime?.();
      const claim = {
        tenantId: tenant.tenantId,
        holdId,
        plan,
        emergency,
        expiresAt,
        bookingId: args.bookingId,
        source: args.source,
        createdAt: now.toISOString(),
      };
      const hold: HoldRecord = { ...claim, status: 'HELD', keys: [] };
      if ((await claimHold(claim, now, args.alongside?.(hold))) === 'won') return { hold, alternatives: [] };
    }
    // Lost every candidate to concurrent claims: back off a little and look again.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25 * (round + 1)));
  }
  args.checkTime?.();
  return {
    reason: lastReason ?? 'fully_booked',
    // What the same request would get with another window: this job (its technician, what it gives back), never the refused window.
    alternatives: args.alternatives
      ? await args.alternatives()
      : await alternativesFor({
          tenant,
          jobType,
          postalCode,
          now,
          emergency,
          member: args.member,
          technicianId: args.technicianId,
          ...(args.leaving ? { leaving: new Set([args.leaving]) } : {}),
          ...(window ? { near: window, except: [window] } : {}),
        }),
  };
}

/**
 * Concurrent callers would all try the same least-busy technician first and collide. Among equally
 * busy technicians, order by a hash of the hold id: each caller starts somewhere else.
 */
export function spreadCandidates<T extends { technicianId: string; techDayIndex: number }>(candidates: T[], holdId: string): T[] {
  const rank = (plan: T) => createHash('sha1').update(`${holdId}:${plan.technicianId}`).digest().readUInt32BE(0);
  return [...candidates].sort((a, b) => a.techDayIndex - b.techDayIndex || rank(a) - rank(b));
}

/**
 * Windows ordered by closeness to the one asked for (issue 15: 409 alternatives started from now):
 * the same day first (closest start first), then the neighbouring days outwards.
 */
export function nearestFirst<T extends { date: string; start: string }>(windows: T[], near: { date: string; start: string }): T[] {
  // A date-only ISO string parses as UTC midnight.
  const day = (date: string) => Date.parse(date) / 86_400_000;
  const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const distance = (w: T) => [Math.abs(day(w.date) - day(near.date)), Math.abs(minutes(w.start) - minutes(near.start))] as const;
  return [...windows].sort((a, b) => {
    const [da, ta] = distance(a);
    const [db, tb] = distance(b);
    return da - db || ta - tb || a.date.localeCompare(b.date) || a.start.localeCompare(b.start);
  });
}

/**
 * The open windows in the horizon for a caller whose choice could not be had: nearest the asked
 * window when there was one (`near`), else the next ones from now.
 */
export async function alternativesFor(args: {
  tenant: Tenant;
  jobType: JobType;
  postalCode: string;
  now: Date;
  emergency?: boolean;
  member?: boolean;
  count?: number;
  near?: { date: string; start: string };
  /** Only windows this technician can take (a reassignment's or a move's technician). */
  technicianId?: string;
  /** A move: the job's current hold, given back when it commits (as holdWindow counts it). */
  leaving?: ReadonlySet<string>;
  /** Never these windows (the one just refused; a move's current one). */
  except?: ReadonlyArray<{ date: string; start: string }>;
  /** As availableWindows' (CheckCapacity: its container's copy of the technicians). */
  readTechnicians?: () => Promise<Technician[]>;
}): Promise<WindowChoice[]> {
  const { technicianId } = args;
  const dates = searchDates(args.tenant, args.now, { emergency: args.emergency });
  const { open } = await availableWindows({ ...args, dates });
  const usable = technicianId ? open.filter((w) => w.candidates.some((c) => c.technicianId === technicianId)) : open;
  const ordered = args.near ? nearestFirst(usable, args.near) : usable;
  return ordered.slice(0, args.count ?? 3).map((w) => asBookedWindow(w));
}
