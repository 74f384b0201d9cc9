/**
 * POST /v1/dispatch/reassign: apply technician changes for one day (a day plan's, a swap, a chain)
 * whole or not at all (dispatch/apply-plan.ts); answer the day after.
 */
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { applyPlan } from './apply-plan';
import { boardVersion, currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { metrics } from './plan';
import { ReassignBodySchema } from './schemas';

export const handler = apiRoute({ body: ReassignBodySchema }, async ({ tenant, body }) => {
  const outcome = await applyPlan(tenant.tenantId, tenant.keyId, body, now());
  const after = await loadDispatchDay(tenant.tenantId, body.date);
  const problem = toPlanDay(after);
  return {
    statusCode: 200,
    body: {
      date: body.date,
      outcome: 'applied' as const,
      ...outcome,
      boardVersion: boardVersion(after),
      current: { metrics: metrics(problem, currentAssignments(after, problem)) },
    },
  };
});
