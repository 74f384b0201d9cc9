/**
 * POST /v1/dispatch/reassign: apply technician changes for one day (a day plan's, a swap, a chain)
 * whole or not at all (dispatch/apply-plan.ts); the room the change made goes to the day's waitlisted
 * leads (leads/waitlist.ts offerGrownRoom); answer the day after, with the offers made. A plan's
 * offers are owed from the write that applies it until they are recorded (dispatch/store.ts
 * offersOwed): a replay answers the offers its first apply made, or makes them when that run died
 * before making them (dispatch/apply-offers.ts).
 */
import { listClaims } from '../capacity/store';
import { offerGrownRoom } from '../leads/waitlist';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { planOffers } from './apply-offers';
import { applyPlan } from './apply-plan';
import { boardVersion, currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { metrics } from './plan';
import { routeMetrics } from './route-plan';
import { ReassignBodySchema } from './schemas';

export const handler = apiRoute({ body: ReassignBodySchema }, async ({ tenant, body }) => {
  // The day as it stood before the change: the room the change makes is what it may offer.
  const before = await listClaims(tenant.tenantId, body.date, body.date);
  const at = now();
  const { replayed, ...outcome } = await applyPlan(tenant.tenantId, tenant.keyId, body, at);
  // Offers hold nothing, so the day read after the change is the day after the offers too.
  const after = await loadDispatchDay(tenant.tenantId, body.date);
  // A plan's offers: made by this run, or owed by a first run that died before making them, or that run's (answered).
  const offers = !outcome.applied.length
    ? (outcome.waitlistOffers ?? [])
    : body.planId
      ? await planOffers(tenant.tenantId, { planId: body.planId, date: body.date, placements: body.waitlist }, after, replayed ? undefined : before, at)
      : await offerGrownRoom(after, { date: body.date, before, freedBy: outcome.planId ?? 'a dispatch reassignment', placements: body.waitlist }, at);
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
