/**
 * Day plans under the `route` travel model (issue 21 item 4): a technician can take a set of jobs
 * when capacity/route.ts finds an order that starts each inside its arrival window with the real
 * drive between consecutive jobs (base first) and ends by the shift's end — the rule the booking
 * engine claims by under that model. Pure. Here:
 * - routeFcfsAssign: what the booking engine does (arrival order, the customer's first acceptable
 *   window, least busy technician whose route still fits);
 * - routePlanAssign: a packing plan (least flexible and longest jobs first, each where it adds the
 *   least drive), improved by inserting each unserved job after moving one job out of its way;
 * - routeJobsBound: an upper bound on the jobs any valid plan serves, from a relaxation solved in
 *   HiGHS (./solver.ts solveLp): per technician, each job's minutes on site plus its cheapest
 *   possible drive in, summed over the jobs arriving by a window's end, fit between the shift's start
 *   and that window's end plus the longest such job (the last may run on), and the whole day fits
 *   the shift; daily job limits; each job once.
 */
import { UNIT_MINUTES } from '../capacity/availability';
import { clockMinutes, type RoutePlan, type RouteStop, routeOrder } from '../capacity/route';
import { basePostalCode, travelMinutes } from './geo';
import {
  type Assignment,
  assignmentProblems,
  binaryAndEnd,
  canServe,
  metrics,
  type PlanDay,
  type PlanJob,
  type PlanMetrics,
  type PlanTechnician,
} from './plan';

/** The shift end used when a technician has none (the generated days' trucks work 08:00-17:00). */
export const DEFAULT_SHIFT_END = '17:00';

function base(tech: PlanTechnician): string {
  return tech.basePostalCode ?? basePostalCode(tech.postalCodes);
}

function routeDay(day: PlanDay, tech: PlanTechnician) {
  return {
    basePostalCode: base(tech),
    dayStart: clockMinutes(tech.shiftStart ?? tech.windowStarts[0] ?? day.windows[0]!.start),
    dayEnd: clockMinutes(tech.shiftEnd ?? DEFAULT_SHIFT_END),
  };
}

/**
 * What the plan does not move on a technician's day, as route stops the way the booking engine
 * sees them (capacity/availability.ts routeStopsOf): a route claim (a hold of a booking in progress)
 * where its job is, in its window; other minutes others hold in a window (a buffer-model hold, a job
 * the plan leaves) as a block at the base that ends by the window's end; a pinned job (an accepted
 * emergency) where it is, at its own time.
 */
function fixedStops(day: PlanDay, tech: PlanTechnician): RouteStop[] {
  const stops: RouteStop[] = [];
  const held = tech.heldStops ?? [];
  for (const s of held) {
    const w = day.windows.find((x) => x.start === s.start);
    if (w) stops.push({ id: s.id, postalCode: s.postalCode, durationMinutes: s.durationMinutes, from: clockMinutes(w.start), to: clockMinutes(w.end) });
  }
  for (const [start, used] of Object.entries(tech.usedUnits ?? {})) {
    const w = day.windows.find((x) => x.start === start);
    // The held stops' own units are not a block at the base too.
    const units = used - held.filter((s) => s.start === start).reduce((n, s) => n + s.units, 0);
    if (!w || units <= 0) continue;
    const minutes = units * UNIT_MINUTES;
    const from = clockMinutes(w.start);
    stops.push({ id: `block:${start}`, postalCode: base(tech), durationMinutes: minutes, from, to: Math.max(from, clockMinutes(w.end) - minutes) });
  }
  for (const p of tech.pinnedStops ?? []) {
    const at = clockMinutes(p.start);
    stops.push({ id: `pinned:${p.jobId}`, postalCode: p.postalCode, durationMinutes: 0, from: at, to: at });
  }
  return stops;
}

/** Routes already worked out, by technician and jobs (one search asks for the same route many times). */
type RouteCache = Map<string, RoutePlan | undefined>;

function stopOf(day: PlanDay, job: PlanJob, start: string): RouteStop {
  const w = day.windows.find((x) => x.start === start)!;
  return { id: job.jobId, postalCode: job.postalCode, durationMinutes: job.durationMinutes ?? 0, from: clockMinutes(w.start), to: clockMinutes(w.end) };
}

/** A job's minutes on site (a job with no duration: its windows' length). */
function minutesOf(day: PlanDay, job: PlanJob): number {
  if (job.durationMinutes !== undefined) return job.durationMinutes;
  const w = day.windows[0]!;
  return (clockMinutes(w.end) - clockMinutes(w.start)) * job.durationWindows;
}

/** The day's routes held per technician: assignments and stops, with checks by capacity/route.ts. */
class Routes {
  readonly byTech = new Map<string, Assignment[]>();
  readonly jobs: Map<string, PlanJob>;
  constructor(
    private readonly day: PlanDay,
    private readonly cache: RouteCache = new Map(),
  ) {
    this.jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  }
  of(technicianId: string): Assignment[] {
    return this.byTech.get(technicianId) ?? [];
  }
  /** The route (order, drive minutes) with these assignments, or undefined when they do not fit. */
  route(tech: PlanTechnician, assignments: Assignment[]): RoutePlan | undefined {
    if (assignments.length > tech.dailyJobLimit) return undefined;
    const key = `${tech.technicianId}|${assignments
      .map((a) => `${a.jobId}@${a.start}`)
      .sort()
      .join(',')}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const found = routeOrder(routeDay(this.day, tech), [
      ...fixedStops(this.day, tech),
      ...assignments.map((a) => ({ ...stopOf(this.day, this.jobs.get(a.jobId)!, a.start), durationMinutes: minutesOf(this.day, this.jobs.get(a.jobId)!) })),
    ]);
    this.cache.set(key, found);
    return found;
  }
  drive(tech: PlanTechnician): number {
    return this.route(tech, this.of(tech.technicianId))?.driveMinutes ?? 0;
  }
  /** Added drive minutes if the job arriving in `start` joins the technician, or undefined when it does not fit. */
  costOf(tech: PlanTechnician, job: PlanJob, start: string): number | undefined {
    const with_ = this.route(tech, [...this.of(tech.technicianId), assignmentOf(job, tech, start)]);
    return with_ ? with_.driveMinutes - this.drive(tech) : undefined;
  }
  add(a: Assignment) {
    this.byTech.set(a.technicianId, [...this.of(a.technicianId), a]);
  }
  remove(a: Assignment) {
    this.byTech.set(
      a.technicianId,
      this.of(a.technicianId).filter((x) => x.jobId !== a.jobId),
    );
  }
  all(): Assignment[] {
    return [...this.byTech.values()].flat();
  }
}

function assignmentOf(job: PlanJob, tech: PlanTechnician, start: string): Assignment {
  return { jobId: job.jobId, technicianId: tech.technicianId, start, windowStarts: [start] };
}

function candidates(day: PlanDay, job: PlanJob): Array<{ tech: PlanTechnician; start: string }> {
  return job.windows.flatMap((start) => day.technicians.filter((t) => canServe(t, job) && t.windowStarts.includes(start)).map((tech) => ({ tech, start })));
}

/** The booking engine under the route model: arrival order, first acceptable window, least busy technician (then id) whose route fits. */
export function routeFcfsAssign(day: PlanDay): Assignment[] {
  const routes = new Routes(day);
  for (const job of [...day.jobs].sort((a, b) => a.order - b.order)) {
    for (const start of job.windows) {
      const fits = day.technicians
        .filter((t) => canServe(t, job) && t.windowStarts.includes(start))
        .sort((a, b) => routes.of(a.technicianId).length - routes.of(b.technicianId).length || a.technicianId.localeCompare(b.technicianId))
        .find((t) => routes.costOf(t, job, start) !== undefined);
      if (!fits) continue;
      routes.add(assignmentOf(job, fits, start));
      break;
    }
  }
  return routes.all();
}

/** A route-model search's outcome: the plan, and what the time budget cut (undefined: nothing). */
export interface RouteSearch {
  assignments: Assignment[];
  /** What the deadline stopped, in words (undefined: the search ran to its end). */
  cut?: string;
  /** Perturbed packings tried after the first two plans. */
  restarts: number;
}

/**
 * A route-model plan: packing (least flexible, longest first; least added drive), then insertion
 * with one relocation, from `start` too; then, while `budgetSeconds` lasts, the same from packings
 * in perturbed orders (seeded, so runs repeat). The best: most jobs, then least drive.
 */
export function routePlanAssign(
  day: PlanDay,
  start: Assignment[] = routeFcfsAssign(day),
  opts: { budgetSeconds?: number; restarts?: number } = {},
): Assignment[] {
  return routePlanSearch(day, start, opts).assignments;
}

/**
 * routePlanAssign with a hard deadline (`deadline`, a performance.now() instant): every step stops
 * there and the best valid plan found so far is returned, with what was cut. The plan found from
 * `start` comes first, so a cut search is never worse than `start`. `keep`: jobs every plan
 * returned must serve (a booked job cannot be left without a technician).
 */
export function routePlanSearch(
  day: PlanDay,
  start: Assignment[],
  opts: { budgetSeconds?: number; restarts?: number; deadline?: number; keep?: Set<string> } = {},
): RouteSearch {
  const began = performance.now();
  const budget = (opts.budgetSeconds ?? 10) * 1000;
  const deadline = Math.min(opts.deadline ?? Number.POSITIVE_INFINITY, began + budget);
  const late = () => performance.now() > deadline;
  const cuts: string[] = [];
  const cache: RouteCache = new Map();
  const choices = new Map(day.jobs.map((j) => [j.jobId, candidates(day, j)]));
  // Jobs every plan must serve (`keep`) are packed first: a packing that leaves one out is no plan.
  const kept = (j: PlanJob) => (opts.keep?.has(j.jobId) ? 0 : 1);
  const byFlexibility = (noise: () => number) => {
    const key = new Map(day.jobs.map((j) => [j.jobId, [choices.get(j.jobId)!.length * (1 + noise()), minutesOf(day, j) * (1 + noise())] as const]));
    return [...day.jobs].sort(
      (a, b) => kept(a) - kept(b) || key.get(a.jobId)![0] - key.get(b.jobId)![0] || key.get(b.jobId)![1] - key.get(a.jobId)![1] || a.order - b.order,
    );
  };
  const ordered = byFlexibility(() => 0);
  const packed = (order: PlanJob[]) => {
    const pack = new Routes(day, cache);
    for (const job of order) {
      if (late()) return undefined;
      let best: { tech: PlanTechnician; start: string; cost: number } | undefined;
      for (const o of choices.get(job.jobId)!) {
        const cost = pack.costOf(o.tech, job, o.start);
        if (cost !== undefined && (!best || cost < best.cost)) best = { ...o, cost };
      }
      if (best) pack.add(assignmentOf(job, best.tech, best.start));
    }
    return pack;
  };
  const improve = (routes: Routes, label: string) => {
    const served = new Set(routes.all().map((a) => a.jobId));
    for (const job of ordered) {
      if (served.has(job.jobId)) continue;
      if (late()) {
        cuts.push(`insertion of unserved jobs into ${label}`);
        break;
      }
      const mine = choices.get(job.jobId)!;
      const direct = mine
        .map((o) => ({ o, cost: routes.costOf(o.tech, job, o.start) }))
        .filter((x) => x.cost !== undefined)
        .sort((x, y) => x.cost! - y.cost!)[0];
      if (direct) {
        routes.add(assignmentOf(job, direct.o.tech, direct.o.start));
        served.add(job.jobId);
        continue;
      }
      // One job of that technician out of the way, moved to another technician or window where it fits.
      outer: for (const o of mine) {
        for (const other of routes.of(o.tech.technicianId)) {
          routes.remove(other);
          if (routes.costOf(o.tech, job, o.start) !== undefined) {
            routes.add(assignmentOf(job, o.tech, o.start));
            const otherJob = routes.jobs.get(other.jobId)!;
            for (const p of choices.get(other.jobId)!) {
              if (p.tech.technicianId === other.technicianId && p.start === other.start) continue;
              if (routes.costOf(p.tech, otherJob, p.start) !== undefined) {
                routes.add(assignmentOf(otherJob, p.tech, p.start));
                served.add(job.jobId);
                break outer;
              }
            }
            routes.remove(assignmentOf(job, o.tech, o.start));
          }
          routes.add(other);
        }
      }
    }
    return routes.all();
  };
  // Each job of a technician to another technician or window where the day drives less (same jobs served).
  const relocate = (plan: Assignment[], label: string) => {
    const routes = new Routes(day, cache);
    for (const a of plan) routes.add(a);
    for (let improved = true; improved; ) {
      improved = false;
      for (const a of routes.all()) {
        if (late()) {
          cuts.push(`drive-saving moves in ${label}`);
          return routes.all();
        }
        const tech = day.technicians.find((t) => t.technicianId === a.technicianId)!;
        const before = routes.drive(tech);
        routes.remove(a);
        const saved = before - routes.drive(tech);
        const job = routes.jobs.get(a.jobId)!;
        const better = choices
          .get(a.jobId)!
          .filter((o) => o.tech.technicianId !== a.technicianId || o.start !== a.start)
          .map((o) => ({ o, cost: routes.costOf(o.tech, job, o.start) }))
          .filter((x) => x.cost !== undefined && x.cost < saved)
          .sort((x, y) => x.cost! - y.cost!)[0];
        if (better) {
          routes.add(assignmentOf(job, better.o.tech, better.o.start));
          improved = true;
        } else routes.add(a);
      }
      if (improved) continue;
      // Two jobs of two technicians, each in its own window, trade technicians where both days then drive less.
      const techOf = new Map(day.technicians.map((t) => [t.technicianId, t]));
      const can = (job: PlanJob, tech: PlanTechnician, start: string) => choices.get(job.jobId)!.some((o) => o.tech === tech && o.start === start);
      swaps: for (const a of routes.all()) {
        for (const b of routes.all()) {
          if (late()) {
            cuts.push(`swaps in ${label}`);
            return routes.all();
          }
          if (a.technicianId >= b.technicianId) continue;
          const [ta, tb] = [techOf.get(a.technicianId)!, techOf.get(b.technicianId)!];
          const [ja, jb] = [routes.jobs.get(a.jobId)!, routes.jobs.get(b.jobId)!];
          if (!can(ja, tb, a.start) || !can(jb, ta, b.start)) continue;
          const before = routes.drive(ta) + routes.drive(tb);
          const newA = [...routes.of(ta.technicianId).filter((x) => x.jobId !== a.jobId), assignmentOf(jb, ta, b.start)];
          const newB = [...routes.of(tb.technicianId).filter((x) => x.jobId !== b.jobId), assignmentOf(ja, tb, a.start)];
          const [ra, rb] = [routes.route(ta, newA), routes.route(tb, newB)];
          if (!ra || !rb || ra.driveMinutes + rb.driveMinutes >= before) continue;
          routes.byTech.set(ta.technicianId, newA);
          routes.byTech.set(tb.technicianId, newB);
          improved = true;
          break swaps;
        }
      }
    }
    return routes.all();
  };
  const fromStart = new Routes(day, cache);
  for (const a of start) fromStart.add(a);
  const plans = [relocate(improve(fromStart, 'the plan from the real assignment'), 'the plan from the real assignment')];
  const first = packed(ordered);
  if (first) plans.push(relocate(improve(first, 'the packing plan'), 'the packing plan'));
  else cuts.push('the packing plan');
  // Restarts from perturbed packings while the budget lasts.
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 4294967296;
  };
  const most = opts.restarts ?? 50;
  let restarts = 0;
  for (; restarts < most && !late(); restarts++) {
    const pack = packed(byFlexibility(() => 0.6 * random()));
    if (!pack) break;
    plans.push(relocate(improve(pack, 'a restart'), 'a restart'));
  }
  if (restarts < most && late() && first) cuts.push(`restarts (${restarts} of ${most} done)`);
  const keep = opts.keep ?? new Set<string>();
  const drive = (a: Assignment[]) => routeDriveMinutes(day, a, cache);
  const keeping = plans.filter((p) => [...keep].every((id) => p.some((a) => a.jobId === id)));
  const assignments = (keeping.length ? keeping : plans.slice(0, 1)).reduce((a, b) =>
    b.length > a.length || (b.length === a.length && drive(b) < drive(a)) ? b : a,
  );
  return { assignments, cut: cuts.length ? [...new Set(cuts)].join('; ') : undefined, restarts };
}

/** Drive minutes of every technician's route (each in the order capacity/route.ts finds). */
export function routeDriveMinutes(day: PlanDay, assignments: Assignment[], cache?: RouteCache): number {
  const routes = new Routes(day, cache);
  for (const a of assignments) routes.add(a);
  return day.technicians.reduce((s, t) => s + routes.drive(t), 0);
}

/** Everything wrong with a route-model assignment (empty when valid): qualified, acceptable window, each technician's route fits. */
export function validateRoutes(day: PlanDay, assignments: Assignment[]): string[] {
  const problems: string[] = [];
  const routes = new Routes(day);
  const seen = new Set<string>();
  for (const a of assignments) {
    const job = routes.jobs.get(a.jobId);
    const tech = day.technicians.find((t) => t.technicianId === a.technicianId);
    if (!job || !tech) {
      problems.push(`${a.jobId}: unknown job or technician`);
      continue;
    }
    problems.push(...assignmentProblems(a, job, tech, seen));
    if (!tech.windowStarts.includes(a.start)) problems.push(`${a.jobId}: window ${a.start} off shift`);
    routes.add(a);
  }
  for (const tech of day.technicians)
    if (routes.of(tech.technicianId).length && !routes.route(tech, routes.of(tech.technicianId))) problems.push(`${tech.technicianId}: no route fits`);
  return problems;
}

/**
 * The relaxation behind routeJobsBound, in CPLEX LP format: x per (job, technician, window) column;
 * each job once; daily limits; per technician and window w, the jobs arriving in w or before take
 * (minutes on site + cheapest drive in) at most w.end - shift start + the longest of them; the whole
 * day at most the shift. Every valid route satisfies it (each job is reached by some drive at least
 * its cheapest, and every job arriving by w.end starts by then), so its optimum bounds the jobs served.
 */
export function routeBoundModel(day: PlanDay): { lp: string; columns: number } {
  const cols: Array<{ name: string; job: PlanJob; tech: PlanTechnician; w: number; size: number }> = [];
  const windowIndex = new Map(day.windows.map((w, i) => [w.start, i]));
  day.jobs.forEach((job, ji) => {
    for (const { tech, start } of candidates(day, job)) {
      const ti = day.technicians.indexOf(tech);
      const others = day.jobs.filter((o) => o !== job && canServe(tech, o)).map((o) => travelMinutes(o.postalCode, job.postalCode));
      const minIn = Math.min(travelMinutes(base(tech), job.postalCode), ...others);
      cols.push({ name: `x${ji}_${ti}_${start.replace(':', '')}`, job, tech, w: windowIndex.get(start)!, size: minutesOf(day, job) + minIn });
    }
  });
  const lines = ['Maximize', ' obj:'];
  for (let i = 0; i < cols.length; i += 50)
    lines.push(
      `  ${cols
        .slice(i, i + 50)
        .map((c) => `+ 1 ${c.name}`)
        .join(' ')}`,
    );
  if (!cols.length) lines.push('  0 dummy');
  lines.push('Subject To');
  let rows = 0;
  const byJob = new Map<PlanJob, string[]>();
  for (const c of cols) byJob.set(c.job, [...(byJob.get(c.job) ?? []), c.name]);
  for (const names of byJob.values()) if (names.length > 1) lines.push(` j${rows++}: ${names.join(' + ')} <= 1`);
  for (const tech of day.technicians) {
    const mine = cols.filter((c) => c.tech === tech);
    if (!mine.length) continue;
    const dayRoute = routeDay(day, tech);
    if (mine.length > tech.dailyJobLimit) lines.push(` d${rows++}: ${mine.map((c) => c.name).join(' + ')} <= ${tech.dailyJobLimit}`);
    day.windows.forEach((w, wi) => {
      const early = mine.filter((c) => c.w <= wi);
      if (!early.length) return;
      const cap = Math.min(dayRoute.dayEnd, clockMinutes(w.end) + Math.max(...early.map((c) => minutesOf(day, c.job)))) - dayRoute.dayStart;
      lines.push(` t${rows++}: ${early.map((c) => `${c.size} ${c.name}`).join(' + ')} <= ${cap}`);
    });
  }
  if (!rows && cols.length) lines.push(` cap: ${cols[0]!.name} <= 1`);
  lines.push(...binaryAndEnd(cols.map((c) => c.name)));
  return { lp: lines.join('\n'), columns: cols.length };
}

/** Above this many arcs the drive bound's HiGHS run is not tried within an API call's budget (measured: 30,000 arcs ran 134 s past an 8 s limit; a 12-truck day has ~1,000). */
export const ROUTE_BOUND_MAX_ARCS = 5_000;

/**
 * A lower bound on the route drive minutes of any valid plan serving at least `served` of the day's
 * jobs, every job of `keep` among them (the booked jobs beside optional ones), as a MIP (CPLEX LP format) for HiGHS (./solver.ts solveLp, whose dual bound is proved even
 * when the time limit stops it): a route enters each job it serves by one arc, from a technician's
 * base (each technician leaves once) or from another job some technician could do before it; each
 * job is left at most once; each job starts inside its windows, and an arc i -> j makes j start
 * after i's start + minutes on site + the drive (which rules out cycles). Paths may pass between
 * technicians who share jobs, and the stops the plan does not move are left out: every valid plan's
 * routes satisfy it, so its optimum (and any dual bound) bounds what routeDriveMinutes reports.
 * `cheapest`: the weaker bound needing no solver (the `served` cheapest arcs into distinct jobs).
 * `lp` is undefined when the day has more than ROUTE_BOUND_MAX_ARCS arcs.
 */
export function routeDriveBoundModel(day: PlanDay, served: number, keep?: ReadonlySet<string>): { lp?: string; arcs: number; cheapest: number } {
  // Jobs every plan serves (booked ones, beside optional waiting callers): entered exactly once.
  const kept = (ji: number) => Boolean(keep?.has(day.jobs[ji]!.jobId));
  const span = day.jobs.map((j) => {
    const ws = day.windows.filter((w) => j.windows.includes(w.start));
    return { from: Math.min(...ws.map((w) => clockMinutes(w.start))), to: Math.max(...ws.map((w) => clockMinutes(w.end))) };
  });
  const techsOf = day.jobs.map((j) => new Set(candidates(day, j).map((c) => day.technicians.indexOf(c.tech))));
  const onSite = day.jobs.map((j) => minutesOf(day, j));
  const arcs: Array<{ name: string; from?: number; tech?: number; to: number; minutes: number }> = [];
  day.jobs.forEach((job, ji) => {
    const { to } = span[ji]!;
    for (const ti of techsOf[ji]!) {
      const tech = day.technicians[ti]!;
      const minutes = travelMinutes(base(tech), job.postalCode);
      if (routeDay(day, tech).dayStart + minutes <= to) arcs.push({ name: `s${ti}_${ji}`, tech: ti, to: ji, minutes });
    }
    day.jobs.forEach((before, bi) => {
      if (bi === ji || ![...techsOf[bi]!].some((t) => techsOf[ji]!.has(t))) return;
      const minutes = travelMinutes(before.postalCode, job.postalCode);
      if (span[bi]!.from + onSite[bi]! + minutes <= to) arcs.push({ name: `y${bi}_${ji}`, from: bi, to: ji, minutes });
    });
  });
  // The cheapest arc into each job; for a kept job also the cheapest from a base or another kept job:
  // only as many kept jobs as optional jobs served can be entered from an optional one (each is left once).
  const minIn = new Map<number, number>();
  const minFromKept = new Map<number, number>();
  for (const a of arcs) {
    minIn.set(a.to, Math.min(minIn.get(a.to) ?? Number.POSITIVE_INFINITY, a.minutes));
    if (a.from === undefined || kept(a.from)) minFromKept.set(a.to, Math.min(minFromKept.get(a.to) ?? Number.POSITIVE_INFINITY, a.minutes));
  }
  const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);
  const keptJobs = [...minIn.keys()].filter(kept);
  const optionalServed = Math.max(0, served - keptJobs.length);
  const forced = keptJobs.filter((ji) => !minFromKept.has(ji));
  const savings = keptJobs
    .filter((ji) => minFromKept.has(ji))
    .map((ji) => minFromKept.get(ji)! - minIn.get(ji)!)
    .sort((a, b) => b - a)
    .slice(0, Math.max(0, optionalServed - forced.length));
  const cheapest =
    sum(keptJobs.map((ji) => minFromKept.get(ji) ?? minIn.get(ji)!)) -
    sum(savings) +
    sum(
      [...minIn]
        .filter(([ji]) => !kept(ji))
        .map(([, minutes]) => minutes)
        .sort((a, b) => a - b)
        .slice(0, optionalServed),
    );
  if (arcs.length > ROUTE_BOUND_MAX_ARCS) return { arcs: arcs.length, cheapest };
  const group = (key: (a: (typeof arcs)[number]) => number | undefined) => {
    const out = new Map<number, string[]>();
    for (const a of arcs) {
      const k = key(a);
      if (k === undefined) continue;
      const list = out.get(k);
      if (list) list.push(a.name);
      else out.set(k, [a.name]);
    }
    return out;
  };
  const lines = ['Minimize', ' obj:'];
  const terms = arcs.map((a) => `+ ${a.minutes} ${a.name}`);
  for (let i = 0; i < terms.length; i += 50) lines.push(`  ${terms.slice(i, i + 50).join(' ')}`);
  if (!terms.length) lines.push('  0 dummy');
  lines.push('Subject To');
  let rows = 0;
  const into = group((a) => a.to);
  for (const [ji, names] of into) lines.push(` i${rows++}: ${names.join(' + ')} ${kept(ji) ? '=' : '<='} 1`);
  for (const names of group((a) => a.from).values()) lines.push(` o${rows++}: ${names.join(' + ')} <= 1`);
  for (const names of group((a) => a.tech).values()) lines.push(` b${rows++}: ${names.join(' + ')} <= 1`);
  // A route leaves only a job it served (entered): without it, a job no plan serves would be a free start next to the others.
  for (const [ji, out] of group((a) => a.from)) lines.push(` f${rows++}: ${out.join(' + ')}${(into.get(ji) ?? []).map((n) => ` - ${n}`).join('')} <= 0`);
  lines.push(arcs.length ? ` served: ${arcs.map((a) => a.name).join(' + ')} >= ${served}` : ' served: dummy >= 0');
  // Start times: j starts after i's start, its minutes on site and the drive when i -> j (big M as small as the windows allow).
  for (const a of arcs) {
    const j = span[a.to]!;
    if (a.from === undefined) {
      const late = routeDay(day, day.technicians[a.tech!]!).dayStart + a.minutes - j.from;
      if (late > 0) lines.push(` t${rows++}: t${a.to} - ${late} ${a.name} >= ${j.from}`);
      continue;
    }
    const i = span[a.from]!;
    const big = i.to + onSite[a.from]! + a.minutes - j.from;
    if (big > 0) lines.push(` t${rows++}: t${a.to} - t${a.from} - ${big} ${a.name} >= ${onSite[a.from]! + a.minutes - big}`);
  }
  lines.push('Bounds');
  lines.push(...span.map((w, ji) => ` ${w.from} <= t${ji} <= ${w.to}`));
  lines.push(...binaryAndEnd(arcs.map((a) => a.name)));
  return { lp: lines.join('\n'), arcs: arcs.length, cheapest };
}

/** The plan metrics under the route travel model: drive minutes of the real routes (routeDriveMinutes); no hop limit (every route is time-checked). */
export function routeMetrics(day: PlanDay, assignments: Assignment[]): PlanMetrics {
  return { ...metrics(day, assignments), driveMinutes: routeDriveMinutes(day, assignments), longHops: 0 };
}
