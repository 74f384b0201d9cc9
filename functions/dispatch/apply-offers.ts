/**
 * The offers a day plan owes the day's waiting callers (leads/waitlist.ts offerGrownRoom), made once
 * whoever makes them: the run that applied the plan (POST /v1/dispatch/reassign), a retry of the plan
 * after that run died before its offers (same planId), or, when nobody retries, the recovery sweep
 * (apply-plan.ts recoverStalledApplies). The journal says they are owed from the write that applies
 * the plan (dispatch/store.ts offersOwed) until one run has claimed, made and recorded them.
 */
import { type CapacityClaim, firstFreeIndex, planClaims } from '../capacity/availability';
import type { WaitlistPlacement } from '../leads/waiters';
import { offerGrownRoom, type WaitlistOffer } from '../leads/waitlist';
import { logger } from '../shared/logger';
import { type DispatchDay, loadDispatchDay } from './day';
import { type ApplyJournal, claimApplyOffers, getApplyJournal, recordApplyOffers } from './store';

/** The offers kept with the applied plan (no longer owed), for its replays; the apply and its offers stand whatever becomes of this. */
async function keepOffers(tenantId: string, planId: string, offers: WaitlistOffer[], claimedAt: Date): Promise<void> {
  try {
    await recordApplyOffers(tenantId, planId, offers, claimedAt);
  } catch (error) {
    logger.warn("the plan's waitlist offers could not be kept for its replays", { tenantId, planId, error: (error as Error).name });
  }
}

/** Indices of the same token, unit or daily place: what a claim counts against. */
const KEYED = {
  unit: (c: CapacityClaim) => `u|${c.date}|${c.start}|${c.technicianId}`,
  techDay: (c: CapacityClaim) => `t|${c.date}|${c.technicianId}`,
  jobTypeDay: (c: CapacityClaim) => `j|${c.date}|${c.jobTypeId}`,
} as const;

/**
 * The day's claims as they would stand without an applied plan's moves (each moved job back in its old
 * hold): the `before` of a replay's offers, so they offer only room the plan made. A job's old claims
 * take indices free among the rest (the claims read number a technician-window's minutes afresh).
 */
function claimsWithoutMoves(claims: CapacityClaim[], journal: Pick<ApplyJournal, 'moves' | 'result'>): CapacityClaim[] {
  const applied = new Set(journal.result.applied.map((a) => a.jobId));
  const moves = journal.moves.filter((m) => applied.has(m.booking.bookingId));
  const moved = new Set(moves.map((m) => m.newHold.holdId));
  const kept = claims.filter((c) => !c.holdId || !moved.has(c.holdId));
  const used = new Map<string, Set<number>>();
  const keyOf = (c: CapacityClaim) => (c.kind in KEYED ? KEYED[c.kind as keyof typeof KEYED](c) : undefined);
  for (const c of kept) {
    const key = keyOf(c);
    if (key && c.index !== undefined) used.set(key, (used.get(key) ?? new Set()).add(c.index));
  }
  const back = moves.flatMap((m) => planClaims(m.oldHold.plan, m.oldHold.holdId, m.booking.bookingId));
  return [
    ...kept,
    ...back.map((c) => {
      const key = keyOf(c);
      if (!key || c.index === undefined) return c;
      const taken = used.get(key) ?? new Set<number>();
      // Always found: of 1..size+1, at least one is free.
      const index = firstFreeIndex(taken, taken.size + 1)!;
      used.set(key, taken.add(index));
      return { ...c, index };
    }),
  ];
}

/**
 * A plan's offers, made once: by the run that claims them (claimApplyOffers), then recorded. A run
 * that finds them made, or being made by another run, answers what is recorded. `before`: the day as
 * this run read it before applying the plan; a replay (none) compares with the day without the plan's
 * moves, read from its journal (`read`: the journal, when the caller has it already).
 */
export async function planOffers(
  tenantId: string,
  plan: { planId: string; date: string; placements?: WaitlistPlacement[] },
  after: DispatchDay,
  before: CapacityClaim[] | undefined,
  at: Date,
  read?: ApplyJournal,
): Promise<WaitlistOffer[]> {
  const { planId, date } = plan;
  const journal = before ? undefined : (read ?? (await getApplyJournal(tenantId, planId)));
  if (journal && !journal.offersOwed) return journal.result.waitlistOffers ?? [];
  if (!(await claimApplyOffers(tenantId, planId, at))) return (await getApplyJournal(tenantId, planId))?.result.waitlistOffers ?? [];
  const placements = journal ? journal.offersOwed!.placements : plan.placements;
  const then = before ?? claimsWithoutMoves(after.claims, journal!);
  const offers = await offerGrownRoom(after, { date, before: then, freedBy: planId, placements }, at);
  await keepOffers(tenantId, planId, offers, at);
  return offers;
}

/**
 * The recovery sweep's part: an applied plan whose offers are still owed (its run died before them and
 * nobody retried) makes them now. `result`: the plan's result as its recovery ended it. Never throws.
 */
export async function makeOwedOffers(journal: ApplyJournal, result: ApplyJournal['result'], at: Date): Promise<number> {
  const { tenantId, planId, date } = journal;
  try {
    const after = await loadDispatchDay(tenantId, date);
    return (await planOffers(tenantId, { planId, date }, after, undefined, at, { ...journal, result })).length;
  } catch (error) {
    logger.warn("the recovery sweep could not make an applied plan's waitlist offers", { tenantId, planId, error: (error as Error).name });
    return 0;
  }
}
