/**
 * POST /v1/dispatch/plan?date: the HiGHS day plan for the day's booked jobs next to the day's real
 * assignment (`current`, the baseline: what the claims hold now). A proposal: nothing changes; its
 * planId and boardVersion let POST /v1/dispatch/reassign apply it whole, once, on the same board.
 */
import { apiRoute } from '../shared/http';
import { boardVersion, currentAssignments, loadDispatchDay, planId, toPlanDay } from './day';
import { metrics } from './plan';
import { planDay } from './solver';
import { PlanQuerySchema } from './schemas';

export const handler = apiRoute({ query: PlanQuerySchema }, async ({ tenant, query }) => {
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  const problem = toPlanDay(day, { flexibleWindows: query.flexibleWindows, maxHopMinutes: query.maxHopMinutes });
  const { assignments, solver } = await planDay(problem, { timeLimitSeconds: query.timeLimitSeconds });
  const byId = new Map(day.jobs.map((j) => [j.bookingId, j]));
  const current = currentAssignments(day, problem);
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
      planId: planId(
        day.date,
        version,
        changes.map((c) => c.to),
      ),
      boardVersion: version,
      plan: { metrics: metrics(problem, assignments), assignments },
      current: { metrics: metrics(problem, current) },
      solver,
      changes,
    },
  };
});
