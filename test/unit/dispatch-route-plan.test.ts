/**
 * Issue 21 item 4: day plans under the route travel model (dispatch/route-plan.ts). First-come and
 * the plan both keep every technician's day routable (capacity/route.ts), the plan serves at least
 * as many as first-come, and the relaxation's bound (HiGHS) is never below a valid plan.
 */
import { describe, expect, it } from 'vitest';
import { generateDay } from '../../bench/dispatch-day';
import {
  routeBoundModel,
  routeDriveBoundModel,
  routeDriveMinutes,
  routeFcfsAssign,
  routePlanAssign,
  routePlanSearch,
  validateRoutes,
} from '../../functions/dispatch/route-plan';
import { solveLp } from '../../functions/dispatch/solver';

const dayOf = (trucks: number, seed: number) => {
  const generated = generateDay(trucks, seed, 8, { minutes: true });
  return { ...generated, technicians: generated.technicians.map((t) => ({ ...t, shiftEnd: '17:00' })) };
};

describe('route-model day plans', () => {
  it('first-come and the plan are valid routes; the plan serves at least as many; the bound is above both', async () => {
    for (const seed of [5, 11_005, 22_005, 33_005]) {
      const day = dayOf(5, seed);
      const fcfs = routeFcfsAssign(day);
      const plan = routePlanAssign(day, fcfs, { budgetSeconds: 2 });
      expect(validateRoutes(day, fcfs)).toEqual([]);
      expect(validateRoutes(day, plan)).toEqual([]);
      expect(plan.length).toBeGreaterThanOrEqual(fcfs.length);
      if (plan.length === fcfs.length) expect(routeDriveMinutes(day, plan)).toBeLessThanOrEqual(routeDriveMinutes(day, fcfs));
      const { bound } = await solveLp(routeBoundModel(day).lp, 10);
      expect(Math.floor(bound + 1e-6)).toBeGreaterThanOrEqual(plan.length);
    }
  }, 120_000);

  it('with booked jobs kept and refused requests optional (waiting callers): the plan keeps every booked job in its window, and the drive bound is below every such plan and no weaker than without keep', async () => {
    for (const seed of [11_005, 22_005]) {
      const day = dayOf(5, seed);
      const fcfs = routeFcfsAssign(day);
      const booked = new Map(fcfs.map((a) => [a.jobId, a]));
      const keep = new Set(booked.keys());
      // Booked jobs stay in their booked windows; refused requests may take any window they accept.
      const promised = { ...day, jobs: day.jobs.map((j) => (booked.has(j.jobId) ? { ...j, windows: [booked.get(j.jobId)!.start] } : j)) };
      const plan = routePlanSearch(promised, fcfs, { keep, budgetSeconds: 2 }).assignments;
      expect(validateRoutes(promised, plan)).toEqual([]);
      for (const id of keep) expect(plan.find((a) => a.jobId === id)?.start, id).toBe(booked.get(id)!.start);
      const served = plan.length;
      const withKeep = routeDriveBoundModel(promised, served, keep);
      const without = routeDriveBoundModel(promised, served);
      const proved = async (model: typeof withKeep) => Math.max(model.cheapest, Math.ceil((await solveLp(model.lp!, 10)).bound - 1e-6));
      const [kept, loose] = [await proved(withKeep), await proved(without)];
      expect(withKeep.cheapest).toBeGreaterThanOrEqual(without.cheapest);
      // The plan is a valid plan serving every booked job and `served` jobs: the bound is below it.
      expect(kept).toBeLessThanOrEqual(routeDriveMinutes(promised, plan));
      expect(kept).toBeGreaterThanOrEqual(loose - 1);
    }
  }, 120_000);

  it('validateRoutes names a technician whose day cannot be driven', () => {
    const day = dayOf(5, 11_005);
    const tech = day.technicians[0]!;
    const start = tech.windowStarts[0]!;
    // Three 90-minute jobs at one address, all to start in the technician's first window: the third cannot.
    const jobs = [1, 2, 3].map((i) => ({
      jobId: `long-${i}`,
      trade: tech.trades[0]!,
      requiredSkills: [],
      postalCode: tech.postalCodes[0]!,
      durationWindows: 1,
      durationMinutes: 90,
      windows: [start],
      order: i,
    }));
    const assigned = jobs.map((j) => ({ jobId: j.jobId, technicianId: tech.technicianId, start, windowStarts: [start] }));
    expect(validateRoutes({ ...day, jobs }, assigned.slice(0, 2))).toEqual([]);
    expect(validateRoutes({ ...day, jobs }, assigned)).toContain(`${tech.technicianId}: no route fits`);
  });
});
