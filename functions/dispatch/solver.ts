/**
 * Runs the day planner's MIP (./plan.ts buildModel) in HiGHS (WebAssembly): loads the solver once
 * per container, warm-starts from first-come-first-served without its too-long hops (so a
 * time-limited solve is never worse than today), and reads the plan and the proved gap back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Arc,
  type Assignment,
  buildModel,
  type Column,
  fcfsAssign,
  objectiveOf,
  packAssign,
  type PlanDay,
  SERVE_WEIGHT,
  type SolverReport,
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

/** The route arcs (base first) of an assignment given as columns. */
function arcsOf(day: PlanDay, columns: Set<Column>, arcs: Arc[]): Set<string> {
  return new Set(
    arcs
      .filter((arc) => {
        if (!columns.has(arc.to)) return false;
        const order = visitOrder(day.windows);
        const at = (c: Column) => ({ start: c.start, postalCode: c.job.postalCode, jobId: c.job.jobId });
        const before = [...columns].filter((c) => c.tech === arc.to.tech && order(at(c), at(arc.to)) < 0).sort((a, b) => order(at(b), at(a)))[0];
        return arc.from === before;
      })
      .map((a) => a.name),
  );
}

/**
 * Plans the day in two HiGHS runs (plan.ts buildModel): the most jobs served, then, with that many
 * served, the least drive minutes of the real routes (plus the customers' window preference rank,
 * 0 when windows are fixed): the order SERVE_WEIGHT stands for. The objective reported is SERVE_WEIGHT per job minus rank minus the route drive minutes (objectiveOf);
 * its bound is the second run's (the first's too while the most jobs served is not proved).
 */
export async function planDay(day: PlanDay, opts: { timeLimitSeconds?: number } = {}): Promise<{ assignments: Assignment[]; solver: SolverReport }> {
  const started = performance.now();
  const limit = opts.timeLimitSeconds ?? 20;
  const serveModel = buildModel(day, { stage: 'serve' });
  const { columns } = serveModel;
  if (!columns.length) {
    const solver = {
      solver: 'highs' as const,
      status: 'optimal',
      objective: 0,
      bound: 0,
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
  // Warm start: FCFS without its long hops (feasible), so a time-limited solve is never worse than today.
  // (or the packing heuristic's, when it serves more: with job minutes it often does).
  const fcfs = withoutLongHops(day, fcfsAssign(day));
  const packed = withoutLongHops(day, packAssign(day));
  const warm = new Set((packed.length > fcfs.length ? packed : fcfs).map((a) => columnOf.get(key(a))!.name));
  const serve = await solve(serveModel.lp, warm, limit * 0.4);
  const servedCount = Math.round(serve.objective / SERVE_WEIGHT);
  const routeModel = buildModel(day, { stage: 'route', minServed: servedCount });
  const byName = new Map(routeModel.columns.map((c) => [c.name, c]));
  const served = new Set(routeModel.columns.filter((c) => serve.chosen.has(c.name)));
  const remaining = limit - (performance.now() - started) / 1000;
  const routed = await solve(routeModel.lp, new Set([...[...served].map((c) => c.name), ...arcsOf(day, served, routeModel.arcs)]), remaining);
  // A route run stopped by its time limit before it had a plan serving as many: the serve run's plan.
  const routedServes = routeModel.columns.filter((c) => routed.chosen.has(c.name)).length;
  const chosen = routed.status === 'infeasible' || routedServes < servedCount ? serve.chosen : routed.chosen;
  const assignments: Assignment[] = routeModel.columns
    .filter((c) => chosen.has(c.name) && byName.has(c.name))
    .map((c) => ({ jobId: c.job.jobId, technicianId: c.tech.technicianId, start: c.start, windowStarts: c.occupied }));
  const objective = objectiveOf(day, assignments);
  // With the most jobs served proved, the route run's bound bounds every plan; otherwise so does the serve run's.
  const bound = serve.status === 'optimal' ? routed.bound : Math.max(routed.bound, serve.bound);
  // Drive minutes (plus window-preference rank, 0 when windows are fixed) no plan serving as many can beat.
  const driveMinutesBound = Math.max(0, Math.ceil(servedCount * SERVE_WEIGHT - routed.bound - 1e-6));
  const gap = objective ? Math.max(0, (bound - objective) / Math.abs(objective)) : 0;
  // A plan serving k jobs scores at least k * (SERVE_WEIGHT - worst rank - longest incoming arc).
  const incoming = new Map<Column, number>();
  for (const a of routeModel.arcs) incoming.set(a.to, Math.max(incoming.get(a.to) ?? 0, a.minutes));
  const worst = Math.max(0, ...routeModel.columns.map((c) => SERVE_WEIGHT - c.weight + (incoming.get(c) ?? 0)));
  return {
    assignments,
    solver: {
      solver: 'highs' as const,
      status: serve.status === 'optimal' && routed.status === 'optimal' ? 'optimal' : serve.status === 'optimal' ? routed.status : serve.status,
      objective,
      bound,
      gap: Math.round(gap * 1e6) / 1e6,
      jobsServedBound: Math.floor(serve.bound / (SERVE_WEIGHT - worst) + 1e-9),
      driveMinutesBound,
      seconds: Math.round(performance.now() - started) / 1000,
      variables: routed.variables,
      constraints: routeModel.rows,
    },
  };
}
