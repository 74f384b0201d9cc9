/**
 * POST /v1/dispatch/reassign: apply technician changes for one day (a day plan's, a swap, a chain)
 * whole or not at all (dispatch/apply-plan.ts); the room the change made goes to the day's waitlisted
 * leads (leads/waitlist.ts offerGrownRoom); answer the day after, with the offers made (a replayed plan:
 * the offers its first apply made).
 */
import { listClaims } from '../capacity/store';
import { offerGrownRoom, type WaitlistOffer } from '../leads/waitlist';
import { logger } from '../shared/logger';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { applyPlan } from './apply-plan';
import { boardVersion, currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { metrics } from './plan';
import { routeMetrics } from './route-plan';
import { recordApplyOffers } from './store';
import { ReassignBodySchema } from './schemas';

/** The offers kept with the applied plan, for its replays; the apply and its offers stand whatever becomes of this. */
async function keepOffers(tenantId: string, planId: string, offers: WaitlistOffer[]): Promise<void> {
  try {
    await recordApplyOffers(tenantId, planId, offers);
  } catch (error) {
    logger.warn("the plan's waitlist offers could not be kept for its replays", { tenantId, planId, error: (error as Error).name });
  }
}

export const handler = apiRoute({ body: ReassignBodySchema }, async ({ tenant, body }) => {
  // The day as it stood before the change: the room the change makes is what it may offer.
  const before = await listClaims(tenant.tenantId, body.date, body.date);
  const at = now();
  const { replayed, ...outcome } = await applyPlan(tenant.tenantId, tenant.keyId, body, at);
  // Offers hold nothing, so the day read after the change is the day after the offers too.
  const after = await loadDispatchDay(tenant.tenantId, body.date);
  // A replayed plan answers the offers its first apply made (kept with the plan's journal), and makes none.
  const offers = replayed
    ? (outcome.waitlistOffers ?? [])
    : outcome.applied.length
      ? await offerGrownRoom(after, { date: body.date, before, freedBy: outcome.planId ?? 'a dispatch reassignment', placements: body.waitlist }, at)
      : [];
  if (!replayed && body.planId && outcome.applied.length) await keepOffers(tenant.tenantId, body.planId, offers);
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
      waitlistOffers: offers,
      current: { metrics: score(problem, currentAssignments(after, problem)) },
    },
  };
});
