/**
 * POST /v1/dispatch/plan?date: a day plan for the day's booked jobs next to the day's real
 * assignment (`current`, the baseline: what the claims hold now). A proposal: nothing changes; its
 * planId and boardVersion let POST /v1/dispatch/reassign apply it whole, once, on the same board.
 * - `buffer` travel model: the HiGHS MIP (./solver.ts planDay).
 * - `route` travel model: the route search (./route-plan.ts routePlanSearch) from the real
 *   assignment, stopped at a deadline inside the API's 29 s (the best valid plan so far, saying what
 *   was cut), then a lower bound on the drive minutes from HiGHS in the time left (./route-plan.ts
 *   routeDriveBoundModel). Every booked job keeps a technician; drive minutes are the real routes'.
 *   The day's waitlisted callers (leads/waiters.ts waitersOfDay) join as optional jobs in the
 *   windows their requests asked: the search places as many jobs as it can, then least drive; those
 *   placed are `waitlistPlaced`, counted in the plan's metrics and objective, and applying the plan
 *   offers them exactly that room (reassign.handler.ts). The buffer model's MIP has no "keep every
 *   booked job" constraint, so it plans booked jobs only.
 */
import { performance } from 'node:perf_hooks';
import { type DayWaiter, waitersOfDay } from '../leads/waiters';
import { apiRoute } from '../shared/http';
import { boardVersion, currentAssignments, type DispatchDay, loadDispatchDay, planId, toPlanDay } from './day';
import { type Assignment, metrics, neverWorse, type PlanDay, type PlanJob, routes, validate } from './plan';
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
  // Every booked job keeps a technician; the day's waiting callers (if any) are optional.
  const keep = new Set(current.map((a) => a.jobId));
  const search = routePlanSearch(problem, current, {
    deadline: started + budgetSeconds * SEARCH_SHARE * 1000,
    budgetSeconds: budgetSeconds * SEARCH_SHARE,
    keep,
  });
  const searchSeconds = (performance.now() - searchStarted) / 1000;
  const {
    assignments,
    metrics: planMetrics,
    current: currentMetrics,
    kept,
  } = neverWorse(search.assignments, current, { metrics: (a) => routeMetrics(problem, a), problems: (a) => validateRoutes(problem, a) });
  // The bound: HiGHS on the route relaxation in the time left (at least 1 s; its dual bound holds even when stopped), else the cheapest arcs alone.
  const model = routeDriveBoundModel(problem, planMetrics.served, keep);
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
      ...(kept ? { kept } : {}),
      boundProof:
        proved !== undefined && Math.ceil(proved - 1e-6) >= model.cheapest
          ? `HiGHS route relaxation, ${relaxed!.status} (${searched})`
          : `cheapest arc into each job only (${searched})`,
    },
  };
}

async function bufferPlan(day: PlanDay, current: Assignment[], timeLimitSeconds: number) {
  // Today's long hops may stay (a booked job is never dropped to keep to the hop limit); today's assignment is a warm start.
  const problem: PlanDay = { ...day, keptHops: routes(day, current).flatMap((r) => r.longHopPairs) };
  const found = await planDay(problem, { timeLimitSeconds, start: current });
  const {
    assignments,
    metrics: planMetrics,
    current: currentMetrics,
    kept,
  } = neverWorse(found.assignments, current, { metrics: (a) => metrics(problem, a), problems: (a) => validate(problem, a) });
  return {
    assignments,
    plan: planMetrics,
    current: currentMetrics,
    solver: { ...found.solver, objectiveKind: 'served_then_drive' as const, ...(kept ? { kept } : {}) },
  };
}

/** A plan job's id for a waiting caller (never a booking id: those are ULIDs). */
const WAITER_PREFIX = 'waitlist:';

/** The day's waiting callers as optional plan jobs: each in the windows its leads' requests asked (any of the day for one that asked none). */
function waiterJobs(day: DispatchDay, problem: PlanDay, waiters: DayWaiter[]): Map<string, { job: PlanJob; waiter: DayWaiter }> {
  const types = new Map(day.jobTypes.map((j) => [j.jobTypeId, j]));
  const all = problem.windows.map((w) => w.start);
  const jobs = new Map<string, { job: PlanJob; waiter: DayWaiter }>();
  for (const waiter of waiters) {
    const type = types.get(waiter.jobTypeId);
    if (!type) continue;
    const windows = waiter.leads.some((l) => !l.start) ? all : [...new Set(waiter.leads.map((l) => l.start!))].filter((s) => all.includes(s));
    if (!windows.length) continue;
    const jobId = `${WAITER_PREFIX}${waiter.leads[0]!.lead.leadId}`;
    jobs.set(jobId, {
      waiter,
      job: {
        jobId,
        trade: type.trade,
        requiredSkills: type.requiredSkills,
        postalCode: waiter.postalCode,
        durationWindows: type.durationWindows,
        ...(type.durationMinutes !== undefined ? { durationMinutes: type.durationMinutes } : {}),
        windows,
        order: problem.jobs.length + jobs.size,
      },
    });
  }
  return jobs;
}

export const handler = apiRoute({ query: PlanQuerySchema }, async ({ tenant, query }) => {
  const started = performance.now();
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  const travelModel = day.tenant.travelModel ?? 'buffer';
  const problem = toPlanDay(day, { flexibleWindows: query.flexibleWindows, maxHopMinutes: query.maxHopMinutes });
  const current = currentAssignments(day, problem);
  const trades = [...new Set(problem.technicians.flatMap((t) => t.trades))];
  const waiting: ReturnType<typeof waiterJobs> =
    travelModel === 'route' ? waiterJobs(day, problem, await waitersOfDay(tenant.tenantId, day.date, trades)) : new Map();
  const withWaiters: PlanDay = { ...problem, jobs: [...problem.jobs, ...[...waiting.values()].map((w) => w.job)] };
  const result =
    travelModel === 'route'
      ? await routePlan(withWaiters, current, started, query.timeLimitSeconds)
      : await bufferPlan(problem, current, query.timeLimitSeconds);
  const { solver } = result;
  const assignments = result.assignments.filter((a) => !waiting.has(a.jobId));
  // Each placed waiter's offer goes to the lead whose request asked that window (or asked none).
  const waitlistPlaced = result.assignments.flatMap((a) => {
    const leads = waiting.get(a.jobId)?.waiter.leads;
    const lead = leads?.find((l) => l.start === a.start) ?? leads?.find((l) => !l.start);
    return lead ? [{ leadId: lead.lead.leadId, technicianId: a.technicianId, start: a.start }] : [];
  });
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
        waitlistPlaced,
      ),
      boardVersion: version,
      plan: { metrics: result.plan, assignments },
      current: { metrics: result.current },
      solver,
      changes,
      waitlistPlaced,
    },
  };
});
