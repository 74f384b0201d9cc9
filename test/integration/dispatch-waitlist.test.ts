/**
 * Issue 21 item 4 through the API: the room a day plan makes goes to the day's waitlisted callers.
 * A route company with two trucks that work 08:00-10:00 (one arrival window), one based north and
 * one south, booked first-come the long way round: the north truck has a job far south, the south
 * truck one far north. A third caller, north, is refused (nothing open that day: a lead) and
 * waitlisted, and so is a fourth with the same need. Swapping the two jobs (each truck near home)
 * makes room for one more north job, no more:
 * - the day plan counts the waiting callers as optional jobs and places the earlier one
 *   (`waitlistPlaced`); applying it offers exactly that window to that caller;
 * - a swap by hand (no plan) offers the room to the day's waitlist, earliest first;
 * either way the earlier caller gets its `waitlist_offer` SMS row for the window they asked, the
 * later one nothing (one place, one offer), and the offered caller then books it through
 * POST /v1/bookings. Room the offers did not get to is a review item for dispatch, never only a log line,
 * and a plan whose run died between its apply and its offers owes them: the retry, or with nobody
 * retrying the recovery sweep, makes them, once.
 */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { applyPlan, recoverStalledApplies } from '../../functions/dispatch/apply-plan';
import { loadDispatchDay } from '../../functions/dispatch/day';
import { APPLY_RECOVERY_AFTER_MS } from '../../functions/dispatch/store';
import { offerGrownRoom } from '../../functions/leads/waitlist';
import { bookingRequest, bookOnTechnician, itemsWithPrefix, nextWeekday, refusedBooking, routePlumbingCompany, type TestTenant } from './helpers';

// Far north and far south of Austin (64 minutes apart); each truck's base is the first code (dispatch/geo.ts basePostalCode).
const NORTH = '78727';
const SOUTH = '78747';
const date = nextWeekday(2, 3); // a Tuesday

const request = (postalCode: string, phone: string, name: string) => {
  const base = bookingRequest({ jobTypeId: 'wl-fix-45' });
  return {
    ...base,
    customer: { ...base.customer, name, phone, email: undefined },
    address: { ...base.address, postalCode },
    window: { date, start: '08:00' },
  };
};

/** The company, its day booked the long way round, and two north callers refused and waitlisted (earlier first). */
async function longWayRound(): Promise<{ tenant: TestTenant; earlier: string; later: string }> {
  const tenant = await routePlumbingCompany(
    [
      { id: 'wl-north', name: 'wl-north', postalCodes: [NORTH, '78728', SOUTH] },
      { id: 'wl-south', name: 'wl-south', postalCodes: [SOUTH, '78744', NORTH] },
    ],
    {
      tenant: { travelModel: 'route' },
      shift: { start: '08:00', end: '10:00' },
      dailyJobLimit: 8,
      jobType: { id: 'wl-fix-45', name: 'Drain fix', durationMinutes: 45 },
    },
  );
  // First-come, the long way round: each truck has the job near the other's base.
  await bookOnTechnician(tenant, request(SOUTH, '(512) 555-6101', 'Sam South'), 'wl-north');
  await bookOnTechnician(tenant, request(NORTH, '(512) 555-6102', 'Nia North'), 'wl-south');
  // Two more north callers: nothing is open that day (each truck's day would not fit), so each is a lead.
  const leads: string[] = [];
  for (const [phone, name] of [
    ['(512) 555-6103', 'Avery Waiting'],
    ['(512) 555-6104', 'Blake Later'],
  ] as const) {
    const refused = await refusedBooking(tenant, request(NORTH, phone, name));
    expect(refused.booking.statusReason).toBe('fully_booked');
    const leadId = refused.leadId;
    const waitlisted = await tenant.call('POST', `/v1/leads/${leadId}/waitlist`, { note: 'any time that morning' });
    expect(waitlisted.status, JSON.stringify(waitlisted.body)).toBe(200);
    leads.push(leadId);
  }
  return { tenant, earlier: leads[0]!, later: leads[1]! };
}

/**
 * The change offers the one place to `earlier`; sent again it moves nothing and offers nothing more
 * (expectOfferTaken counts one offer). A plan's replay (same planId) answers what its first apply
 * answered, the offer included, so a retrying bot or console says the truth; the same swap sent
 * again without a plan is a new request that changes nothing and offers nothing.
 */
async function offersOnceWhenSentTwice(tenant: TestTenant, change: unknown, earlier: string, again: 'replays the offer' | 'offers nothing') {
  const applied = await tenant.call('POST', '/v1/dispatch/reassign', change);
  expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  const offer = [{ leadId: earlier, date, start: '08:00', end: '10:00' }];
  expect(applied.body.waitlistOffers).toEqual(offer);
  const second = await tenant.call('POST', '/v1/dispatch/reassign', change);
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  if (again === 'replays the offer') expect(second.body).toMatchObject({ applied: applied.body.applied, waitlistOffers: offer });
  else expect(second.body).toMatchObject({ applied: [], waitlistOffers: [] });
}

/** POST /v1/dispatch/reassign's body that applies a day plan as it was given (its changes and its waiting callers). */
const applyBody = (p: Record<string, any>) => ({
  date,
  reason: 'day plan',
  planId: p.planId as string,
  boardVersion: p.boardVersion as string,
  assignments: p.changes.map((c: any) => c.to),
  waitlist: p.waitlistPlaced,
});

/**
 * The day planned (the earlier caller placed), then the route's first step in-process (reassign.handler.ts):
 * the plan is applied at `at`, and the run dies there, before its offers.
 */
async function appliedByDeadRun(tenant: TestTenant, earlier: string, at: Date) {
  const planned = await tenant.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=5`);
  expect(planned.status, JSON.stringify(planned.body)).toBe(200);
  const p = planned.body;
  expect(p.waitlistPlaced).toEqual([{ leadId: earlier, technicianId: 'wl-north', start: '08:00' }]);
  const apply = applyBody(p);
  expect((await applyPlan(tenant.tenantId, 'test', apply, at)).applied).toHaveLength(2);
  const leads = new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l.status]));
  expect(leads.get(earlier), 'no offer yet').toBe('waitlisted');
  return { p, apply };
}

/** The two jobs swapped by hand (no plan), each truck near home. */
async function swapByHand(tenant: TestTenant) {
  const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
  const jobOf = (technicianId: string) => board.technicians.find((t: any) => t.technicianId === technicianId).jobs[0].bookingId;
  return {
    date,
    reason: 'closer to home',
    assignments: [
      { jobId: jobOf('wl-north'), technicianId: 'wl-south' },
      { jobId: jobOf('wl-south'), technicianId: 'wl-north' },
    ],
  };
}

/** The earlier caller was offered 08:00 (lead and SMS row), the later one nothing; the earlier one then books it. */
async function expectOfferTaken(tenant: TestTenant, earlier: string, later: string, freedBy: string) {
  const byId = new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l]));
  expect(byId.get(earlier)).toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '08:00', end: '10:00', freedBy }) });
  expect(byId.get(later), 'one place, one offer').toMatchObject({ status: 'waitlisted' });
  const offerRows = async (leadId: string) =>
    (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${byId.get(leadId)!.bookingId}`)).filter(
      (row) => String(row.sk).startsWith('NOTIFY#') && row.kind === 'waitlist_offer',
    );
  expect(await offerRows(earlier)).toHaveLength(1);
  expect(await offerRows(later)).toHaveLength(0);
  // The customer replies and the bot books the offered window like any other request.
  const taken = await tenant.call('POST', '/v1/bookings', request(NORTH, '(512) 555-6103', 'Avery Waiting'), { 'Idempotency-Key': `wl-${ulid()}` });
  expect(taken.status, JSON.stringify(taken.body)).toBe(201);
  expect(taken.body.window).toMatchObject({ date, start: '08:00', technicianId: 'wl-north' });
  const served = async () => ((await tenant.call('GET', '/v1/leads?status=booked')).body.items as Array<Record<string, any>>).map((l) => l.leadId);
  await expect.poll(served, { timeout: 60_000, interval: 500 }).toContain(earlier);
}

describe('the room a dispatch change makes goes to the waitlist', () => {
  it('the day plan places the earlier waiting caller; applying it offers them that window, and they book it', async () => {
    const { tenant, earlier, later } = await longWayRound();
    const planned = await tenant.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=5`);
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    const p = planned.body;
    expect(p.changes, 'the plan swaps the two jobs').toHaveLength(2);
    expect(p.waitlistPlaced).toEqual([{ leadId: earlier, technicianId: 'wl-north', start: '08:00' }]);
    // Counted in the plan (3 jobs) against the real day (2); the objective is the drive of the routes shown.
    expect(p.current.metrics.served).toBe(2);
    expect(p.plan.metrics.served).toBe(3);
    expect(p.plan.metrics.driveMinutes).toBeLessThan(p.current.metrics.driveMinutes);
    expect(p.solver.objective).toBe(p.plan.metrics.driveMinutes);
    expect(p.plan.assignments.map((a: any) => a.jobId)).not.toContain(`waitlist:${earlier}`);

    const apply = applyBody(p);
    // The plan's id covers its waiting callers: the same changes with another caller are refused.
    const altered = await tenant.call('POST', '/v1/dispatch/reassign', { ...apply, waitlist: [{ ...p.waitlistPlaced[0], leadId: later }] });
    expect(altered.status, JSON.stringify(altered.body)).toBe(400);
    await offersOnceWhenSentTwice(tenant, apply, earlier, 'replays the offer');
    await expectOfferTaken(tenant, earlier, later, p.planId);
  }, 240_000);

  it("a swap by hand offers the room it makes to the day's waitlist, earliest first, once", async () => {
    const { tenant, earlier, later } = await longWayRound();
    const swap = await swapByHand(tenant);
    await offersOnceWhenSentTwice(tenant, swap, earlier, 'offers nothing');
    await expectOfferTaken(tenant, earlier, later, 'a dispatch reassignment');
  }, 240_000);

  it('a plan whose run died after applying it, before its offers: the retry (same planId) makes them, once', async () => {
    const { tenant, earlier, later } = await longWayRound();
    const { p, apply } = await appliedByDeadRun(tenant, earlier, new Date());
    // The client's retry makes the offer the first run owed; a second retry answers it and offers nothing more.
    await offersOnceWhenSentTwice(tenant, apply, earlier, 'replays the offer');
    await expectOfferTaken(tenant, earlier, later, p.planId);
  }, 240_000);

  it('with nobody retrying, the recovery sweep makes the offers a dead run owed, once; a retry then answers them', async () => {
    const { tenant, earlier, later } = await longWayRound();
    const at = new Date();
    const { p, apply } = await appliedByDeadRun(tenant, earlier, at);
    const sweep = (after: number) => recoverStalledApplies(new Date(at.getTime() + after), { tenantId: tenant.tenantId });
    expect(await sweep(0), 'the run may still be alive').toEqual({});
    expect(await sweep(APPLY_RECOVERY_AFTER_MS)).toEqual({ waitlistOffers: 1 });
    expect(await sweep(2 * APPLY_RECOVERY_AFTER_MS), 'off the list once made').toEqual({});
    const retried = await tenant.call('POST', '/v1/dispatch/reassign', apply);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.waitlistOffers).toEqual([{ leadId: earlier, date, start: '08:00', end: '10:00' }]);
    await expectOfferTaken(tenant, earlier, later, p.planId);
  }, 240_000);

  it('room a change made that the offers did not get to goes to the review queue for dispatch, naming the callers; they stay waitlisted', async () => {
    const { tenant, earlier, later } = await longWayRound();
    const swap = await swapByHand(tenant);
    // The route's steps (reassign.handler.ts), with no time left for the offers: none is made.
    const before = await listClaims(tenant.tenantId, date, date);
    const at = new Date();
    expect((await applyPlan(tenant.tenantId, 'test', swap, at)).applied).toHaveLength(2);
    const offers = await offerGrownRoom(await loadDispatchDay(tenant.tenantId, date), { date, before, freedBy: 'a dispatch reassignment' }, at, {
      budgetMs: 0,
    });
    expect(offers).toEqual([]);

    // A dispatcher finds it in the review queue: the day, why, and who was not offered the room.
    const items = (await tenant.call('GET', '/v1/review-items?kind=callback&status=open')).body.items as Array<Record<string, any>>;
    const item = items.find((i) => i.subject.type === 'dispatch_day');
    expect(item, JSON.stringify(items)).toMatchObject({ subject: { id: date }, payload: { date, leadIds: [earlier, later] } });
    expect(item!.reason).toContain('a dispatch reassignment made room that day, but the offers ran out of time before 2 waiting callers could be checked');
    const byId = new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l]));
    expect([byId.get(earlier)?.status, byId.get(later)?.status]).toEqual(['waitlisted', 'waitlisted']);
  }, 240_000);
});
