/**
 * The day planner's model: assign a day's jobs to technicians (arrival windows, skills, trades,
 * territory, shifts, daily job limits, travel between postal-code centroids) as a MIP, next to the
 * first-come-first-served (FCFS) assignment the booking engine makes (each request in arrival order
 * takes its first acceptable open window, least busy qualified technician first). Pure: the solver
 * (HiGHS, WebAssembly) is loaded and run by ./solver.ts; nothing here writes anything.
 *
 * MIP: binary x[a] per column a = (job j, technician t, arrival window w), existing only where t
 * may serve j arriving in w (qualified, in territory, on shift for every window the job's minutes
 * use, w acceptable to the customer). A column uses the minute units capacity/availability.ts
 * jobFootprint gives (the one rule the booking engine claims by): each technician-window's units
 * used by its columns fit its free units; each job at most once; each technician at most their
 * daily limit. The route is in the model: for each technician, a start arc s[a] (base -> a) and
 * an arc y[a,b] from a to every column b of the same technician visited after a (visit order:
 * arrival window, then postal code, then job id; b never arrives before a's last window); every
 * chosen column has exactly one incoming arc (s[a] + sum y[.,a] = x[a]), at most one outgoing
 * (sum y[a,.] <= x[a]), and each technician at most one start. Arcs only go forward in visit
 * order, so the arcs chosen are exactly the route base -> each job in visit order (routes()). No
 * arc joins jobs in the same or back-to-back windows farther apart than `maxHopMinutes` (the hop
 * limit; a hop today's routes already have may stay: PlanDay keptHops). Maximise SERVE_WEIGHT per job served minus the window
 * preference rank minus the drive minutes of the arcs: the gap HiGHS proves is about the drive
 * minutes the plan reports (routes()). The bound comes from the serve stage, a relaxation where each
 * job costs its cheapest possible incoming arc (valid for every plan); large days prune the route
 * stage's arcs to each job's cheapest incoming ones (buildModel `maxArcsIn`).
 */
import { jobFootprint, windowUnits } from '../capacity/availability';
import { travelMinutes, basePostalCode } from './geo';

export interface PlanWindow {
  start: string;
  end: string;
}

export interface PlanTechnician {
  technicianId: string;
  trades: string[];
  skills: string[];
  postalCodes: string[];
  /** Window starts the technician works that day. */
  windowStarts: string[];
  dailyJobLimit: number;
  /** Minute units of a window already used by what the plan does not move (a hold, an FSM job), by window start. */
  usedUnits?: Record<string, number>;
  /** Where the day starts (defaults to the middle of the territory). */
  basePostalCode?: string;
  /** When the shift ends ("HH:mm"): under the route travel model every job is done by then (route-plan.ts). */
  shiftEnd?: string;
  /** When the shift starts ("HH:mm"): under the route travel model the day leaves the base then (absent: the first window on shift). */
  shiftStart?: string;
  /** Jobs the plan does not move (an accepted emergency, one late at night): the technician drives to them too. */
  pinnedStops?: PinnedStop[];
  /** Route claims the plan does not move (holds of bookings in progress): where their jobs are (route-plan.ts drives to them). */
  heldStops?: HeldStop[];
}

/**
 * A route claim the plan does not move (a hold of a booking in progress, a caller's hold): its job's
 * place and minutes on site, arriving in the window starting `start`, as the booking engine's route
 * check sees it (capacity/availability.ts routeStopsOf), so a plan and the apply's check see the same
 * day. Its `units` (minute units of that window) are part of usedUnits; the route model counts them
 * here, at the job's address, not as a block at the base.
 */
export interface HeldStop {
  id: string;
  start: string;
  postalCode: string;
  durationMinutes: number;
  units: number;
}

/**
 * A job the plan leaves where it is, at its own time (`start`, HH:MM). In a route it comes before
 * every job arriving in a window starting at or after it, after every job arriving in an earlier
 * window (the MIP's arcs and routes() both follow this), so the drive minutes reported and the
 * objective include the drives to and from it.
 */
export interface PinnedStop {
  jobId: string;
  start: string;
  postalCode: string;
}

export interface PlanJob {
  jobId: string;
  trade: string;
  requiredSkills: string[];
  postalCode: string;
  durationWindows: number;
  /** Minutes on site (the job type's); absent: the job fills its durationWindows windows. */
  durationMinutes?: number;
  /** Window starts the customer accepts, preferred first. */
  windows: string[];
  /** Arrival order (FCFS order). */
  order: number;
}

export interface PlanDay {
  windows: PlanWindow[];
  technicians: PlanTechnician[];
  jobs: PlanJob[];
  /**
   * Longest drive (minutes, centroid to centroid) between one technician's jobs in back-to-back
   * windows: a longer hop would make them late for the second window, so the plan never has one.
   * Undefined: no limit.
   */
  maxHopMinutes?: number;
  /**
   * Hops over the limit today's routes already have ("fromJobId>toJobId": routes() longHopPairs). A
   * booked job is never dropped to keep to the hop limit, so a plan may keep these hops (no others).
   */
  keptHops?: string[];
  /** Minutes each job with a duration also takes for the drive to it (the tenant's `travelBufferMinutes`; absent: TRAVEL_BUFFER_MINUTES). */
  travelBufferMinutes?: number;
}

export interface Assignment {
  jobId: string;
  technicianId: string;
  start: string;
  /** Every window start the job occupies. */
  windowStarts: string[];
}

export interface PlanMetrics {
  trucks: number;
  jobs: number;
  served: number;
  unserved: number;
  jobsPerTruck: number;
  driveMinutes: number;
  /** Back-to-back jobs of one technician farther apart than the day's maxHopMinutes. */
  longHops: number;
}

export interface SolverReport {
  solver: 'highs';
  status: string;
  objective: number;
  /** Best bound on the objective HiGHS proved. */
  bound: number;
  /** Relative gap (objective vs bound); 0 = proved optimal. */
  gap: number;
  /** Upper bound on jobs served implied by the bound. */
  jobsServedBound: number;
  /** Proved lower bound on the route drive minutes of any plan serving as many jobs. */
  driveMinutesBound: number;
  seconds: number;
  variables: number;
  constraints: number;
}

/**
 * The default hop limit: with 2-hour arrival windows and jobs of about an hour, a drive of more than
 * an hour between back-to-back windows makes the technician late for the second.
 */
export const DEFAULT_MAX_HOP_MINUTES = 60;

/** One job served outweighs any drive-time saving. */
export const SERVE_WEIGHT = 1_000;

export function canServe(tech: PlanTechnician, job: PlanJob): boolean {
  return (
    tech.trades.includes(job.trade) &&
    job.requiredSkills.every((s) => tech.skills.includes(s)) &&
    tech.postalCodes.some((code) => code.trim() === job.postalCode.trim())
  );
}

/** Window starts a job arriving at `start` uses minutes of, if those windows exist. */
export function occupiedWindows(
  day: Pick<PlanDay, 'windows' | 'travelBufferMinutes'>,
  start: string,
  job: Pick<PlanJob, 'durationWindows' | 'durationMinutes'>,
): string[] | undefined {
  return jobFootprint(day.windows, start, job, day.travelBufferMinutes)?.map((f) => f.start);
}

/** Units per window start a job arriving at `start` uses (capacity/availability.ts jobFootprint, with the day's travel buffer). */
export function unitsOf(
  day: Pick<PlanDay, 'windows' | 'travelBufferMinutes'>,
  start: string,
  job: Pick<PlanJob, 'durationWindows' | 'durationMinutes'>,
): Map<string, number> {
  return new Map((jobFootprint(day.windows, start, job, day.travelBufferMinutes) ?? []).map((f) => [f.start, f.units]));
}

/** Free minute units of a technician's window. */
export function freeUnits(day: Pick<PlanDay, 'windows'>, tech: PlanTechnician, start: string): number {
  const w = day.windows.find((x) => x.start === start);
  return w ? windowUnits(w) - (tech.usedUnits?.[start] ?? 0) : 0;
}

/** Is a drive of `minutes` from one job to the next over the day's hop limit (and not a hop today's routes already have)? */
function overHopLimit(day: Pick<PlanDay, 'maxHopMinutes' | 'keptHops'>, fromJobId: string, toJobId: string, minutes: number): boolean {
  return day.maxHopMinutes !== undefined && minutes > day.maxHopMinutes && !day.keptHops?.includes(`${fromJobId}>${toJobId}`);
}

/** The order a technician visits jobs: arrival window, then postal code, then job id (the MIP's arcs and routes() both follow it). */
export function visitOrder(windows: PlanWindow[]) {
  const index = new Map(windows.map((w, i) => [w.start, i]));
  return (a: { start: string; postalCode: string; jobId: string }, b: { start: string; postalCode: string; jobId: string }) =>
    index.get(a.start)! - index.get(b.start)! || a.postalCode.localeCompare(b.postalCode) || a.jobId.localeCompare(b.jobId);
}

function techBase(tech: PlanTechnician): string {
  return tech.basePostalCode ?? basePostalCode(tech.postalCodes);
}

/**
 * Drive minutes of one leg of a technician's route: from a job (`from`; undefined: the base) to the
 * next (`to`; undefined: the end of the day), through the pinned stops between them. With no
 * pinned stops: the drive from one to the other (0 to the end of the day).
 */
export function legMinutes(
  tech: PlanTechnician,
  from: { start: string; postalCode: string } | undefined,
  to: { start: string; postalCode: string } | undefined,
): number {
  let at = from?.postalCode ?? techBase(tech);
  let minutes = 0;
  const between = (tech.pinnedStops ?? []).filter((p) => (!from || p.start > from.start) && (!to || p.start <= to.start));
  for (const p of between.sort((a, b) => a.start.localeCompare(b.start) || a.jobId.localeCompare(b.jobId))) {
    minutes += travelMinutes(at, p.postalCode);
    at = p.postalCode;
  }
  return to ? minutes + travelMinutes(at, to.postalCode) : minutes;
}

/** Candidate (technician, start, occupied windows) for a job. */
function options(day: PlanDay, job: PlanJob) {
  const out: Array<{ tech: PlanTechnician; start: string; occupied: string[]; rank: number }> = [];
  job.windows.forEach((start, rank) => {
    const occupied = occupiedWindows(day, start, job);
    if (!occupied) return;
    const units = unitsOf(day, start, job);
    for (const tech of day.technicians) {
      if (canServe(tech, job) && occupied.every((w) => tech.windowStarts.includes(w) && units.get(w)! <= freeUnits(day, tech, w)))
        out.push({ tech, start, occupied, rank });
    }
  });
  return out;
}

/** What the booking engine does today: arrival order, first acceptable open window, least busy technician (same minute units). */
export function fcfsAssign(day: PlanDay): Assignment[] {
  const taken = new Map<string, number>();
  const count = new Map<string, number>();
  const assignments: Assignment[] = [];
  for (const job of [...day.jobs].sort((a, b) => a.order - b.order)) {
    for (const start of job.windows) {
      const occupied = occupiedWindows(day, start, job);
      if (!occupied) continue;
      const units = unitsOf(day, start, job);
      const fits = (t: PlanTechnician, w: string) => units.get(w)! <= freeUnits(day, t, w) - (taken.get(`${t.technicianId}|${w}`) ?? 0);
      const free = day.technicians
        .filter((t) => canServe(t, job) && occupied.every((w) => t.windowStarts.includes(w) && fits(t, w)))
        .filter((t) => (count.get(t.technicianId) ?? 0) < t.dailyJobLimit)
        .sort((a, b) => (count.get(a.technicianId) ?? 0) - (count.get(b.technicianId) ?? 0) || a.technicianId.localeCompare(b.technicianId));
      const tech = free[0];
      if (!tech) continue;
      for (const w of occupied) taken.set(`${tech.technicianId}|${w}`, (taken.get(`${tech.technicianId}|${w}`) ?? 0) + units.get(w)!);
      count.set(tech.technicianId, (count.get(tech.technicianId) ?? 0) + 1);
      assignments.push({ jobId: job.jobId, technicianId: tech.technicianId, start, windowStarts: occupied });
      break;
    }
  }
  return assignments;
}

/**
 * A packing heuristic (the solver's second warm start): the least flexible and longest jobs first,
 * each into the technician-window it fills best (fewest minute units left over), nearest the
 * technician's base on a tie. Same minute units and limits as fcfsAssign.
 */
export function packAssign(day: PlanDay): Assignment[] {
  const taken = new Map<string, number>();
  const count = new Map<string, number>();
  const assignments: Assignment[] = [];
  const size = (job: PlanJob) => [...unitsOf(day, job.windows[0] ?? '', job).values()].reduce((s, n) => s + n, 0);
  const jobs = [...day.jobs].sort((a, b) => a.windows.length - b.windows.length || size(b) - size(a) || a.order - b.order);
  for (const job of jobs) {
    let best: { tech: PlanTechnician; start: string; occupied: string[]; units: Map<string, number>; slack: number; drive: number } | undefined;
    for (const start of job.windows) {
      const occupied = occupiedWindows(day, start, job);
      if (!occupied) continue;
      const units = unitsOf(day, start, job);
      for (const tech of day.technicians) {
        if (!canServe(tech, job) || (count.get(tech.technicianId) ?? 0) >= tech.dailyJobLimit) continue;
        const left = occupied.map((w) => freeUnits(day, tech, w) - (taken.get(`${tech.technicianId}|${w}`) ?? 0) - units.get(w)!);
        if (!occupied.every((w) => tech.windowStarts.includes(w)) || left.some((n) => n < 0)) continue;
        const slack = left.reduce((s, n) => s + n, 0);
        const drive = travelMinutes(techBase(tech), job.postalCode);
        if (!best || slack < best.slack || (slack === best.slack && drive < best.drive)) best = { tech, start, occupied, units, slack, drive };
      }
    }
    if (!best) continue;
    const id = best.tech.technicianId;
    for (const w of best.occupied) taken.set(`${id}|${w}`, (taken.get(`${id}|${w}`) ?? 0) + best.units.get(w)!);
    count.set(id, (count.get(id) ?? 0) + 1);
    assignments.push({ jobId: job.jobId, technicianId: id, start: best.start, windowStarts: best.occupied });
  }
  return assignments;
}

/** Each technician's route in visit order (visitOrder): base, then each job, with the pinned stops between (legMinutes). */
export function routes(day: PlanDay, assignments: Assignment[]) {
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const order = visitOrder(day.windows);
  const postal = (a: Assignment) => ({ start: a.start, jobId: a.jobId, postalCode: jobs.get(a.jobId)?.postalCode ?? '' });
  return day.technicians.map((tech) => {
    const mine = assignments.filter((a) => a.technicianId === tech.technicianId).sort((a, b) => order(postal(a), postal(b)));
    let driveMinutes = 0;
    const longHopPairs: string[] = [];
    let previous: (Assignment & { postalCode: string }) | undefined;
    const stops = mine.map((a) => {
      const postalCode = jobs.get(a.jobId)!.postalCode;
      const minutes = legMinutes(tech, previous, { start: a.start, postalCode });
      // The hop limit is about the two jobs (the MIP's rule), whatever is pinned between them.
      const hop = previous ? travelMinutes(previous.postalCode, postalCode) : 0;
      if (previous && backToBack(day.windows, previous, a) && day.maxHopMinutes !== undefined && hop > day.maxHopMinutes)
        longHopPairs.push(`${previous.jobId}>${a.jobId}`);
      driveMinutes += minutes;
      previous = { ...a, postalCode };
      return { ...a, postalCode, driveMinutes: minutes };
    });
    // The pinned stops after the last job (or all of them, on a day with no job to plan).
    driveMinutes += legMinutes(tech, previous, undefined);
    // Long hops (metrics); those over the limit are the ones not kept from today's routes (validate).
    const longHops = longHopPairs.length;
    const overLimit = longHopPairs.filter((pair) => !day.keptHops?.includes(pair)).length;
    return { technicianId: tech.technicianId, base: techBase(tech), stops, driveMinutes, longHops, longHopPairs, overLimit };
  });
}

export function metrics(day: PlanDay, assignments: Assignment[]): PlanMetrics {
  const trucks = day.technicians.length;
  const served = assignments.length;
  const all = routes(day, assignments);
  const driveMinutes = all.reduce((s, r) => s + r.driveMinutes, 0);
  return {
    trucks,
    jobs: day.jobs.length,
    served,
    unserved: day.jobs.length - served,
    jobsPerTruck: trucks ? Math.round((served / trucks) * 100) / 100 : 0,
    driveMinutes,
    longHops: all.reduce((s, r) => s + r.longHops, 0),
  };
}

/**
 * Never worse than today, whatever the travel model (plan.handler.ts): a plan found that is not
 * valid, leaves out a job today's assignment has (a booked job is a promise to a customer), or serves
 * as many and drives more (a time-limited solve), is not proposed: the day stays as it is (no
 * changes), and `kept` tells the dispatcher why.
 */
export function neverWorse(
  plan: Assignment[],
  today: Assignment[],
  rules: { metrics: (a: Assignment[]) => PlanMetrics; problems: (a: Assignment[]) => string[] },
): { assignments: Assignment[]; metrics: PlanMetrics; current: PlanMetrics; kept?: string } {
  const found = { assignments: plan, metrics: rules.metrics(plan), problems: rules.problems(plan) };
  const current = rules.metrics(today);
  const planned = new Set(found.assignments.map((a) => a.jobId));
  const dropped = today.filter((a) => !planned.has(a.jobId)).length;
  const why = found.problems.length
    ? `the best plan found breaks a rule (${found.problems[0]}).`
    : dropped
      ? `the best plan found in the time given leaves ${dropped === 1 ? 'a booked job' : `${dropped} booked jobs`} without a technician, and a plan never drops a booked job.`
      : found.metrics.served === current.served && found.metrics.driveMinutes > current.driveMinutes
        ? `the best plan found in the time given drives ${found.metrics.driveMinutes} minutes, more than today's ${current.driveMinutes}.`
        : undefined;
  if (!why) return { assignments: plan, metrics: found.metrics, current };
  return { assignments: today, metrics: current, current, kept: `Today's assignment is kept: ${why}` };
}

/** Does `b` arrive in `a`'s last window or the one right after it (no free window for the drive)? */
export function backToBack(windows: PlanWindow[], a: Pick<Assignment, 'windowStarts'>, b: Pick<Assignment, 'start'>): boolean {
  const lastStart = a.windowStarts[a.windowStarts.length - 1];
  const last = windows.find((w) => w.start === lastStart);
  return Boolean(last && (last.end === b.start || lastStart === b.start));
}

/**
 * FCFS without its too-long hops (the later job of each goes unserved): a feasible start for the
 * solver when the day has a hop limit, since the booking engine does not look at drives.
 */
export function withoutLongHops(day: PlanDay, assignments: Assignment[]): Assignment[] {
  if (day.maxHopMinutes === undefined) return assignments;
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const order = visitOrder(day.windows);
  const postal = (a: Assignment) => ({ start: a.start, jobId: a.jobId, postalCode: jobs.get(a.jobId)!.postalCode });
  const kept: Assignment[] = [];
  for (const tech of day.technicians) {
    // Kept only when no job kept before it with no free window between them is farther than the
    // hop limit (so the route is valid and a feasible start for the route stage).
    const mine: Assignment[] = [];
    for (const a of assignments.filter((x) => x.technicianId === tech.technicianId).sort((x, y) => order(postal(x), postal(y)))) {
      const far = mine.some(
        (k) =>
          backToBack(day.windows, k, a) && overHopLimit(day, k.jobId, a.jobId, travelMinutes(jobs.get(k.jobId)!.postalCode, jobs.get(a.jobId)!.postalCode)),
      );
      if (far) continue;
      mine.push(a);
    }
    kept.push(...mine);
  }
  return kept;
}

/**
 * What is wrong with one assignment whatever the capacity model (validate, route-plan.ts
 * validateRoutes): a job assigned twice (`seen` collects the jobs), a technician who cannot serve it,
 * a window the job does not accept.
 */
export function assignmentProblems(a: Assignment, job: PlanJob, tech: PlanTechnician, seen: Set<string>): string[] {
  const problems: string[] = [];
  if (seen.has(a.jobId)) problems.push(`${a.jobId}: assigned twice`);
  seen.add(a.jobId);
  if (!canServe(tech, job)) problems.push(`${a.jobId}: ${a.technicianId} not qualified or out of territory`);
  if (!job.windows.includes(a.start)) problems.push(`${a.jobId}: window ${a.start} not acceptable`);
  return problems;
}

/** Everything wrong with an assignment (empty when valid). */
export function validate(day: PlanDay, assignments: Assignment[]): string[] {
  const problems: string[] = [];
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const techs = new Map(day.technicians.map((t) => [t.technicianId, t]));
  const slots = new Map<string, number>();
  const seen = new Set<string>();
  const count = new Map<string, number>();
  for (const a of assignments) {
    const job = jobs.get(a.jobId);
    const tech = techs.get(a.technicianId);
    if (!job || !tech) {
      problems.push(`${a.jobId}: unknown job or technician`);
      continue;
    }
    problems.push(...assignmentProblems(a, job, tech, seen));
    const occupied = occupiedWindows(day, a.start, job);
    if (!occupied || occupied.join() !== a.windowStarts.join()) problems.push(`${a.jobId}: wrong windows`);
    const units = unitsOf(day, a.start, job);
    for (const w of a.windowStarts) {
      if (!tech.windowStarts.includes(w)) problems.push(`${a.jobId}: ${a.technicianId} off shift at ${w}`);
      const key = `${a.technicianId}|${w}`;
      const used = (slots.get(key) ?? 0) + (units.get(w) ?? 0);
      if (used > freeUnits(day, tech, w)) problems.push(`${a.technicianId} over-booked at ${w} (${used} units)`);
      slots.set(key, used);
    }
    count.set(a.technicianId, (count.get(a.technicianId) ?? 0) + 1);
  }
  for (const [id, n] of count) if (n > techs.get(id)!.dailyJobLimit) problems.push(`${id}: ${n} jobs over the daily limit`);
  for (const route of routes(day, assignments))
    if (route.overLimit) problems.push(`${route.technicianId}: ${route.overLimit} hop(s) over ${day.maxHopMinutes} min between back-to-back windows`);
  return problems;
}

export interface Column {
  name: string;
  job: PlanJob;
  tech: PlanTechnician;
  start: string;
  occupied: string[];
  /** Index of the first and last window occupied. */
  first: number;
  last: number;
  /** Minute units used per occupied window. */
  units: Map<string, number>;
  /** SERVE_WEIGHT minus the customer's preference rank of the window. */
  weight: number;
  /** Drive minutes of the cheapest / dearest allowed route arc into this column (base or an earlier job). */
  minIn: number;
  maxIn: number;
  /** Drive minutes through the technician's pinned stops after this job, when it is their last (legMinutes to the day's end). */
  tail: number;
}

/** An arc of a technician's route: from their base (`from` undefined) or a job, to a job, and its drive minutes. */
export interface Arc {
  name: string;
  from?: Column;
  to: Column;
  minutes: number;
}

/**
 * The MIP in CPLEX LP format, its columns and arcs. Solved in two stages (./solver.ts), the
 * lexicographic order SERVE_WEIGHT stands for:
 * - `stage: 'serve'`: the columns only, each weighted SERVE_WEIGHT minus rank minus `minIn` (the
 *   cheapest route arc that could lead to it). No hop rows: this stage is a relaxation of every valid
 *   plan (each stop of a real route arrives by some allowed arc, costing at least `minIn`), so the
 *   bound HiGHS proves on it bounds the objective of every valid plan, whatever the route stage does.
 * - `stage: 'route'`: adds the route arcs and `minServed` as a row, and maximises SERVE_WEIGHT minus
 *   rank minus the drive minutes of the arcs. `maxArcsIn`: keep only each column's cheapest incoming
 *   arcs (plus its base arc and the arcs named in `keepArcs`, e.g. a warm start's route), so a large
 *   day stays tractable; with pruned arcs the route run is a restriction and its bound is not reported.
 */
export function buildModel(
  day: PlanDay,
  opts: { stage?: 'serve' | 'route'; minServed?: number; maxArcsIn?: number; keepArcs?: Set<string> } = {},
): { lp: string; columns: Column[]; arcs: Arc[]; rows: number; pruned: boolean; offset: number } {
  const route = opts.stage !== 'serve';
  const columns: Column[] = [];
  const techIndex = new Map(day.technicians.map((t, i) => [t.technicianId, i]));
  const windowIndex = new Map(day.windows.map((w, i) => [w.start, i]));
  day.jobs.forEach((job, ji) => {
    for (const o of options(day, job)) {
      columns.push({
        name: `x${ji}_${techIndex.get(o.tech.technicianId)}_${o.start.replace(':', '')}`,
        job,
        tech: o.tech,
        start: o.start,
        occupied: o.occupied,
        first: windowIndex.get(o.occupied[0]!)!,
        last: windowIndex.get(o.occupied[o.occupied.length - 1]!)!,
        units: unitsOf(day, o.start, job),
        weight: SERVE_WEIGHT - o.rank,
        minIn: 0,
        maxIn: 0,
        tail: legMinutes(o.tech, { start: o.start, postalCode: job.postalCode }, undefined),
      });
    }
  });
  const indexOf = new Map(columns.map((c, i) => [c, i]));
  const group = <K>(key: (c: Column) => K[]) => {
    const out = new Map<K, Column[]>();
    for (const c of columns)
      for (const k of key(c)) {
        const list = out.get(k);
        if (list) list.push(c);
        else out.set(k, [c]);
      }
    return out;
  };
  const byJob = group((c) => [c.job.jobId]);
  const bySlot = group((c) => c.occupied.map((w) => `${c.tech.technicianId}|${w}`));
  const byTech = group((c) => [c.tech.technicianId]);

  // Every allowed arc (forward in visit order, no hop over the limit between back-to-back windows):
  // its minutes give each column's minIn / maxIn; the route stage keeps all of them or the cheapest.
  const arcs: Arc[] = [];
  const into = new Map<Column, Arc[]>();
  const outOf = new Map<Column, Arc[]>();
  const starts = new Map<string, Arc[]>();
  const order = visitOrder(day.windows);
  const at = (c: Column) => ({ start: c.start, postalCode: c.job.postalCode, jobId: c.job.jobId });
  let pruned = false;
  for (const [techId, mine] of byTech) {
    const tech = mine[0]!.tech;
    const base = techBase(tech);
    const sorted = [...mine].sort((a, b) => order(at(a), at(b)));
    const incoming = new Map<Column, Arc[]>();
    // Pinned stops: an arc's minutes are its leg's (legMinutes) less the tail of the job it leaves,
    // and each column costs its tail, so a route costs its legs plus its last job's tail; a start arc
    // is less the drive of the pinned stops alone (`offset`: what the day costs with no job planned).
    const alone = legMinutes(tech, undefined, undefined);
    for (const b of sorted) {
      const minutes = tech.pinnedStops?.length ? legMinutes(tech, undefined, at(b)) - alone : travelMinutes(base, b.job.postalCode);
      incoming.set(b, [{ name: `s${indexOf.get(b)}`, to: b, minutes }]);
    }
    sorted.forEach((a, i) => {
      for (let k = i + 1; k < sorted.length; k++) {
        const b = sorted[k]!;
        if (a.job.jobId === b.job.jobId || b.first < a.last) continue;
        const direct = travelMinutes(a.job.postalCode, b.job.postalCode);
        if (tight(day, a, b) && overHopLimit(day, a.job.jobId, b.job.jobId, direct)) continue;
        const minutes = tech.pinnedStops?.length ? legMinutes(tech, at(a), at(b)) - a.tail : direct;
        incoming.get(b)!.push({ name: `y${indexOf.get(a)}_${indexOf.get(b)}`, from: a, to: b, minutes });
      }
    });
    for (const b of sorted) {
      const all = incoming.get(b)!;
      b.minIn = Math.min(...all.map((a) => a.minutes));
      b.maxIn = Math.max(...all.map((a) => a.minutes)) + b.tail;
      if (!route) continue;
      let kept = all;
      if (opts.maxArcsIn !== undefined && all.length > opts.maxArcsIn + 1) {
        pruned = true;
        const cheapest = new Set(
          all
            .slice(1)
            .sort((x, y) => x.minutes - y.minutes)
            .slice(0, opts.maxArcsIn),
        );
        kept = all.filter((arc, i) => i === 0 || cheapest.has(arc) || opts.keepArcs?.has(arc.name));
      }
      for (const arc of kept) {
        arcs.push(arc);
        const list = into.get(b);
        if (list) list.push(arc);
        else into.set(b, [arc]);
        if (arc.from) {
          const out = outOf.get(arc.from);
          if (out) out.push(arc);
          else outOf.set(arc.from, [arc]);
        } else {
          const list = starts.get(techId);
          if (list) list.push(arc);
          else starts.set(techId, [arc]);
        }
      }
    }
  }

  const lines: string[] = ['Maximize', ' obj:'];
  const term = (coefficient: number, name: string) => `${coefficient < 0 ? '-' : '+'} ${Math.abs(coefficient)} ${name}`;
  const terms = [
    ...columns.map((c) => term(route ? c.weight - c.tail : c.weight - c.tail - c.minIn, c.name)),
    ...arcs.filter((a) => a.minutes).map((a) => term(-a.minutes, a.name)),
  ];
  for (let i = 0; i < terms.length; i += 50) lines.push(`  ${terms.slice(i, i + 50).join(' ')}`);
  if (!terms.length) lines.push('  0 dummy');
  lines.push('Subject To');
  let rows = 0;
  const sum = (names: string[]) => names.join(' + ');
  const row = (name: string, names: string[], rhs: number) => {
    if (names.length > rhs) {
      lines.push(` ${name}: ${sum(names)} <= ${rhs}`);
      rows++;
    }
  };
  for (const [i, cs] of [...byJob.values()].entries())
    row(
      `job${i}`,
      cs.map((c) => c.name),
      1,
    );
  for (const [i, [key, cs]] of [...bySlot.entries()].entries()) {
    const [techId, w] = key.split('|') as [string, string];
    const cap = freeUnits(day, techs(day, techId), w);
    const used = (c: Column) => c.units.get(w)!;
    if (cs.reduce((s, c) => s + used(c), 0) <= cap) continue;
    lines.push(` slot${i}: ${cs.map((c) => `${used(c)} ${c.name}`).join(' + ')} <= ${cap}`);
    rows++;
  }
  for (const [techId, cs] of byTech) {
    row(
      `day${techIndex.get(techId)}`,
      cs.map((c) => c.name),
      techs(day, techId).dailyJobLimit,
    );
    if (route)
      row(
        `base${techIndex.get(techId)}`,
        (starts.get(techId) ?? []).map((a) => a.name),
        1,
      );
  }
  if (route && opts.minServed !== undefined && columns.length) {
    lines.push(` serve: ${sum(columns.map((c) => c.name))} >= ${opts.minServed}`);
    rows++;
  }
  if (route)
    columns.forEach((c, i) => {
      lines.push(` in${i}: ${sum((into.get(c) ?? []).map((a) => a.name))} - ${c.name} = 0`);
      const out = outOf.get(c) ?? [];
      if (out.length) lines.push(` out${i}: ${sum(out.map((a) => a.name))} - ${c.name} <= 0`);
      rows += out.length ? 2 : 1;
    });
  if (!rows && columns.length) lines.push(` cap: ${columns[0]!.name} <= 1`);
  // Arcs stay continuous: with the columns fixed, the arcs form a path-cover flow whose optimum is integral.
  lines.push(...binaryAndEnd(columns.map((c) => c.name)));
  // The MIP's objective is the reported one (objectiveOf) plus the pinned stops' drive with no job planned.
  const offset = day.technicians.reduce((sum, t) => sum + legMinutes(t, undefined, undefined), 0);
  return { lp: lines.join('\n'), columns, arcs, rows, pruned, offset };
}

/** Is `b` visited after `a` (visitOrder), arriving no earlier than a's last window? */
export function visitsBefore(day: Pick<PlanDay, 'windows'>, a: Column, b: Column): boolean {
  if (b.first < a.last) return false;
  return (
    visitOrder(day.windows)(
      { start: a.start, postalCode: a.job.postalCode, jobId: a.job.jobId },
      { start: b.start, postalCode: b.job.postalCode, jobId: b.job.jobId },
    ) < 0
  );
}

/** Does `b` arrive in `a`'s last window or the next one (no free window for the drive between them)? */
function tight(day: Pick<PlanDay, 'windows'>, a: Column, b: Column): boolean {
  return b.first === a.last || day.windows[a.last]!.end === day.windows[b.first]!.start;
}

function techs(day: PlanDay, technicianId: string): PlanTechnician {
  return day.technicians.find((t) => t.technicianId === technicianId)!;
}

/** The objective the MIP maximises, for any assignment: SERVE_WEIGHT per job, minus preference rank, minus route drive minutes. */
export function objectiveOf(day: PlanDay, assignments: Assignment[]): number {
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const rank = assignments.reduce((s, a) => s + Math.max(0, jobs.get(a.jobId)!.windows.indexOf(a.start)), 0);
  return SERVE_WEIGHT * assignments.length - rank - metrics(day, assignments).driveMinutes;
}

/**
 * Local search over a valid assignment (a warm start for the solver): each unserved job, least
 * flexible first, goes in where it fits, else after moving one job out of its way to another
 * technician-window where that one fits. Every step keeps validate() empty (minute units, daily
 * limits, no hop over the limit), so the result is valid and serves at least as many.
 */
export function insertWithRelocation(day: PlanDay, start: Assignment[]): Assignment[] {
  const plan = new Map(start.map((a) => [a.jobId, a]));
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const choices = new Map(day.jobs.map((j) => [j.jobId, options(day, j)]));
  const used = new Map<string, number>();
  const count = new Map<string, number>();
  const add = (a: Assignment, sign: 1 | -1) => {
    const units = unitsOf(day, a.start, jobs.get(a.jobId)!);
    for (const [w, n] of units) used.set(`${a.technicianId}|${w}`, (used.get(`${a.technicianId}|${w}`) ?? 0) + sign * n);
    count.set(a.technicianId, (count.get(a.technicianId) ?? 0) + sign);
    if (sign > 0) plan.set(a.jobId, a);
    else plan.delete(a.jobId);
  };
  for (const a of start) add(a, 1);
  const fits = (job: PlanJob, o: { tech: PlanTechnician; start: string; occupied: string[] }) =>
    (count.get(o.tech.technicianId) ?? 0) < o.tech.dailyJobLimit &&
    [...unitsOf(day, o.start, job)].every(([w, n]) => (used.get(`${o.tech.technicianId}|${w}`) ?? 0) + n <= freeUnits(day, o.tech, w));
  const hopsOk = (technicianId: string) => {
    if (day.maxHopMinutes === undefined) return true;
    const tech = day.technicians.find((t) => t.technicianId === technicianId)!;
    const mine = [...plan.values()].filter((a) => a.technicianId === technicianId);
    return routes({ ...day, technicians: [tech] }, mine)[0]!.overLimit === 0;
  };
  const assignmentOf = (job: PlanJob, o: { tech: PlanTechnician; start: string; occupied: string[] }): Assignment => ({
    jobId: job.jobId,
    technicianId: o.tech.technicianId,
    start: o.start,
    windowStarts: o.occupied,
  });
  /** Puts `a` in if it keeps the technician's route within the hop limit. */
  const tryAdd = (a: Assignment) => {
    add(a, 1);
    if (hopsOk(a.technicianId)) return true;
    add(a, -1);
    return false;
  };
  const unserved = day.jobs.filter((j) => !plan.has(j.jobId)).sort((a, b) => choices.get(a.jobId)!.length - choices.get(b.jobId)!.length || a.order - b.order);
  for (const job of unserved) {
    const mine = choices.get(job.jobId)!;
    if (mine.some((o) => fits(job, o) && tryAdd(assignmentOf(job, o)))) continue;
    // One job out of the way: a job of the same technician in a window this one needs, moved elsewhere.
    outer: for (const o of mine) {
      for (const other of [...plan.values()].filter((a) => a.technicianId === o.tech.technicianId && a.windowStarts.some((w) => o.occupied.includes(w)))) {
        const otherJob = jobs.get(other.jobId)!;
        add(other, -1);
        if (fits(job, o) && tryAdd(assignmentOf(job, o))) {
          for (const p of choices.get(other.jobId)!) {
            if ((p.tech === o.tech && p.start === other.start) || !fits(otherJob, p)) continue;
            if (tryAdd(assignmentOf(otherJob, p))) break outer;
          }
          add(plan.get(job.jobId)!, -1);
        }
        add(other, 1);
      }
    }
  }
  return [...plan.values()];
}

/** The LP file's closing sections: every column binary (50 names a line; a placeholder when there is none), then End. */
export function binaryAndEnd(names: string[]): string[] {
  const lines = ['Binary'];
  for (let i = 0; i < names.length; i += 50) lines.push(`  ${names.slice(i, i + 50).join(' ')}`);
  if (!names.length) lines.push('  dummy');
  lines.push('End');
  return lines;
}
