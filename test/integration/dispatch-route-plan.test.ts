/**
 * Issue 21 under the `route` travel model, end to end through the public API: a generated day of a
 * route company (three trucks, the realistic mix of 30-60 min calls, 90-120 min repairs and 3-4 h
 * installs) is booked first-come (each request takes the first window the booking engine gives),
 * then POST /v1/dispatch/plan plans it with the route model (real drive between consecutive jobs)
 * and POST /v1/dispatch/reassign applies the plan: the board then equals the plan, every
 * technician's stored day still has a route that starts each job inside its window, and the plan's
 * drive minutes (the real routes') are no more than the real assignment's. A board changed since
 * the plan is refused.
 */
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDay } from '../../bench/dispatch-day';
import { isClaimActive, routeDayOf, routeStopsOf } from '../../functions/capacity/availability';
import { routeFits } from '../../functions/capacity/route';
import { canServe } from '../../functions/dispatch/plan';
import { listClaims } from '../../functions/capacity/store';
import { getTenant, listTechnicians } from '../../functions/tenant/store';
import { bookingRequest, createTestTenant, nextWeekday, planApplyBody, type TestTenant } from './helpers';

/** Seed 23: of 15 requests, first-come places 8 on three trucks with long drives a plan can cut (checked in-process with route-plan.ts). */
const SEED = 23;
const generated = generateDay(3, SEED, 5, { minutes: true });
const date = nextWeekday(4, 3); // a Thursday
let tenant: TestTenant;
const booked = new Map<string, string>();

// Trades none of the demo company's technicians has: only the generated trucks can take these jobs.
const trade = (t: string) => `rp-${t}`;
const typeId = (j: (typeof generated.jobs)[number]) => `rp-${j.trade}-${j.requiredSkills.join('-') || 'general'}-${j.durationMinutes}`;

beforeAll(async () => {
  tenant = await createTestTenant({ travelModel: 'route' });
  for (const t of generated.technicians) {
    const shift = { start: t.windowStarts[0]!, end: '17:00' };
    const put = await tenant.call('PUT', `/v1/config/technicians/${t.technicianId}-rp`, {
      name: `Route ${t.technicianId}`,
      trades: t.trades.map(trade),
      skills: t.skills,
      postalCodes: t.postalCodes,
      shifts: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift },
      dailyJobLimit: t.dailyJobLimit,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  for (const [id, j] of new Map(generated.jobs.map((j) => [typeId(j), j]))) {
    const put = await tenant.call('PUT', `/v1/config/job-types/${id}`, {
      name: id,
      trade: trade(j.trade),
      requiredSkills: j.requiredSkills,
      durationWindows: j.durationWindows,
      durationMinutes: j.durationMinutes,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  // First-come through the API: each request in arrival order takes the first acceptable window offered
  // (a request no truck is qualified for or covers would be refused whatever came before: not sent).
  for (const [i, job] of generated.jobs.entries()) {
    if (!generated.technicians.some((t) => canServe(t, job))) continue;
    const base = bookingRequest();
    for (const start of job.windows) {
      const response = await tenant.call(
        'POST',
        '/v1/bookings',
        {
          ...base,
          customer: { ...base.customer, phone: `(512) 555-${String(4100 + i)}`, email: undefined },
          address: { ...base.address, postalCode: job.postalCode },
          jobTypeId: typeId(job),
          window: { date, start },
        },
        { 'Idempotency-Key': `rp-${ulid()}` },
      );
      expect([201, 202, 409, 422], JSON.stringify(response.body)).toContain(response.status);
      if (response.status === 202) {
        await expect
          .poll(async () => (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body.status, { timeout: 120_000, interval: 500 })
          .not.toBe('received');
      }
      const settled = response.status === 202 ? (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body : response.body;
      if (settled?.window?.technicianId) {
        booked.set(settled.bookingId, settled.window.technicianId);
        break;
      }
    }
  }
}, 240_000);

/** Every technician's stored day (active claims read back) has a route that starts each job inside its window (capacity/route.ts). */
async function storedRoutesFit(): Promise<string[]> {
  const stored = (await getTenant(tenant.tenantId))!;
  const now = new Date();
  const active = (await listClaims(tenant.tenantId, date, date)).filter((c) => isClaimActive(c, now));
  const broken: string[] = [];
  for (const t of (await listTechnicians(tenant.tenantId)).filter((x) => x.technicianId.endsWith('-rp'))) {
    const stops = routeStopsOf(active, date, t, [...stored.arrivalWindows, ...stored.afterHoursWindows], now);
    if (!routeFits(routeDayOf(t, date)!, stops)) broken.push(`${t.technicianId} (${stops.length} stops)`);
  }
  return broken;
}

describe('a route company plans its day with the route model and applies it through the API', () => {
  it('plans a day booked first-come (drive minutes of the real routes, gap stated), applies it: the board equals the plan, no more driving', async () => {
    expect(booked.size, 'first-come placed several jobs').toBeGreaterThanOrEqual(5);
    expect(await storedRoutesFit()).toEqual([]);

    const planned = await tenant.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=5`);
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    const p = planned.body;
    expect(p.travelModel).toBe('route');
    expect(p.solver.objectiveKind).toBe('drive_minutes');
    expect(p.solver.budgetSeconds).toBe(5);
    // The baseline is the real assignment, every booked job on it; the plan keeps every one of them.
    expect(p.current.metrics.served).toBe(booked.size);
    expect(p.plan.metrics.served).toBe(booked.size);
    expect(new Set(p.plan.assignments.map((a: any) => a.jobId))).toEqual(new Set(booked.keys()));
    expect(p.plan.metrics.driveMinutes).toBeLessThanOrEqual(p.current.metrics.driveMinutes);
    // The gap is about the drive minutes shown: objective = plan drive, bound <= it.
    expect(p.solver.objective).toBe(p.plan.metrics.driveMinutes);
    expect(p.solver.driveMinutesBound).toBeLessThanOrEqual(p.plan.metrics.driveMinutes);
    expect(p.solver.gap).toBeCloseTo((p.solver.objective - p.solver.bound) / p.solver.objective, 5);
    // First-come spreads requests over technicians at random (capacity/engine.ts spreadCandidates, by
    // hold id), so now and then the day it leaves is one the planner keeps as it is: then there is
    // nothing to apply, and the plan must say so (no change, the same drive).
    if (p.changes.length === 0) {
      expect(p.plan.metrics.driveMinutes).toBe(p.current.metrics.driveMinutes);
      return;
    }

    const applied = await tenant.call('POST', '/v1/dispatch/reassign', planApplyBody(date, p, 'route day plan'));
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ outcome: 'applied', planId: p.planId });
    expect(applied.body.applied).toHaveLength(p.changes.length);
    // Scored as the plan was: the real routes' drive minutes.
    expect(applied.body.current.metrics.driveMinutes).toBe(p.plan.metrics.driveMinutes);

    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    const owner = new Map<string, string>(board.technicians.flatMap((t: any) => t.jobs.map((j: any) => [j.bookingId, t.technicianId])));
    for (const a of p.plan.assignments) expect(owner.get(a.jobId), a.jobId).toBe(a.technicianId);
    expect(await storedRoutesFit()).toEqual([]);

    // The plan was made on the board before the apply: a change sent with that version is refused whole.
    const [jobId, technicianId] = [...owner].find(([, t]) => t !== p.plan.assignments[0].technicianId) ?? [...owner][0]!;
    const stale = await tenant.call('POST', '/v1/dispatch/reassign', {
      date,
      boardVersion: p.boardVersion,
      assignments: [{ jobId, technicianId: p.plan.assignments.find((a: any) => a.technicianId !== technicianId)?.technicianId ?? technicianId }],
    });
    expect(stale.status, JSON.stringify(stale.body)).toBe(409);
    expect(stale.body.error.code).toBe('board_changed');
  }, 180_000);
});
