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
import { clockMinutes, type RouteStop, routeOrder } from '../capacity/route';
import { basePostalCode, travelMinutes } from './geo';
import { type Assignment, assignmentProblems, binaryAndEnd, canServe, type PlanDay, type PlanJob, type PlanTechnician } from './plan';

/** The shift end used when a technician has none (the generated days' trucks work 08:00-17:00). */
export const DEFAULT_SHIFT_END = '17:00';

function base(tech: PlanTechnician): string {
  return tech.basePostalCode ?? basePostalCode(tech.postalCodes);
}

function routeDay(day: PlanDay, tech: PlanTechnician) {
  return {
    basePostalCode: base(tech),
    dayStart: clockMinutes(tech.windowStarts[0] ?? day.windows[0]!.start),
    dayEnd: clockMinutes(tech.shiftEnd ?? DEFAULT_SHIFT_END),
  };
}

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
  constructor(private readonly day: PlanDay) {
    this.jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  }
  of(technicianId: string): Assignment[] {
    return this.byTech.get(technicianId) ?? [];
  }
  /** The route (order, drive minutes) with these assignments, or undefined when they do not fit. */
  route(tech: PlanTechnician, assignments: Assignment[]) {
    if (assignments.length > tech.dailyJobLimit) return undefined;
    return routeOrder(
      routeDay(this.day, tech),
      assignments.map((a) => ({ ...stopOf(this.day, this.jobs.get(a.jobId)!, a.start), durationMinutes: minutesOf(this.day, this.jobs.get(a.jobId)!) })),
    );
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
  const began = performance.now();
  const choices = new Map(day.jobs.map((j) => [j.jobId, candidates(day, j)]));
  const byFlexibility = (noise: () => number) => {
    const key = new Map(day.jobs.map((j) => [j.jobId, [choices.get(j.jobId)!.length * (1 + noise()), minutesOf(day, j) * (1 + noise())] as const]));
    return [...day.jobs].sort((a, b) => key.get(a.jobId)![0] - key.get(b.jobId)![0] || key.get(b.jobId)![1] - key.get(a.jobId)![1] || a.order - b.order);
  };
  const ordered = byFlexibility(() => 0);
  const packed = (order: PlanJob[]) => {
    const pack = new Routes(day);
    for (const job of order) {
      let best: { tech: PlanTechnician; start: string; cost: number } | undefined;
      for (const o of choices.get(job.jobId)!) {
        const cost = pack.costOf(o.tech, job, o.start);
        if (cost !== undefined && (!best || cost < best.cost)) best = { ...o, cost };
      }
      if (best) pack.add(assignmentOf(job, best.tech, best.start));
    }
    return pack;
  };
  const pack = packed(ordered);
  const improve = (routes: Routes) => {
    const served = () => new Set(routes.all().map((a) => a.jobId));
    for (const job of ordered) {
      if (served().has(job.jobId)) continue;
      const mine = choices.get(job.jobId)!;
      const direct = mine
        .map((o) => ({ o, cost: routes.costOf(o.tech, job, o.start) }))
        .filter((x) => x.cost !== undefined)
        .sort((x, y) => x.cost! - y.cost!)[0];
      if (direct) {
        routes.add(assignmentOf(job, direct.o.tech, direct.o.start));
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
  const fromStart = new Routes(day);
  for (const a of start) fromStart.add(a);
  const plans = [improve(pack), improve(fromStart)];
  // Restarts from perturbed packings while the budget lasts.
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 4294967296;
  };
  const budget = (opts.budgetSeconds ?? 10) * 1000;
  for (let r = 0; r < (opts.restarts ?? 50) && performance.now() - began < budget; r++) plans.push(improve(packed(byFlexibility(() => 0.6 * random()))));
  return plans.reduce((a, b) => (b.length > a.length || (b.length === a.length && routeDriveMinutes(day, b) < routeDriveMinutes(day, a)) ? b : a));
}

/** Drive minutes of every technician's route (each in the order capacity/route.ts finds). */
export function routeDriveMinutes(day: PlanDay, assignments: Assignment[]): number {
  const routes = new Routes(day);
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
