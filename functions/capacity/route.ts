/**
 * Route feasibility (issue 21 item 4): can one technician do these jobs in one day, each starting
 * inside the arrival window promised to its customer, driving between consecutive jobs (base first,
 * dispatch/geo.ts travelMinutes), every job done by the end of the day? Replaces the fixed travel
 * buffer of the `buffer` travel model: near jobs cost what they really drive, and the last job of a
 * window may run on past the window's end.
 *
 * Pure. Written by hand (no well-kept library decides a single vehicle's time windows this small):
 * a technician has a handful of jobs a day, so an exact dynamic programme over subsets is cheap
 * (2^n x n states: n = 8 is 2,048 states). State (jobs done, last job) keeps the earliest time the
 * last one can be finished; waiting is allowed, so an earlier finish is never worse, and the
 * programme is exact: it finds an order whenever one exists.
 */
import { travelMinutes } from '../dispatch/geo';

export interface RouteStop {
  /** The claim's id (a hold id), or any id unique in the route. */
  id: string;
  postalCode: string;
  durationMinutes: number;
  /** The arrival window promised to the customer, minutes after local midnight: the job starts in [from, to]. */
  from: number;
  to: number;
}

export interface RouteDay {
  /** Where the technician's day starts. */
  basePostalCode: string;
  /** Earliest the technician leaves the base (shift start), and the time every job must be done by (shift end), minutes after midnight. */
  dayStart: number;
  dayEnd: number;
}

export interface RoutePlan {
  /** The stops in driving order, each with the minute it starts. */
  order: Array<{ id: string; startsAt: number }>;
  /** Drive minutes of the route (base first, not back). */
  driveMinutes: number;
}

/** More stops than this are refused outright (2^n states): a day's route is a handful of jobs. */
export const MAX_ROUTE_STOPS = 14;

/** "HH:mm" to minutes after midnight. */
export const clockMinutes = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * An order of the stops that starts each inside its window and ends by `dayEnd`, or undefined when
 * none exists. Among orders it prefers the earliest finish, then the least driving.
 */
export function routeOrder(day: RouteDay, stops: RouteStop[], travel: (from: string, to: string) => number = travelMinutes): RoutePlan | undefined {
  const n = stops.length;
  if (n === 0) return { order: [], driveMinutes: 0 };
  if (n > MAX_ROUTE_STOPS) return undefined;
  const full = (1 << n) - 1;
  const size = (1 << n) * n;
  const finish = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const drive = new Float64Array(size);
  const previous = new Int32Array(size).fill(-1);
  const at = (mask: number, last: number) => mask * n + last;
  const arc = stops.map((a) => stops.map((b) => travel(a.postalCode, b.postalCode)));
  const better = (i: number, f: number, d: number) => f < finish[i]! || (f === finish[i]! && d < drive[i]!);
  stops.forEach((s, i) => {
    const minutes = travel(day.basePostalCode, s.postalCode);
    const start = Math.max(s.from, day.dayStart + minutes);
    const done = start + s.durationMinutes;
    if (start <= s.to && done <= day.dayEnd) {
      const k = at(1 << i, i);
      finish[k] = done;
      drive[k] = minutes;
    }
  });
  // Masks grow in numeric order, so every subset is final before a larger one reads it.
  for (let mask = 1; mask <= full; mask++) {
    for (let last = 0; last < n; last++) {
      const k = at(mask, last);
      if (finish[k] === Number.POSITIVE_INFINITY) continue;
      for (let next = 0; next < n; next++) {
        if (mask & (1 << next)) continue;
        const s = stops[next]!;
        const start = Math.max(s.from, finish[k]! + arc[last]![next]!);
        const done = start + s.durationMinutes;
        if (start > s.to || done > day.dayEnd) continue;
        const j = at(mask | (1 << next), next);
        const d = drive[k]! + arc[last]![next]!;
        if (better(j, done, d)) {
          finish[j] = done;
          drive[j] = d;
          previous[j] = last;
        }
      }
    }
  }
  // The end with the earliest finish, then the least driving.
  let last = -1;
  for (let i = 0; i < n; i++) {
    const k = at(full, i);
    if (finish[k] === Number.POSITIVE_INFINITY) continue;
    if (last < 0 || finish[k]! < finish[at(full, last)]! || (finish[k] === finish[at(full, last)] && drive[k]! < drive[at(full, last)]!)) last = i;
  }
  if (last < 0) return undefined;
  const driveMinutes = drive[at(full, last)]!;
  const ids: number[] = [];
  for (let mask = full, i = last; i >= 0; ) {
    ids.push(i);
    const p = previous[at(mask, i)]!;
    mask &= ~(1 << i);
    i = p;
  }
  ids.reverse();
  // Start times replayed forward along the order found.
  let clock = day.dayStart;
  let from = day.basePostalCode;
  const order = ids.map((i) => {
    const s = stops[i]!;
    const startsAt = Math.max(s.from, clock + travel(from, s.postalCode));
    clock = startsAt + s.durationMinutes;
    from = s.postalCode;
    return { id: s.id, startsAt };
  });
  return { order, driveMinutes };
}

/** Does a route exist with every stop (see routeOrder)? */
export function routeFits(day: RouteDay, stops: RouteStop[], travel?: (from: string, to: string) => number): boolean {
  return routeOrder(day, stops, travel) !== undefined;
}
