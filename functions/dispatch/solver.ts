/**
 * Runs the day planner's MIP (./plan.ts buildModel) in HiGHS (WebAssembly): loads the solver once
 * per container, warm-starts from first-come-first-served without its too-long hops (so a
 * time-limited solve is never worse than today), and reads the plan and the proved gap back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Assignment,
  buildModel,
  type Column,
  fcfsAssign,
  insertWithRelocation,
  objectiveOf,
  packAssign,
  type PlanDay,
  type PlanTechnician,
  SERVE_WEIGHT,
  type SolverReport,
  validate,
  visitOrder,
  withoutLongHops,
} from './plan';

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

interface Solved {
  status: string;
  objective: number;
  bound: number;
  chosen: Set<string>;
  variables: number;
}

/** One HiGHS run of an LP-format model, warm-started from the named variables set to 1. */
async function solve(lp: string, warm: Set<string>, timeLimitSeconds: number): Promise<Solved> {
  const highs = await loadHighs();
  return highs.withModel({ format: 'lp', data: lp }, (model) => {
    model.options.set({ output_flag: false, time_limit: Math.max(1, timeLimitSeconds), mip_rel_gap: 1e-6 });
    const n = model.getDimensions().numCols;
    const names = Array.from({ length: n }, (_, i) => model.getColName(i));
    if (warm.size) model.setSolution({ colValue: Float64Array.from(names, (name) => (warm.has(name) ? 1 : 0)) });
    model.run();
    const status = model.getModelStatus() as number;
    const values = model.getSolution().colValue;
    return {
      status: STATUS_NAMES[status] ?? `status_${status}`,
      objective: model.getObjectiveValue(),
      bound: Number(model.info.get('mip_dual_bound')),
      chosen: new Set(names.filter((_, i) => values[i]! > 0.5)),
      variables: n,
    };
  });
}

/** One HiGHS run of an LP-format model (no warm start): the best objective found and the bound proved. */
export async function solveLp(lp: string, timeLimitSeconds: number): Promise<{ status: string; objective: number; bound: number; variables: number }> {
  const { status, objective, bound, variables } = await solve(lp, new Set(), timeLimitSeconds);
  return { status, objective, bound, variables };
}

/** Route arc names (base first, then each job from the one before it in visit order) of columns chosen. */
function routeArcNames(day: PlanDay, columns: Column[], chosen: Column[]): Set<string> {
  const indexOf = new Map(columns.map((c, i) => [c, i]));
  const order = visitOrder(day.windows);
  const at = (c: Column) => ({ start: c.start, postalCode: c.job.postalCode, jobId: c.job.jobId });
  const names = new Set<string>();
  const byTech = new Map<PlanTechnician, Column[]>();
  for (const c of chosen) byTech.set(c.tech, [...(byTech.get(c.tech) ?? []), c]);
  for (const mine of byTech.values()) {
    mine.sort((a, b) => order(at(a), at(b)));
    mine.forEach((c, i) => {
      names.add(i === 0 ? `s${indexOf.get(c)}` : `y${indexOf.get(mine[i - 1]!)}_${indexOf.get(c)}`);
    });
  }
  return names;
}

/** Above this many possible route arcs, the route run keeps each job's MAX_ARCS_IN cheapest incoming arcs. */
export const FULL_ARCS_LIMIT = 150_000;
export const MAX_ARCS_IN = 8;

/**
 * Plans the day in two HiGHS runs (plan.ts buildModel), the order SERVE_WEIGHT stands for:
 * 1. serve: the most jobs, each weighted minus the cheapest arc that could lead to it — a relaxation
 *    of every valid plan, so its proved bound bounds the reported objective of any plan;
 * 2. route: with at least as many served as the best valid plan so far, the least route drive
 *    minutes (all arcs on small days; each job's cheapest incoming arcs on large ones, plus the warm
 *    start's), warm-started from that plan.
 * The plan is the best valid one of first-come (without its long hops), the packing heuristic,
 * `opts.start` (today's assignment; all then improved by insertWithRelocation), the
 * serve run's plan (without long hops) and the route run's (objectiveOf: what is reported). The bound
 * is the serve run's, or the route run's when it is tighter and still bounds every plan (all arcs).
 */
export async function planDay(
  day: PlanDay,
  opts: { timeLimitSeconds?: number; maxArcsIn?: number; start?: Assignment[] } = {},
): Promise<{ assignments: Assignment[]; solver: SolverReport }> {
  const started = performance.now();
  const limit = opts.timeLimitSeconds ?? 20;
  const serveModel = buildModel(day, { stage: 'serve' });
  const { columns } = serveModel;
  if (!columns.length) {
    // Nothing to plan: the day is its pinned stops (objectiveOf: minus their drive minutes).
    const objective = objectiveOf(day, []);
    const solver = {
      solver: 'highs' as const,
      status: 'optimal',
      objective,
      bound: objective,
      gap: 0,
      jobsServedBound: 0,
      driveMinutesBound: 0,
      seconds: 0,
      variables: 0,
      constraints: 0,
    };
    return { assignments: [], solver };
  }
  const key = (c: { jobId: string; technicianId: string; start: string }) => `${c.jobId}|${c.technicianId}|${c.start}`;
  const columnOf = new Map(columns.map((c) => [key({ jobId: c.job.jobId, technicianId: c.tech.technicianId, start: c.start }), c]));
  const asAssignments = (cs: Column[]): Assignment[] =>
    cs.map((c) => ({ jobId: c.job.jobId, technicianId: c.tech.technicianId, start: c.start, windowStarts: c.occupied }));
  const better = (a: Assignment[], b: Assignment[]) => (objectiveOf(day, b) > objectiveOf(day, a) ? b : a);
  const valid = (a: Assignment[]) => validate(day, a).length === 0;
  // Warm start: first-come without its long hops (feasible), the packing heuristic's, or `start`
  // (today's assignment, when valid: its long hops are the day's keptHops), whichever is best.
  const heuristics = [withoutLongHops(day, fcfsAssign(day)), withoutLongHops(day, packAssign(day)), ...(opts.start ? [opts.start] : [])].filter(valid);
  let best = heuristics.reduce(better, [] as Assignment[]);
  const improved = insertWithRelocation(day, best);
  if (valid(improved)) best = better(best, improved);
  const perTech = new Map<PlanTechnician, number>();
  for (const c of columns) perTech.set(c.tech, (perTech.get(c.tech) ?? 0) + 1);
  const pairs = [...perTech.values()].reduce((s, n) => s + (n * (n + 1)) / 2, 0);
  const maxArcsIn = opts.maxArcsIn ?? (pairs > FULL_ARCS_LIMIT ? MAX_ARCS_IN : undefined);
  // Large days: most of the time to the serve run (the route run starts from a valid plan anyway).
  const serve = await solve(serveModel.lp, new Set(best.map((a) => columnOf.get(key(a))!.name)), limit * (maxArcsIn ? 0.7 : 0.5));
  const served = asAssignments(columns.filter((c) => serve.chosen.has(c.name)));
  for (const candidate of [served, withoutLongHops(day, served)]) if (valid(candidate)) best = better(best, candidate);

  const warmColumns = best.map((a) => columnOf.get(key(a))!);
  const warmArcs = routeArcNames(day, columns, warmColumns);
  const routeModel = buildModel(day, { stage: 'route', minServed: best.length, maxArcsIn, keepArcs: warmArcs });
  const remaining = limit - (performance.now() - started) / 1000;
  const routed = await solve(routeModel.lp, new Set([...warmColumns.map((c) => c.name), ...warmArcs]), remaining);
  const routedPlan = asAssignments(routeModel.columns.filter((c) => routed.chosen.has(c.name)));
  if (routed.status !== 'infeasible' && valid(routedPlan)) best = better(best, routedPlan);

  const assignments = best;
  const objective = objectiveOf(day, assignments);
  const n = assignments.length;
  // The serve run bounds every valid plan; the route run too when it has every arc (a plan serving
  // fewer than n scores at most (n - 1) * SERVE_WEIGHT, so its bound covers those when above that).
  // The MIP's objective is the reported one plus `offset` (the pinned stops' drive, plan.ts buildModel).
  const { offset } = serveModel;
  let bound = Number.isFinite(serve.bound) ? serve.bound - offset : Number.POSITIVE_INFINITY;
  const routedBound = routed.bound - offset;
  if (!routeModel.pruned && Number.isFinite(routedBound) && routedBound >= (n - 1) * SERVE_WEIGHT) bound = Math.min(bound, routedBound);
  bound = Math.max(bound, objective);
  const gap = objective ? Math.max(0, (bound - objective) / Math.abs(objective)) : 0;
  // Drive minutes (plus window-preference rank, 0 when windows are fixed) no plan serving as many can beat.
  const driveMinutesBound = Math.max(0, Math.ceil(n * SERVE_WEIGHT - bound - 1e-6));
  // A plan serving k jobs scores at least k * (SERVE_WEIGHT - worst rank - dearest incoming arc) in the MIP (bound + offset).
  const worst = Math.max(0, ...columns.map((c) => SERVE_WEIGHT - c.weight + c.maxIn));
  const timedOut = serve.status === 'time_limit' || routed.status === 'time_limit';
  return {
    assignments,
    solver: {
      solver: 'highs' as const,
      status: gap < 1e-9 ? 'optimal' : timedOut ? 'time_limit' : 'feasible',
      objective,
      bound,
      gap: Math.round(gap * 1e6) / 1e6,
      jobsServedBound: Math.floor((bound + offset) / (SERVE_WEIGHT - worst) + 1e-9),
      driveMinutesBound,
      seconds: Math.round(performance.now() - started) / 1000,
      variables: routed.variables,
      constraints: routeModel.rows,
    },
  };
}
