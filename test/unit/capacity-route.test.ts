/**
 * Issue 21 item 4: route feasibility (capacity/route.ts routeOrder) — a technician's jobs of a day
 * fit when some order starts each inside its promised arrival window, with the real drive between
 * consecutive jobs (base first), all done by the day's end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockMinutes, type RouteDay, type RouteStop, routeFits, routeOrder } from '../../functions/capacity/route';
import { travelMinutes } from '../../functions/dispatch/geo';

const day: RouteDay = { basePostalCode: '78701', dayStart: clockMinutes('08:00'), dayEnd: clockMinutes('17:00') };
const window = (start: string, end: string) => ({ from: clockMinutes(start), to: clockMinutes(end) });
const stop = (id: string, postalCode: string, durationMinutes: number, w = window('10:00', '12:00')): RouteStop => ({ id, postalCode, durationMinutes, ...w });

/** Every permutation, checked by walking it: the brute-force answer routeOrder must agree with. */
function bruteForceFits(d: RouteDay, stops: RouteStop[]): boolean {
  const walk = (order: RouteStop[]) => {
    let clock = d.dayStart;
    let at = d.basePostalCode;
    for (const s of order) {
      const start = Math.max(s.from, clock + travelMinutes(at, s.postalCode));
      if (start > s.to) return false;
      clock = start + s.durationMinutes;
      if (clock > d.dayEnd) return false;
      at = s.postalCode;
    }
    return true;
  };
  const permute = (rest: RouteStop[], chosen: RouteStop[]): boolean =>
    rest.length === 0 ? walk(chosen) : rest.some((s, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...chosen, s]));
  return permute(stops, []);
}

/** Replays a plan: each stop starts in its window, after the drive from the one before, and ends by the day's end. */
function replayProblems(d: RouteDay, stops: RouteStop[], plan: NonNullable<ReturnType<typeof routeOrder>>): string[] {
  const byId = new Map(stops.map((s) => [s.id, s]));
  const problems: string[] = [];
  let clock = d.dayStart;
  let at = d.basePostalCode;
  let drive = 0;
  if (plan.order.length !== stops.length || new Set(plan.order.map((o) => o.id)).size !== stops.length) problems.push('not every stop once');
  for (const { id, startsAt } of plan.order) {
    const s = byId.get(id)!;
    const minutes = travelMinutes(at, s.postalCode);
    if (startsAt < clock + minutes) problems.push(`${id} starts before the drive to it ends`);
    if (startsAt < s.from || startsAt > s.to) problems.push(`${id} starts outside its window`);
    clock = startsAt + s.durationMinutes;
    drive += minutes;
    at = s.postalCode;
  }
  if (clock > d.dayEnd) problems.push('ends after the day');
  if (drive !== plan.driveMinutes) problems.push(`drive ${plan.driveMinutes} reported, ${drive} driven`);
  return problems;
}

describe('routeOrder: a technician-day fits by real drives between consecutive jobs', () => {
  it('fits four 30-minute jobs at one address in a two-hour window (the fixed 15-minute buffer allowed two)', () => {
    const stops = [1, 2, 3, 4].map((i) => stop(`j${i}`, '78701', 30));
    const plan = routeOrder(day, stops)!;
    expect(plan).toBeDefined();
    expect(plan.driveMinutes).toBe(0);
    // Each starts inside 10:00-12:00; the fourth at 11:30.
    expect(plan.order.map((o) => o.startsAt)).toEqual([600, 630, 660, 690]);
  });

  it('lets the last job of a window start at its end and run on past it', () => {
    const stops = [stop('a', '78701', 90, window('10:00', '12:00')), stop('b', '78701', 90, window('10:00', '12:00'))];
    const plan = routeOrder(day, stops)!;
    expect(plan.order.map((o) => o.startsAt)).toEqual([600, 690]);
  });

  it('refuses far jobs that near ones would fit: the drive between them is real', () => {
    // North (78727) and far south (78747) are 64 minutes apart.
    expect(travelMinutes('78727', '78747')).toBe(64);
    const far = [stop('a', '78727', 30), stop('b', '78747', 30), stop('c', '78727', 30), stop('d', '78747', 30)];
    expect(routeFits(day, far)).toBe(false);
    expect(routeFits(day, far.slice(0, 2))).toBe(true);
    const near = [stop('a', '78727', 30), stop('b', '78759', 30), stop('c', '78727', 30), stop('d', '78759', 30)];
    expect(routeFits(day, near)).toBe(true);
  });

  it('starts from the base: a job at 08:00 across town is not reached at 08:00', () => {
    const early = stop('a', '78747', 60, window('08:00', '08:10'));
    expect(routeFits(day, [early])).toBe(false);
    expect(routeFits({ ...day, basePostalCode: '78747' }, [early])).toBe(true);
  });

  it('needs every job done by the end of the day', () => {
    expect(routeFits(day, [stop('a', '78701', 240, window('14:00', '16:00'))])).toBe(false);
    expect(routeFits(day, [stop('a', '78701', 180, window('14:00', '16:00'))])).toBe(true);
  });

  it('finds an order that is not the window order (a later window first is never needed, but the order inside a window is)', () => {
    // A 10-12 job near the base and one far away; the 12-14 job is next to the far one.
    const stops = [stop('far', '78759', 60), stop('near', '78701', 60), stop('next', '78759', 60, window('12:00', '14:00'))];
    const plan = routeOrder(day, stops)!;
    expect(plan.order.map((o) => o.id)).toEqual(['near', 'far', 'next']);
  });

  it('an empty day fits; too many stops are refused', () => {
    expect(routeOrder(day, [])).toEqual({ order: [], driveMinutes: 0 });
    expect(
      routeFits(
        day,
        Array.from({ length: 15 }, (_, i) => stop(`j${i}`, '78701', 1, window('08:00', '17:00'))),
      ),
    ).toBe(false);
  });

  it('property: agrees with trying every order, and the order it gives replays as valid', () => {
    const codes = ['78701', '78702', '78704', '78723', '78727', '78745', '78759', '78747'];
    const starts = ['08:00', '10:00', '12:00', '14:00'];
    const arbStop = fc.record({
      postalCode: fc.constantFrom(...codes),
      durationMinutes: fc.constantFrom(30, 45, 60, 90, 105, 120, 210, 240),
      start: fc.constantFrom(...starts),
    });
    fc.assert(
      fc.property(fc.array(arbStop, { minLength: 1, maxLength: 6 }), fc.constantFrom(...codes), (raw, base) => {
        const d = { ...day, basePostalCode: base };
        const stops = raw.map((r, i) => ({
          id: `j${i}`,
          postalCode: r.postalCode,
          durationMinutes: r.durationMinutes,
          from: clockMinutes(r.start),
          to: clockMinutes(r.start) + 120,
        }));
        const plan = routeOrder(d, stops);
        expect(plan !== undefined).toBe(bruteForceFits(d, stops));
        if (plan) expect(replayProblems(d, stops, plan)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
