/**
 * Re-dispatch suggestions, computed on read (ids are deterministic, nothing is stored). A technician
 * is behind when the field reported
 * - an ETA (dispatched / en_route event, `data.eta`) after the end of the job's arrival window
 *   (`late_arrival`), or
 * - a `delayed` event (`data.delayMinutes`): the job they are on runs long (`running_long`).
 * Their next job that day is at risk when the delay is longer than the free time between the two
 * (back-to-back windows: any delay). For it we propose
 * - `move`: the same window with a nearby technician its reschedule naming them would get (booking/
 *   moves.ts techniciansToMoveTo: qualified, covering the postal code, on shift, room in the window,
 *   a daily place the job may take with its reserves; nearest first: drive minutes from where they are before);
 * - `swap`: when a technician who is on time has a later job the late one can still make, the two
 *   jobs exchange technicians (both windows unchanged, nobody's day gets longer): only a swap its
 *   accept takes (booking/reassign.ts placeMoves: minutes or route, daily places with the reserves);
 * - `reschedule`: a low-priority job (not an emergency) to its next open window after the one it is in,
 *   as its reschedule would count it (booking/moves.ts windowsToMoveTo: its own place given back).
 * Each carries the message the customer(s) would get. Accepting goes through rescheduleBooking
 * (move, reschedule) or the atomic reassignTechnicians (swap).
 */
import { instantOf, zonedInstant } from '../shared/zoned-time';
import { coversPostalCode, isQualified } from '../capacity/availability';
import type { HoldRecord } from '../capacity/store';
import { isEmergencyMove, isMemberMove, techniciansToMoveTo, windowsToMoveTo } from '../booking/moves';
import { committedHold, placeMoves } from '../booking/reassign';
import type { BookingRecord } from '../booking/store';
import { composeMessage, messageVariables } from '../notify/catalogue';
import { getCustomer } from '../recognise/store';
import type { DayJob, DispatchDay } from './day';
import { planTechnicians } from './day';
import { travelMinutes } from './geo';

export type SuggestionKind = 'move' | 'swap' | 'reschedule';
type Slot = { technicianId?: string; date: string; start: string; end: string };

export interface Suggestion {
  suggestionId: string;
  kind: SuggestionKind;
  bookingId: string;
  reason: { lateBookingId: string; technicianId: string; lateMinutes: number; cause: 'late_arrival' | 'running_long' };
  from: Slot;
  to: { technicianId?: string; date: string; start: string; end?: string; driveMinutes?: number };
  customerMessage: string;
  /** swap: the other job, which gets the late technician in its own (later) window. */
  swapWith?: { bookingId: string; from: Slot; to: Slot & { driveMinutes: number }; customerMessage: string };
}

const DONE = new Set(['completed', 'invoiced', 'paid', 'cancelled', 'no_show']);
/** A job whose technician is already on the way cannot change hands. */
const UNDERWAY = new Set(['dispatched', 'en_route']);
const ID_PREFIX: Record<SuggestionKind, string> = { move: 'mv', swap: 'sw', reschedule: 'rs' };

export function suggestionId(kind: SuggestionKind, bookingId: string, target: string): string {
  return `${ID_PREFIX[kind]}.${bookingId}.${target.replace(':', '')}`;
}

/**
 * How far behind `job` puts its technician: minutes of a late ETA (after the window end) or of a
 * `delayed` report, whichever is more, with the cause; 0 when on time or the job is finished.
 */
export function lateness(
  job: Pick<DayJob, 'eta' | 'end' | 'jobState' | 'delayMinutes'>,
  date: string,
  zone: string,
): { minutes: number; cause: 'late_arrival' | 'running_long' } {
  if (DONE.has(job.jobState ?? '')) return { minutes: 0, cause: 'late_arrival' };
  let arrival = 0;
  if (job.eta && UNDERWAY.has(job.jobState ?? '')) {
    const windowEnd = zonedInstant(date, zone, job.end);
    arrival = Math.max(0, Math.round((+instantOf(job.eta, 'UTC') - +windowEnd) / 60_000));
  }
  const running = job.delayMinutes ?? 0;
  return running > arrival ? { minutes: running, cause: 'running_long' } : { minutes: arrival, cause: 'late_arrival' };
}

/** Minutes the technician will be late because of `job`, or 0. */
export function lateMinutes(job: Pick<DayJob, 'eta' | 'end' | 'jobState' | 'delayMinutes'>, date: string, zone: string): number {
  return lateness(job, date, zone).minutes;
}

const clockMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The customer's message exactly as it would go out on acceptance: the same kind, tenant template
 * and variables the send worker uses (a same-window move says who comes now; a reschedule, the new
 * window). A template that cannot be filled says so here, as it would open a review item on send.
 */
async function customerMessage(
  day: DispatchDay,
  booking: BookingRecord,
  kind: 'technician_changed' | 'reschedule_confirmation',
  window: { date: string; start: string; end: string },
  technicianName?: string,
): Promise<string> {
  const customer = booking.customerId ? await getCustomer(day.tenant.tenantId, booking.customerId) : undefined;
  const language = customer?.language ?? 'en';
  const vars = messageVariables({
    language,
    timeZone: day.tenant.timeZone,
    address: booking.request.address,
    customerName: customer?.name ?? booking.request.customer.name,
    jobTypeName: day.jobTypes.find((j) => j.jobTypeId === booking.jobTypeId)?.name,
    companyName: day.tenant.name,
    window,
    job: { ...booking.messageVars, ...(technicianName ? { technicianName } : {}) },
  });
  try {
    return await composeMessage(kind, day.tenant.messaging.templates, vars, language);
  } catch (error) {
    return `(not sendable: ${(error as Error).message})`;
  }
}

export async function computeSuggestions(day: DispatchDay, now: Date, options: { maxMoves?: number; maxSwaps?: number } = {}): Promise<Suggestion[]> {
  const zone = day.tenant.timeZone;
  const types = new Map(day.jobTypes.map((j) => [j.jobTypeId, j]));
  const techs = new Map(day.technicians.map((t) => [t.technicianId, t]));
  const shifts = new Map(planTechnicians(day).map((t) => [t.technicianId, t]));
  const byTech = new Map<string, DayJob[]>();
  for (const j of day.jobs) if (j.technicianId) byTech.set(j.technicianId, [...(byTech.get(j.technicianId) ?? []), j]);
  const suggestions: Suggestion[] = [];

  // The committed hold of each job a swap would move (what its accept moves), read once.
  const holds = new Map<string, Promise<HoldRecord | undefined>>();
  const committed = (job: DayJob) => {
    const booking = day.bookings.get(job.bookingId)!;
    if (!holds.has(job.bookingId)) holds.set(job.bookingId, committedHold(day.tenant.tenantId, booking));
    return holds.get(job.bookingId)!;
  };

  const behind = new Set(day.jobs.filter((j) => j.technicianId && lateMinutes(j, day.date, zone) > 0).map((j) => j.technicianId!));

  for (const late of day.jobs) {
    const { minutes, cause } = lateness(late, day.date, zone);
    if (!minutes || !late.technicianId) continue;
    const mine = (byTech.get(late.technicianId) ?? []).sort((a, b) => a.start.localeCompare(b.start));
    const next = mine.find((j) => j.start >= late.end && !DONE.has(j.jobState ?? '') && j.bookingId !== late.bookingId);
    // A job outside every window (a late-night emergency, no window minutes) stays with who accepted it.
    if (!next?.windowStarts.length) continue;
    // Free windows between the two jobs absorb the delay: only a delay longer than the gap puts it at risk.
    if (minutes <= clockMinutes(next.start) - clockMinutes(late.end)) continue;
    const jobType = types.get(next.jobTypeId);
    if (!jobType) continue;
    const booking = day.bookings.get(next.bookingId)!;
    const reason = { lateBookingId: late.bookingId, technicianId: late.technicianId, lateMinutes: minutes, cause };
    const from = { technicianId: next.technicianId, date: day.date, start: next.start, end: next.end };

    // Move: the same window, another technician: only those its reschedule would get (one rule, booking/moves.ts).
    const member = await isMemberMove(booking);
    const movable = new Set(
      await techniciansToMoveTo({ tenant: day.tenant, jobType, booking, now, member, window: { date: day.date, start: next.start }, read: day }),
    );
    const moves = [];
    for (const [id, shift] of shifts) {
      const tech = techs.get(id)!;
      if (id === late.technicianId || !movable.has(id)) continue;
      const theirs = byTech.get(id) ?? [];
      const before = theirs.filter((j) => j.end <= next.start).sort((a, b) => b.start.localeCompare(a.start))[0];
      const driveMinutes = travelMinutes(before?.postalCode ?? shift.basePostalCode ?? next.postalCode, next.postalCode);
      moves.push({ tech, driveMinutes });
    }
    moves.sort((a, b) => a.driveMinutes - b.driveMinutes || a.tech.technicianId.localeCompare(b.tech.technicianId));
    for (const { tech, driveMinutes } of moves.slice(0, options.maxMoves ?? 2)) {
      suggestions.push({
        suggestionId: suggestionId('move', next.bookingId, tech.technicianId),
        kind: 'move',
        bookingId: next.bookingId,
        reason,
        from,
        to: { technicianId: tech.technicianId, date: day.date, start: next.start, end: next.end, driveMinutes },
        customerMessage: await customerMessage(day, booking, 'technician_changed', { date: day.date, start: next.start, end: next.end }, tech.name),
      });
    }

    // Swap: an on-time technician takes this job in its window; the late one takes their later job.
    const lateTech = techs.get(late.technicianId);
    const lateShift = shifts.get(late.technicianId);
    const candidates = [];
    for (const [id, shift] of lateTech && lateShift ? shifts : []) {
      const tech = techs.get(id)!;
      // What needs no read first (the same questions the accept's whyNot asks), the accept's whole rule last.
      if (id === late.technicianId || behind.has(id) || !isQualified(tech, jobType) || !coversPostalCode(tech, next.postalCode)) continue;
      if (!next.windowStarts.every((w) => shift.windowStarts.includes(w))) continue;
      const theirs = byTech.get(id) ?? [];
      for (const other of theirs) {
        const otherType = types.get(other.jobTypeId);
        if (!otherType || !other.windowStarts.length || other.start < next.end || DONE.has(other.jobState ?? '') || UNDERWAY.has(other.jobState ?? ''))
          continue;
        if (!isQualified(lateTech!, otherType) || !coversPostalCode(lateTech!, other.postalCode)) continue;
        if (!other.windowStarts.every((w) => lateShift!.windowStarts.includes(w))) continue;
        // Only a job the late technician can still reach inside its window (behind by `minutes` after the late job).
        const theirsBefore = theirs.filter((j) => j !== other && j.end <= next.start).sort((a, b) => b.start.localeCompare(a.start))[0];
        const mineBefore = mine.filter((j) => j !== next && j.end <= other.start).sort((a, b) => b.start.localeCompare(a.start))[0];
        const driveToNext = travelMinutes(theirsBefore?.postalCode ?? shift.basePostalCode ?? next.postalCode, next.postalCode);
        const driveToOther = travelMinutes(mineBefore?.postalCode ?? lateShift!.basePostalCode ?? other.postalCode, other.postalCode);
        if (clockMinutes(late.end) + minutes + driveToOther > clockMinutes(other.end)) continue;
        candidates.push({ tech, other, otherType, driveToNext, driveToOther });
      }
    }
    candidates.sort((a, b) => a.driveToNext + a.driveToOther - (b.driveToNext + b.driveToOther) || a.other.bookingId.localeCompare(b.other.bookingId));
    // The nearest swaps its accept takes (booking/reassign.ts placeMoves, as reassignTechnicians asks it:
    // both jobs at once, each one's minutes, route and daily place with the reserves).
    const swaps = [];
    for (const swap of candidates) {
      if (swaps.length >= (options.maxSwaps ?? 1)) break;
      const [nextHold, otherHold] = await Promise.all([committed(next), committed(swap.other)]);
      if (!nextHold || !otherHold) continue;
      const jobs = [
        { booking, oldHold: nextHold, jobType, to: swap.tech },
        { booking: day.bookings.get(swap.other.bookingId)!, oldHold: otherHold, jobType: swap.otherType, to: lateTech! },
      ];
      if ('moves' in (await placeMoves({ tenant: day.tenant, jobs, claims: day.claims, at: now }))) swaps.push(swap);
    }
    for (const { tech, other, driveToNext, driveToOther } of swaps) {
      suggestions.push({
        suggestionId: suggestionId('swap', next.bookingId, other.bookingId),
        kind: 'swap',
        bookingId: next.bookingId,
        reason,
        from,
        to: { technicianId: tech.technicianId, date: day.date, start: next.start, end: next.end, driveMinutes: driveToNext },
        customerMessage: await customerMessage(day, booking, 'technician_changed', { date: day.date, start: next.start, end: next.end }, tech.name),
        swapWith: {
          bookingId: other.bookingId,
          from: { technicianId: other.technicianId, date: day.date, start: other.start, end: other.end },
          to: { technicianId: late.technicianId, date: day.date, start: other.start, end: other.end, driveMinutes: driveToOther },
          customerMessage: await customerMessage(
            day,
            day.bookings.get(other.bookingId)!,
            'technician_changed',
            { date: day.date, start: other.start, end: other.end },
            lateTech!.name,
          ),
        },
      });
    }

    // Reschedule a low-priority job to its next open window after the one it is in: one its reschedule
    // would get (booking/moves.ts: its own place given back, so a job at a daily limit keeps its day).
    if (!isEmergencyMove(booking, jobType)) {
      const later = (w: { date: string; start: string }) => w.date > day.date || (w.date === day.date && w.start > next.start);
      const open = (await windowsToMoveTo({ tenant: day.tenant, jobType, booking, now, member, count: Number.POSITIVE_INFINITY })).find(later);
      if (open) {
        suggestions.push({
          suggestionId: suggestionId('reschedule', next.bookingId, `${open.date}_${open.start}`),
          kind: 'reschedule',
          bookingId: next.bookingId,
          reason,
          from,
          to: { date: open.date, start: open.start, end: open.end },
          customerMessage: await customerMessage(day, booking, 'reschedule_confirmation', { date: open.date, start: open.start, end: open.end }),
        });
      }
    }
  }
  return suggestions;
}
