/**
 * Issue 21 (ROUTEMOVES): under the `route` travel model every move of a booked job onto a
 * technician is route-checked like a new booking (capacity/availability.ts placeJob): a dispatcher's
 * reassignment that leaves the technician a day no order of which reaches each job in its window is
 * refused (409, nothing moved); one that fits stores the job as a `stop` of its new technician, so
 * the next route check sees it. Several jobs moved together are checked against the day as it will
 * stand after the whole change (jobs moving in together, jobs moving out).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { planMoves, reassignmentItems } from '../../functions/booking/reassign';
import { isClaimActive, routeDayOf, routeStopsOf } from '../../functions/capacity/availability';
import { availableWindows } from '../../functions/capacity/engine';
import { routeFits } from '../../functions/capacity/route';
import { claimHold, listClaims, releaseHold, sendClaimTransaction } from '../../functions/capacity/store';
import { applyPlan } from '../../functions/dispatch/apply-plan';
import { epochSeconds } from '../../functions/shared/time';
import { getJobType, getTenant, listTechnicians } from '../../functions/tenant/store';
import { bookingRequest, bookOnTechnician, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

// Far north and far south of Austin: 64 minutes apart (capacity-route.test.ts).
const NORTH = '78727';
const SOUTH = '78747';

let tenant: TestTenant;
let phone = 0;

/** A route company with two technicians (the only ones of their trade), both serving north, south and downtown, and a 30-minute drain job. */
beforeAll(async () => {
  tenant = await routePlumbingCompany(
    ['route-a', 'route-b'].map((id) => ({ id, name: `Route ${id.slice(-1).toUpperCase()}`, postalCodes: ['78701', NORTH, SOUTH] })),
  );
  const { tenantId: _t, warnings: _w, ...settings } = (await tenant.call('GET', '/v1/config/company')).body;
  const saved = await tenant.call('PUT', '/v1/config/company', { ...settings, travelModel: 'route' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}, 120_000);

/** A booked drain job at `postalCode` in the window starting `start`, on `technicianId`. */
async function job(date: string, start: string, postalCode: string, technicianId: string): Promise<string> {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  phone++;
  const booking = await bookOnTechnician(
    tenant,
    {
      ...base,
      customer: { ...base.customer, phone: `(512) 555-${String(3100 + phone).padStart(4, '0')}`, email: undefined },
      address: { ...base.address, postalCode },
      window: { date, start },
    },
    technicianId,
  );
  expect(booking.window.technicianId).toBe(technicianId);
  return booking.bookingId;
}

/** Each technician's stored day on `date`: the bookings of its route stops, and whether an order of them reaches each in its window. */
async function storedDays(date: string): Promise<Record<string, { jobs: string[]; fits: boolean }>> {
  const stored = (await getTenant(tenant.tenantId))!;
  const now = new Date();
  const active = (await listClaims(tenant.tenantId, date, date)).filter((c) => isClaimActive(c, now));
  const out: Record<string, { jobs: string[]; fits: boolean }> = {};
  for (const t of (await listTechnicians(tenant.tenantId)).filter((x) => x.technicianId.startsWith('route-'))) {
    const stops = routeStopsOf(active, date, t, [...stored.arrivalWindows, ...stored.afterHoursWindows], now);
    const jobs = active
      .filter((c) => c.kind === 'stop' && c.technicianId === t.technicianId)
      .map((c) => c.bookingId!)
      .sort();
    out[t.technicianId] = { jobs, fits: routeFits(routeDayOf(t, date)!, stops) };
  }
  return out;
}

const reassign = (date: string, assignments: Array<{ jobId: string; technicianId: string }>) =>
  tenant.call('POST', '/v1/dispatch/reassign', { date, reason: 'route moves test', assignments });

describe('route travel model: a reassignment is route-checked like a new booking', () => {
  it("refuses a move onto a day its technician cannot drive (409, both days as they were); a move that fits stores the job as the technician's stop", async () => {
    const date = nextWeekday(2, 5);
    // B: far north and far south in 10:00-12:00 (the most that route allows there).
    const bNorth = await job(date, '10:00', NORTH, 'route-b');
    const bSouth = await job(date, '10:00', SOUTH, 'route-b');
    // A: another far north job in 10:00-12:00, and a far south one at 12:00.
    const aNorth = await job(date, '10:00', NORTH, 'route-a');
    const aSouthNoon = await job(date, '12:00', SOUTH, 'route-a');
    const before = await storedDays(date);
    expect(before['route-b']).toEqual({ jobs: [bNorth, bSouth].sort(), fits: true });
    expect(before['route-a']).toEqual({ jobs: [aNorth, aSouthNoon].sort(), fits: true });

    // North, south and north again by 12:00: no order of B's day reaches all three in their window.
    const refused = await reassign(date, [{ jobId: aNorth, technicianId: 'route-b' }]);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.message).toMatch(/route-b cannot reach .* 10:00-12:00 window .* route/);
    expect(await storedDays(date)).toEqual(before);

    // The far south job at 12:00 follows B's south job next door: it fits, and B's claims now carry it as a stop.
    const moved = await reassign(date, [{ jobId: aSouthNoon, technicianId: 'route-b' }]);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const after = await storedDays(date);
    expect(after['route-b']).toEqual({ jobs: [bNorth, bSouth, aSouthNoon].sort(), fits: true });
    expect(after['route-a']).toEqual({ jobs: [aNorth], fits: true });
  }, 300_000);

  it('checks the day as the whole change leaves it: jobs moving in together, and jobs moving out', async () => {
    const date = nextWeekday(4, 5);
    const bNorth = await job(date, '10:00', NORTH, 'route-b');
    const aSouth1 = await job(date, '10:00', SOUTH, 'route-a');
    const aSouth2 = await job(date, '10:00', SOUTH, 'route-a');
    const before = await storedDays(date);

    // Either south job alone fits B (north, then south); both together do not (the second starts past 12:00).
    const together = await reassign(date, [
      { jobId: aSouth1, technicianId: 'route-b' },
      { jobId: aSouth2, technicianId: 'route-b' },
    ]);
    expect(together.status, JSON.stringify(together.body)).toBe(409);
    expect(together.body.error.message).toMatch(/route-b cannot reach/);
    expect(await storedDays(date)).toEqual(before);

    // B's north job leaves for A as both south jobs arrive: B's day is then two jobs next door, A's one.
    const swap = await reassign(date, [
      { jobId: aSouth1, technicianId: 'route-b' },
      { jobId: aSouth2, technicianId: 'route-b' },
      { jobId: bNorth, technicianId: 'route-a' },
    ]);
    expect(swap.status, JSON.stringify(swap.body)).toBe(200);
    const after = await storedDays(date);
    expect(after['route-b']).toEqual({ jobs: [aSouth1, aSouth2].sort(), fits: true });
    expect(after['route-a']).toEqual({ jobs: [bNorth], fits: true });
  }, 300_000);

  it("reschedules a job to another window of its technician's day: its own old stop is not counted against its new one", async () => {
    const date = nextWeekday(3, 5);
    // B's day: two far north jobs at 08:00, two far south and one downtown at 10:00 (found in-process with capacity/route.ts).
    await job(date, '08:00', NORTH, 'route-b');
    await job(date, '08:00', NORTH, 'route-b');
    await job(date, '10:00', SOUTH, 'route-b');
    await job(date, '10:00', SOUTH, 'route-b');
    const downtown = await job(date, '10:00', '78701', 'route-b');
    expect((await storedDays(date))['route-b']).toMatchObject({ fits: true });

    // Downtown first thing, then north, then south: B's day routes with the job at 08:00. Counted
    // twice (at 08:00 and still at 10:00), it would not: the second south job would start past 12:00.
    const moved = await tenant.call('POST', `/v1/bookings/${downtown}/reschedule`, {
      window: { date, start: '08:00' },
      technicianId: 'route-b',
      reason: 'customer asked for earlier',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '08:00', technicianId: 'route-b' });
    const after = await storedDays(date);
    expect(after['route-b']).toMatchObject({ fits: true });
    expect(after['route-b']!.jobs.filter((id) => id === downtown)).toHaveLength(1);
  }, 300_000);

  it("plans around a booking in progress where its job is (its hold's address, as the apply's route check sees it): the plan applies", async () => {
    const date = nextWeekday(5, 5);
    // A caller holds a far north job in 10:00-12:00 (a booking in flight) on one technician: `held`.
    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-30', postalCode: NORTH, window: { date, start: '10:00' } });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const held = hold.body.window.technicianId as string;
    const other = held === 'route-a' ? 'route-b' : 'route-a';
    try {
      // Two far south jobs in 10:00-12:00: the first on the other technician, the second beside the hold (north, then south, fits).
      const first = await job(date, '10:00', SOUTH, other);
      const second = await job(date, '10:00', SOUTH, held);

      // Seen as minutes at the base, the hold would leave room for both south jobs on `held` (a plan moving the
      // first there, refused 409 at apply). Seen at its address, the saving is the second job joining the first.
      const planned = await tenant.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=5`);
      expect(planned.status, JSON.stringify(planned.body)).toBe(200);
      const changes = planned.body.changes.map((c: { to: { jobId: string; technicianId: string } }) => c.to);
      const applied = await tenant.call('POST', '/v1/dispatch/reassign', {
        date,
        planId: planned.body.planId,
        boardVersion: planned.body.boardVersion,
        assignments: changes,
        reason: 'route plan around a hold',
      });
      expect(applied.status, JSON.stringify(applied.body)).toBe(200);
      expect(changes.map((c: { jobId: string; technicianId: string }) => ({ jobId: c.jobId, technicianId: c.technicianId }))).toEqual([
        { jobId: second, technicianId: other },
      ]);
      expect(applied.body.current.metrics.driveMinutes).toBe(planned.body.plan.metrics.driveMinutes);
      const after = await storedDays(date);
      expect(after[other]).toEqual({ jobs: [first, second].sort(), fits: true });
      expect(after[held]).toMatchObject({ fits: true });
    } finally {
      await tenant.call('DELETE', `/v1/holds/${hold.body.holdId}`);
    }
  }, 300_000);

  it('a booking that lands on the day between the read and the write cancels the move (counter versions); a staged apply re-checks the day once parked', async () => {
    const date = nextWeekday(6, 5);
    const bNorth = await job(date, '10:00', NORTH, 'route-b');
    const aSouth = await job(date, '10:00', SOUTH, 'route-a');
    const stored = (await getTenant(tenant.tenantId))!;
    const drain = (await getJobType(tenant.tenantId, 'drain-30'))!;
    /** A caller's hold of a far north job in 10:00-12:00 on B, route-checked on the day as it stands now. */
    const northHoldOnB = async (holdId: string) => {
      const at = new Date();
      const { open } = await availableWindows({ tenant: stored, jobType: drain, postalCode: NORTH, dates: [date], now: at });
      const plan = open.find((w) => w.start === '10:00')?.candidates.find((c) => c.technicianId === 'route-b');
      expect(plan?.route).toBeDefined();
      const held = await claimHold(
        {
          tenantId: tenant.tenantId,
          holdId,
          plan: plan!,
          emergency: false,
          expiresAt: epochSeconds(new Date(at.getTime() + 600_000)),
          source: 'api',
          createdAt: at.toISOString(),
        },
        at,
      );
      expect(held).toBe('won');
    };

    // One transaction: the move is planned on B's day (north, then south fits), then a north hold lands on B first.
    const { moves } = await planMoves(tenant.tenantId, [{ bookingId: aSouth, technicianId: 'route-b' }], new Date());
    expect(moves[0]!.newHold.plan.route?.versions['10:00']).toBeGreaterThan(0);
    const hold1 = `route-moves-race-${Date.now()}`;
    await northHoldOnB(hold1);
    expect(await sendClaimTransaction(reassignmentItems(tenant.tenantId, moves, new Date()))).toBe(false);
    const raced = await storedDays(date);
    expect(raced['route-a']!.jobs).toEqual([aSouth]);
    expect(raced['route-b']).toMatchObject({ fits: true });
    // Planned again on the day as it now stands: north, north and south by 12:00 does not route.
    await expect(planMoves(tenant.tenantId, [{ bookingId: aSouth, technicianId: 'route-b' }], new Date())).rejects.toThrow(/route-b cannot reach/);
    await releaseHold(tenant.tenantId, hold1);

    // Staged (one item per transaction): the north hold lands on B after the first park, before B's counter is parked.
    const before = await storedDays(date);
    const hold2 = `route-moves-staged-${Date.now()}`;
    let landed = false;
    const request = { date, assignments: [{ jobId: aSouth, technicianId: 'route-b' }], reason: 'staged route test' };
    const staged = applyPlan(tenant.tenantId, 'test', request, new Date(), {
      maxTransactionItems: 2,
      afterStep: async (step) => {
        if (step !== 'park' || landed) return;
        landed = true;
        await northHoldOnB(hold2);
      },
    });
    await expect(staged).rejects.toThrow(/route-b cannot reach every job/);
    expect(landed).toBe(true);
    await releaseHold(tenant.tenantId, hold2);
    // Rolled back: both days as they were.
    expect(await storedDays(date)).toEqual(before);

    // Nobody in between: the staged apply moves the job, and B's claims carry it as a stop.
    const applied = await applyPlan(tenant.tenantId, 'test', request, new Date(), { maxTransactionItems: 2 });
    expect(applied.applied).toEqual([{ jobId: aSouth, technicianId: 'route-b' }]);
    expect((await storedDays(date))['route-b']).toEqual({ jobs: [bNorth, aSouth].sort(), fits: true });
  }, 300_000);
});
