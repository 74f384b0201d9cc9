/**
 * POST /v1/dispatch/reassign: apply technician changes for one day (a day plan's, a swap, a chain)
 * whole or not at all (dispatch/apply-plan.ts); answer the day after.
 */
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { applyPlan } from './apply-plan';
import { boardVersion, currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { metrics } from './plan';
import { routeMetrics } from './route-plan';
import { ReassignBodySchema } from './schemas';

export const handler = apiRoute({ body: ReassignBodySchema }, async ({ tenant, body }) => {
  const outcome = await applyPlan(tenant.tenantId, tenant.keyId, body, now());
  const after = await loadDispatchDay(tenant.tenantId, body.date);
  const problem = toPlanDay(after);
  // Scored as the plan was: under the route travel model, the real routes' drive minutes.
  const score = after.tenant.travelModel === 'route' ? routeMetrics : metrics;
  return {
    statusCode: 200,
    body: {
      date: body.date,
      outcome: 'applied' as const,
      ...outcome,
      boardVersion: boardVersion(after),
      current: { metrics: score(problem, currentAssignments(after, problem)) },
    },
  };
});
