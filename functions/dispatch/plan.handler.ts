/**
 * POST /v1/dispatch/plan?date: the HiGHS day plan for the day's booked jobs next to the
 * first-come-first-served assignment and the one the claims hold now. A proposal: nothing changes
 * (POST /v1/dispatch/reassign applies its technician changes).
 */
import { apiRoute } from '../shared/http';
import { currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { fcfsAssign, metrics, planDay } from './plan';
import { PlanQuerySchema } from './schemas';

export const handler = apiRoute({ query: PlanQuerySchema }, async ({ tenant, query }) => {
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  const problem = toPlanDay(day, { flexibleWindows: query.flexibleWindows, maxHopMinutes: query.maxHopMinutes });
  const fcfs = fcfsAssign(problem);
  const { assignments, solver } = await planDay(problem, { timeLimitSeconds: query.timeLimitSeconds });
  const byId = new Map(day.jobs.map((j) => [j.bookingId, j]));
  const current = currentAssignments(day, problem);
  const changes = assignments
    .filter((a) => {
      const now = byId.get(a.jobId)!;
      return now.technicianId !== a.technicianId || now.start !== a.start;
    })
    .map((a) => ({ jobId: a.jobId, from: { technicianId: byId.get(a.jobId)!.technicianId, start: byId.get(a.jobId)!.start }, to: a }));
  return {
    statusCode: 200,
    body: {
      date: day.date,
      applied: false,
      plan: { metrics: metrics(problem, assignments), assignments },
      firstComeFirstServed: { metrics: metrics(problem, fcfs), assignments: fcfs },
      current: { metrics: metrics(problem, current) },
      solver,
      changes,
    },
  };
});
