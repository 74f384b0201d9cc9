/**
 * POST /v1/dispatch/plan?date: a day plan for the day's booked jobs next to the day's real
 * assignment (`current`, the baseline: what the claims hold now). A proposal: nothing changes; its
 * planId and boardVersion let POST /v1/dispatch/reassign apply it whole, once, on the same board.
 * - `buffer` travel model: the HiGHS MIP (./solver.ts planDay).
 * - `route` travel model: the route search (./route-plan.ts routePlanSearch) from the real
 *   assignment, stopped at a deadline inside the API's 29 s (the best valid plan so far, saying what
 *   was cut), then a lower bound on the drive minutes from HiGHS in the time left (./route-plan.ts
 *   routeDriveBoundModel). Every booked job keeps a technician; drive minutes are the real routes'.
 */
import { performance } from 'node:perf_hooks';
import { apiRoute } from '../shared/http';
import { boardVersion, currentAssignments, type DispatchDay, loadDispatchDay, planId, toPlanDay } from './day';
import { type Assignment, metrics, type PlanDay } from './plan';
import { ROUTE_BOUND_MAX_ARCS, routeDriveBoundModel, routeMetrics, routePlanSearch, validateRoutes } from './route-plan';
import { planDay, solveLp } from './solver';
import { PlanQuerySchema } from './schemas';

/** The whole route plan (search and bound) answers within this many seconds whatever the caller asks: well inside API Gateway's 29. */
export const ROUTE_PLAN_MAX_SECONDS = 20;
/** Of the route plan's budget, the share the search gets; the bound gets the rest. */
const SEARCH_SHARE = 0.6;

async function routePlan(problem: PlanDay, current: Assignment[], started: number, limitSeconds: number) {
  const budgetSeconds = Math.min(limitSeconds, ROUTE_PLAN_MAX_SECONDS);
  const searchStarted = performance.now();
  const search = routePlanSearch(problem, current, {
    deadline: started + budgetSeconds * SEARCH_SHARE * 1000,
    budgetSeconds: budgetSeconds * SEARCH_SHARE,
    keep: new Set(current.map((a) => a.jobId)),
  });
  const searchSeconds = (performance.now() - searchStarted) / 1000;
  // Never worse than today: a search result that is not a valid route plan, or drives more, leaves the day as it is.
  const currentMetrics = routeMetrics(problem, current);
  let assignments = search.assignments;
  let planMetrics = routeMetrics(problem, assignments);
  const worse =
    planMetrics.served < currentMetrics.served || (planMetrics.served === currentMetrics.served && planMetrics.driveMinutes > currentMetrics.driveMinutes);
  if (validateRoutes(problem, assignments).length || worse) {
    assignments = current;
    planMetrics = currentMetrics;
  }
  // The bound: HiGHS on the route relaxation in the time left (at least 1 s; its dual bound holds even when stopped), else the cheapest arcs alone.
  const model = routeDriveBoundModel(problem, planMetrics.served);
  const left = budgetSeconds - (performance.now() - started) / 1000;
  const relaxed = model.lp && left >= 1 && planMetrics.served ? await solveLp(model.lp, Math.floor(left)) : undefined;
  const proved = relaxed && Number.isFinite(relaxed.bound) ? relaxed.bound : relaxed?.status === 'optimal' ? relaxed.objective : undefined;
  const driveBound = Math.min(planMetrics.driveMinutes, Math.max(model.cheapest, proved !== undefined ? Math.ceil(proved - 1e-6) : 0));
  const objective = planMetrics.driveMinutes;
  const gap = objective ? Math.max(0, (objective - driveBound) / objective) : 0;
  const boundCut = !planMetrics.served
    ? undefined
    : !model.lp
      ? `the bound's HiGHS run (${model.arcs} arcs, over ${ROUTE_BOUND_MAX_ARCS})`
      : !relaxed
        ? "the bound's HiGHS run (no time left)"
        : relaxed.status !== 'optimal'
          ? `the bound's HiGHS run (${relaxed.status}; its proved dual bound is used)`
          : undefined;
  const cut = [search.cut, boundCut].filter(Boolean).join('; ');
  const searched = `search ${searchSeconds.toFixed(1)} s, ${search.restarts} restarts`;
  return {
    assignments,
    plan: planMetrics,
    current: currentMetrics,
    solver: {
      solver: 'route-search+highs',
      status: gap < 1e-9 ? 'optimal' : cut ? 'time_limit' : 'feasible',
      objective,
      bound: driveBound,
      gap: Math.round(gap * 1e6) / 1e6,
      jobsServedBound: problem.jobs.length,
      driveMinutesBound: driveBound,
      seconds: Math.round(performance.now() - started) / 1000,
      variables: model.arcs,
      constraints: problem.jobs.length,
      objectiveKind: 'drive_minutes' as const,
      budgetSeconds,
      ...(cut ? { cut } : {}),
      boundProof:
        proved !== undefined && Math.ceil(proved - 1e-6) >= model.cheapest
          ? `HiGHS route relaxation, ${relaxed!.status} (${searched})`
          : `cheapest arc into each job only (${searched})`,
    },
  };
}

async function bufferPlan(day: DispatchDay, problem: PlanDay, timeLimitSeconds: number) {
  const { assignments, solver } = await planDay(problem, { timeLimitSeconds });
  const current = currentAssignments(day, problem);
  return {
    assignments,
    plan: metrics(problem, assignments),
    current: metrics(problem, current),
    solver: { ...solver, objectiveKind: 'served_then_drive' as const },
  };
}

export const handler = apiRoute({ query: PlanQuerySchema }, async ({ tenant, query }) => {
  const started = performance.now();
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  const travelModel = day.tenant.travelModel ?? 'buffer';
  const problem = toPlanDay(day, { flexibleWindows: query.flexibleWindows, maxHopMinutes: query.maxHopMinutes });
  const result =
    travelModel === 'route'
      ? await routePlan(problem, currentAssignments(day, problem), started, query.timeLimitSeconds)
      : await bufferPlan(day, problem, query.timeLimitSeconds);
  const { assignments, solver } = result;
  const byId = new Map(day.jobs.map((j) => [j.bookingId, j]));
  const changes = assignments
    .filter((a) => {
      const now = byId.get(a.jobId)!;
      return now.technicianId !== a.technicianId || now.start !== a.start;
    })
    .map((a) => ({ jobId: a.jobId, from: { technicianId: byId.get(a.jobId)!.technicianId, start: byId.get(a.jobId)!.start }, to: a }));
  const version = boardVersion(day);
  return {
    statusCode: 200,
    body: {
      date: day.date,
      applied: false,
      travelModel,
      planId: planId(
        day.date,
        version,
        changes.map((c) => c.to),
      ),
      boardVersion: version,
      plan: { metrics: result.plan, assignments },
      current: { metrics: result.current },
      solver,
      changes,
    },
  };
});
