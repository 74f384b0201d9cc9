/**
 * The day planner: assign a day's jobs to technicians (arrival windows, skills, trades, territory,
 * shifts, daily job limits, travel between postal-code centroids) as a MIP solved by HiGHS
 * (WebAssembly), next to the first-come-first-served (FCFS) assignment the booking engine makes
 * today (each request in arrival order takes its first acceptable open window, least busy
 * qualified technician first). Pure apart from the solver; nothing here writes anything.
 *
 * MIP: binary x[j,t,w] exists only where technician t may serve job j starting in window w
 * (qualified, in territory, on shift for every window the job occupies, w acceptable to the
 * customer). Each job at most once; each technician-window at most one job; each technician at most
 * their daily limit; no hop longer than `maxHopMinutes` between a technician's jobs in back-to-back
 * windows (x[A,t,w] + sum of x[B,t,next(w)] over far B <= 1). Maximise SERVE_WEIGHT per job served minus the drive minutes from the
 * technician's base to the job (the drive-time proxy). The reported drive time is the real route:
 * base -> each job in window order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  /** Where the day starts (defaults to the middle of the territory). */
  basePostalCode?: string;
}

export interface PlanJob {
  jobId: string;
  trade: string;
  requiredSkills: string[];
  postalCode: string;
  durationWindows: number;
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

/** Window starts a job starting at `start` occupies, if consecutive windows exist. */
export function occupiedWindows(windows: PlanWindow[], start: string, duration: number): string[] | undefined {
  const i = windows.findIndex((w) => w.start === start);
  if (i < 0 || i + duration > windows.length) return undefined;
  const run = windows.slice(i, i + duration);
  if (!run.every((w, k) => k === 0 || run[k - 1]!.end === w.start)) return undefined;
  return run.map((w) => w.start);
}

function techBase(tech: PlanTechnician): string {
  return tech.basePostalCode ?? basePostalCode(tech.postalCodes);
}

/** Candidate (technician, start, occupied windows) for a job. */
function options(day: PlanDay, job: PlanJob) {
  const out: Array<{ tech: PlanTechnician; start: string; occupied: string[]; rank: number }> = [];
  job.windows.forEach((start, rank) => {
    const occupied = occupiedWindows(day.windows, start, job.durationWindows);
    if (!occupied) return;
    for (const tech of day.technicians) {
      if (canServe(tech, job) && occupied.every((w) => tech.windowStarts.includes(w))) out.push({ tech, start, occupied, rank });
    }
  });
  return out;
}

/** What the booking engine does today: arrival order, first acceptable open window, least busy technician. */
export function fcfsAssign(day: PlanDay): Assignment[] {
  const taken = new Set<string>();
  const count = new Map<string, number>();
  const assignments: Assignment[] = [];
  for (const job of [...day.jobs].sort((a, b) => a.order - b.order)) {
    for (const start of job.windows) {
      const occupied = occupiedWindows(day.windows, start, job.durationWindows);
      if (!occupied) continue;
      const free = day.technicians
        .filter((t) => canServe(t, job) && occupied.every((w) => t.windowStarts.includes(w) && !taken.has(`${t.technicianId}|${w}`)))
        .filter((t) => (count.get(t.technicianId) ?? 0) < t.dailyJobLimit)
        .sort((a, b) => (count.get(a.technicianId) ?? 0) - (count.get(b.technicianId) ?? 0) || a.technicianId.localeCompare(b.technicianId));
      const tech = free[0];
      if (!tech) continue;
      for (const w of occupied) taken.add(`${tech.technicianId}|${w}`);
      count.set(tech.technicianId, (count.get(tech.technicianId) ?? 0) + 1);
      assignments.push({ jobId: job.jobId, technicianId: tech.technicianId, start, windowStarts: occupied });
      break;
    }
  }
  return assignments;
}

/** Each technician's route in window order: base, then each job. */
export function routes(day: PlanDay, assignments: Assignment[]) {
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const order = new Map(day.windows.map((w, i) => [w.start, i]));
  return day.technicians.map((tech) => {
    const mine = assignments.filter((a) => a.technicianId === tech.technicianId).sort((a, b) => order.get(a.start)! - order.get(b.start)!);
    let at = techBase(tech);
    let driveMinutes = 0;
    let longHops = 0;
    let previous: Assignment | undefined;
    const stops = mine.map((a) => {
      const postalCode = jobs.get(a.jobId)!.postalCode;
      const minutes = travelMinutes(at, postalCode);
      if (previous && backToBack(day.windows, previous, a) && day.maxHopMinutes !== undefined && minutes > day.maxHopMinutes) longHops++;
      driveMinutes += minutes;
      at = postalCode;
      previous = a;
      return { ...a, postalCode, driveMinutes: minutes };
    });
    return { technicianId: tech.technicianId, base: techBase(tech), stops, driveMinutes, longHops };
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

/** Does `b` start in the window right after `a`'s last one (no gap for the drive)? */
export function backToBack(windows: PlanWindow[], a: Pick<Assignment, 'windowStarts'>, b: Pick<Assignment, 'start'>): boolean {
  const last = windows.find((w) => w.start === a.windowStarts[a.windowStarts.length - 1]);
  return Boolean(last && last.end === b.start);
}

/**
 * FCFS without its too-long hops (the later job of each goes unserved): a feasible start for the
 * solver when the day has a hop limit, since the booking engine does not look at drives.
 */
export function withoutLongHops(day: PlanDay, assignments: Assignment[]): Assignment[] {
  if (day.maxHopMinutes === undefined) return assignments;
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const order = new Map(day.windows.map((w, i) => [w.start, i]));
  const kept: Assignment[] = [];
  for (const tech of day.technicians) {
    let previous: Assignment | undefined;
    for (const a of assignments.filter((x) => x.technicianId === tech.technicianId).sort((x, y) => order.get(x.start)! - order.get(y.start)!)) {
      const far =
        previous &&
        backToBack(day.windows, previous, a) &&
        travelMinutes(jobs.get(previous.jobId)!.postalCode, jobs.get(a.jobId)!.postalCode) > day.maxHopMinutes;
      if (far) continue;
      kept.push(a);
      previous = a;
    }
  }
  return kept;
}

/** Everything wrong with an assignment (empty when valid). */
export function validate(day: PlanDay, assignments: Assignment[]): string[] {
  const problems: string[] = [];
  const jobs = new Map(day.jobs.map((j) => [j.jobId, j]));
  const techs = new Map(day.technicians.map((t) => [t.technicianId, t]));
  const slots = new Set<string>();
  const seen = new Set<string>();
  const count = new Map<string, number>();
  for (const a of assignments) {
    const job = jobs.get(a.jobId);
    const tech = techs.get(a.technicianId);
    if (!job || !tech) {
      problems.push(`${a.jobId}: unknown job or technician`);
      continue;
    }
    if (seen.has(a.jobId)) problems.push(`${a.jobId}: assigned twice`);
    seen.add(a.jobId);
    if (!canServe(tech, job)) problems.push(`${a.jobId}: ${a.technicianId} not qualified or out of territory`);
    if (!job.windows.includes(a.start)) problems.push(`${a.jobId}: window ${a.start} not acceptable`);
    const occupied = occupiedWindows(day.windows, a.start, job.durationWindows);
    if (!occupied || occupied.join() !== a.windowStarts.join()) problems.push(`${a.jobId}: wrong windows`);
    for (const w of a.windowStarts) {
      if (!tech.windowStarts.includes(w)) problems.push(`${a.jobId}: ${a.technicianId} off shift at ${w}`);
      const key = `${a.technicianId}|${w}`;
      if (slots.has(key)) problems.push(`${a.technicianId} double-booked at ${w}`);
      slots.add(key);
    }
    count.set(a.technicianId, (count.get(a.technicianId) ?? 0) + 1);
  }
  for (const [id, n] of count) if (n > techs.get(id)!.dailyJobLimit) problems.push(`${id}: ${n} jobs over the daily limit`);
  for (const route of routes(day, assignments))
    if (route.longHops) problems.push(`${route.technicianId}: ${route.longHops} hop(s) over ${day.maxHopMinutes} min between back-to-back windows`);
  return problems;
}

interface Column {
  name: string;
  job: PlanJob;
  tech: PlanTechnician;
  start: string;
  occupied: string[];
  weight: number;
}

/** The MIP in CPLEX LP format, and its columns. */
export function buildModel(day: PlanDay): { lp: string; columns: Column[]; rows: number } {
  const columns: Column[] = [];
  const techIndex = new Map(day.technicians.map((t, i) => [t.technicianId, i]));
  day.jobs.forEach((job, ji) => {
    for (const o of options(day, job)) {
      const cost = travelMinutes(techBase(o.tech), job.postalCode) + o.rank; // drive proxy + the customer's preference
      columns.push({
        name: `x${ji}_${techIndex.get(o.tech.technicianId)}_${o.start.replace(':', '')}`,
        job,
        tech: o.tech,
        start: o.start,
        occupied: o.occupied,
        weight: SERVE_WEIGHT - cost,
      });
    }
  });
  const byJob = new Map<string, string[]>();
  const bySlot = new Map<string, string[]>();
  const byTech = new Map<string, string[]>();
  for (const c of columns) {
    byJob.set(c.job.jobId, [...(byJob.get(c.job.jobId) ?? []), c.name]);
    for (const w of c.occupied) {
      const key = `${c.tech.technicianId}|${w}`;
      bySlot.set(key, [...(bySlot.get(key) ?? []), c.name]);
    }
    byTech.set(c.tech.technicianId, [...(byTech.get(c.tech.technicianId) ?? []), c.name]);
  }
  const lines: string[] = ['Maximize', ' obj:'];
  const sum = (names: string[]) => names.join(' + ');
  for (let i = 0; i < columns.length; i += 50)
    lines.push(
      '  ' +
        (i ? '+ ' : '') +
        columns
          .slice(i, i + 50)
          .map((c) => `${c.weight} ${c.name}`)
          .join(' + '),
    );
  if (!columns.length) lines.push('  0 dummy');
  lines.push('Subject To');
  let rows = 0;
  const row = (name: string, names: string[], rhs: number) => {
    if (names.length > rhs) {
      lines.push(` ${name}: ${sum(names)} <= ${rhs}`);
      rows++;
    }
  };
  [...byJob.entries()].forEach(([, names], i) => row(`job${i}`, names, 1));
  [...bySlot.entries()].forEach(([, names], i) => row(`slot${i}`, names, 1));
  for (const tech of day.technicians) row(`day${techIndex.get(tech.technicianId)}`, byTech.get(tech.technicianId) ?? [], tech.dailyJobLimit);
  if (day.maxHopMinutes !== undefined) {
    const byTechStart = new Map<string, Column[]>();
    for (const c of columns) byTechStart.set(`${c.tech.technicianId}|${c.start}`, [...(byTechStart.get(`${c.tech.technicianId}|${c.start}`) ?? []), c]);
    columns.forEach((c, i) => {
      const last = day.windows.find((w) => w.start === c.occupied[c.occupied.length - 1]);
      const next = last ? day.windows.find((w) => w.start === last.end) : undefined;
      if (!next) return;
      const far = (byTechStart.get(`${c.tech.technicianId}|${next.start}`) ?? []).filter(
        (f) => f.job.jobId !== c.job.jobId && travelMinutes(c.job.postalCode, f.job.postalCode) > day.maxHopMinutes!,
      );
      if (far.length) {
        lines.push(` hop${i}: ${sum([c.name, ...far.map((f) => f.name)])} <= 1`);
        rows++;
      }
    });
  }
  if (!rows && columns.length) lines.push(` cap: ${columns[0]!.name} <= 1`);
  lines.push('Binary');
  for (let i = 0; i < columns.length; i += 50)
    lines.push(
      '  ' +
        columns
          .slice(i, i + 50)
          .map((c) => c.name)
          .join(' '),
    );
  if (!columns.length) lines.push('  dummy');
  lines.push('End');
  return { lp: lines.join('\n'), columns, rows };
}

type HighsModule = Awaited<ReturnType<typeof import('highs')['default']>>;
let highsPromise: Promise<HighsModule> | undefined;

/** Where highs.wasm ships in a Lambda bundle (registry `assets` of DispatchPlan). */
export const HIGHS_WASM_ASSET = 'node_modules/highs/build/highs.wasm';

/**
 * The solver's wasm file in a Lambda bundle: copied into the task root at bundling, because
 * Emscripten looks next to the script, which a bundle is not. Undefined elsewhere (locally the
 * package's own build folder is next to its script, Emscripten's default).
 */
export function highsWasmPath(taskRoot = process.env.LAMBDA_TASK_ROOT): string | undefined {
  const bundled = taskRoot ? join(taskRoot, HIGHS_WASM_ASSET) : undefined;
  return bundled && existsSync(bundled) ? bundled : undefined;
}

async function loadHighs(): Promise<HighsModule> {
  highsPromise ??= import('highs').then((m) => {
    const load = (m as unknown as { default: typeof m.default }).default ?? m;
    const bundled = highsWasmPath();
    return (load as (settings?: { locateFile?: (file: string, scriptDirectory: string) => string }) => Promise<HighsModule>)({
      locateFile: (file, scriptDirectory) => (bundled && file.endsWith('.wasm') ? bundled : scriptDirectory + file),
    });
  });
  return highsPromise;
}

const STATUS_NAMES: Record<number, string> = { 7: 'optimal', 13: 'time_limit', 8: 'infeasible' };

export async function planDay(day: PlanDay, opts: { timeLimitSeconds?: number } = {}): Promise<{ assignments: Assignment[]; solver: SolverReport }> {
  const started = performance.now();
  const { lp, columns, rows } = buildModel(day);
  const highs = await loadHighs();
  const warm = withoutLongHops(day, fcfsAssign(day));
  const warmKeys = new Set(warm.map((a) => `${a.jobId}|${a.technicianId}|${a.start}`));
  return highs.withModel({ format: 'lp', data: lp }, (model) => {
    model.options.set({ output_flag: false, time_limit: opts.timeLimitSeconds ?? 20, mip_rel_gap: 1e-6 });
    const n = model.getDimensions().numCols;
    const byName = new Map(columns.map((c) => [c.name, c]));
    const colValue = new Float64Array(n);
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      names.push(model.getColName(i));
      const c = byName.get(names[i]!);
      colValue[i] = c && warmKeys.has(`${c.job.jobId}|${c.tech.technicianId}|${c.start}`) ? 1 : 0;
    }
    // FCFS is feasible: start from it, so a time-limited solve is never worse than today.
    if (warm.length) model.setSolution({ colValue });
    model.run();
    const status = model.getModelStatus() as number;
    const values = model.getSolution().colValue;
    const assignments: Assignment[] = [];
    for (let i = 0; i < n; i++) {
      const c = byName.get(names[i]!);
      if (c && values[i]! > 0.5) assignments.push({ jobId: c.job.jobId, technicianId: c.tech.technicianId, start: c.start, windowStarts: c.occupied });
    }
    const objective = columns.length ? model.getObjectiveValue() : 0;
    const bound = columns.length ? Number(model.info.get('mip_dual_bound')) : 0;
    const gap = columns.length && objective ? Math.max(0, (bound - objective) / Math.abs(objective)) : 0;
    const maxWeight = Math.max(1, ...columns.map((c) => c.weight));
    return {
      assignments,
      solver: {
        solver: 'highs' as const,
        status: STATUS_NAMES[status] ?? `status_${status}`,
        objective,
        bound,
        gap: Math.round(gap * 1e6) / 1e6,
        // Every served job is worth at most maxWeight, so served <= bound / (SERVE_WEIGHT - max cost) rounded down.
        jobsServedBound: Math.floor(bound / Math.min(maxWeight, ...columns.map((c) => c.weight).concat(SERVE_WEIGHT)) + 1e-9),
        seconds: Math.round(performance.now() - started) / 1000,
        variables: columns.length,
        constraints: rows,
      },
    };
  });
}
