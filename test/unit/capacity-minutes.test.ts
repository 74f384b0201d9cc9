/**
 * Issue 21 item 4: job types with minutes. A technician-window holds as many jobs as fit (each
 * with its travel buffer), a job longer than a window takes its arrival window and runs on into the
 * next one's minutes; the planner packs the same minutes (one rule: jobFootprint).
 */
import { describe, expect, it } from 'vitest';
import { type CapacityClaim, type ClaimPlan, findOpenWindows, jobFootprint, placeUnits, UNIT_MINUTES, usedUnits } from '../../functions/capacity/availability';
import { fcfsAssign, metrics, objectiveOf, type PlanDay, validate } from '../../functions/dispatch/plan';
import { planDay } from '../../functions/dispatch/solver';
import type { JobType } from '../../functions/tenant/model';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

const tenant = demoTenant('unit-minutes');
const now = new Date('2026-12-01T06:00:00Z'); // a Tuesday, before opening in Austin
const date = '2026-12-01';
const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
const drain45: JobType = { ...drains, durationMinutes: 45 };
const install: JobType = { ...demoJobTypes.find((j) => j.jobTypeId === 'plumbing-water-heater-repair')!, jobTypeId: 'install', durationMinutes: 180 };
// One plumber who clears drains in 78701, working the whole day.
const plumber = demoTechnicians.find((t) => t.trades.includes('plumbing') && t.skills.includes('drains') && t.postalCodes.includes('78701'))!;
const only = [{ ...plumber, skills: [...plumber.skills, 'water-heaters'], shifts: { tue: { start: '08:00', end: '18:00' } }, dailyJobLimit: 10 }];

function open(jobType: JobType, claims: CapacityClaim[]) {
  return findOpenWindows({ tenant, technicians: only, jobType, postalCode: '78701', dates: [date], claims, notBefore: now, now });
}

/** The claims a plan writes (what store.ts planKeys puts), as listClaims reads them back. */
function claimsOf(plan: ClaimPlan, holdId: string): CapacityClaim[] {
  return [
    ...Object.entries(plan.units!).flatMap(([start, indices]) =>
      indices.map((index) => ({ kind: 'unit' as const, date, start, technicianId: plan.technicianId, index, status: 'BOOKED' as const, holdId })),
    ),
    { kind: 'techDay', date, technicianId: plan.technicianId, index: plan.techDayIndex, status: 'BOOKED', holdId },
  ];
}

function book(jobType: JobType, start: string, claims: CapacityClaim[], holdId: string): CapacityClaim[] | undefined {
  const plan = open(jobType, claims).find((w) => w.start === start)?.candidates[0];
  return plan ? [...claims, ...claimsOf(plan, holdId)] : undefined;
}

describe('capacity in minutes', () => {
  it('two 45-min jobs fit one 2-hour window of one technician; a third 45-min job with travel does not', () => {
    // 45 min + 15 min travel buffer = 4 units of 15 min; a 2-hour window has 8.
    expect(jobFootprint(tenant.arrivalWindows, '08:00', drain45)).toEqual([{ start: '08:00', units: 60 / UNIT_MINUTES }]);
    const one = book(drain45, '08:00', [], 'h1');
    expect(one).toBeDefined();
    const two = book(drain45, '08:00', one!, 'h2');
    expect(two).toBeDefined();
    expect(open(drain45, two!).some((w) => w.start === '08:00')).toBe(false);
    // The next window is untouched.
    expect(open(drain45, two!).some((w) => w.start === '10:00')).toBe(true);
    // Both jobs keep the window the customer was promised.
    expect(open(drain45, one!).find((w) => w.start === '08:00')).toMatchObject({ start: '08:00', end: '10:00' });
  });

  it('a job type without minutes still fills its window (today behaviour)', () => {
    const one = book(drains, '08:00', [], 'h1');
    expect(open(drains, one!).some((w) => w.start === '08:00')).toBe(false);
    expect(open(drain45, one!).some((w) => w.start === '08:00')).toBe(false);
  });

  it('a 3-hour install blocks the next window: its arrival window whole and the next window minutes', () => {
    // 180 + 15 = 195 min = 13 units: the 8 of 08:00-10:00 and 5 of 10:00-12:00.
    expect(jobFootprint(tenant.arrivalWindows, '08:00', install)).toEqual([
      { start: '08:00', units: 8 },
      { start: '10:00', units: 5 },
    ]);
    const offered = open(install, []).find((w) => w.start === '08:00')!;
    // The customer is promised an arrival between 08:00 and 10:00, not the whole run.
    expect(offered).toMatchObject({ start: '08:00', end: '10:00' });
    const withInstall = book(install, '08:00', [], 'install')!;
    // 3 units left at 10:00: a 45-min job (4 units) no longer fits there, a 30-min one (3 units) does.
    expect(open(drain45, withInstall).some((w) => w.start === '10:00')).toBe(false);
    expect(open({ ...drain45, durationMinutes: 30 }, withInstall).some((w) => w.start === '10:00')).toBe(true);
    // Nothing can arrive in 08:00-10:00 any more, and an install cannot start in a window with any job in it.
    expect(open({ ...drain45, durationMinutes: 15 }, withInstall).some((w) => w.start === '08:00')).toBe(false);
    const drainFirst = book(drain45, '12:00', [], 'd')!;
    expect(open(install, drainFirst).some((w) => w.start === '12:00')).toBe(false);
    expect(open(install, drainFirst).some((w) => w.start === '10:00')).toBe(false); // would run into 12:00's taken minutes
  });

  it('a whole-window claim from before minute units counts as every unit of its window', () => {
    const legacy: CapacityClaim[] = [{ kind: 'slot', date, start: '08:00', technicianId: only[0]!.technicianId, status: 'BOOKED' }];
    expect(open(drain45, legacy).some((w) => w.start === '08:00')).toBe(false);
    const used = usedUnits(legacy, tenant.arrivalWindows, now);
    expect(placeUnits([{ start: '08:00', units: 1 }], tenant.arrivalWindows, (s) => used.get(`${date}|${s}|${only[0]!.technicianId}`))).toBeUndefined();
  });
});

describe('planner with minutes', { timeout: 180_000 }, () => {
  const windows = [
    { start: '08:00', end: '10:00' },
    { start: '10:00', end: '12:00' },
  ];
  const tech = {
    technicianId: 't1',
    trades: ['plumbing'],
    skills: ['drains'],
    postalCodes: ['78701', '78702', '78703'],
    windowStarts: ['08:00', '10:00'],
    dailyJobLimit: 8,
  };
  const job = (jobId: string, postalCode: string, durationMinutes: number | undefined, order: number, w = ['08:00', '10:00']) => ({
    jobId,
    trade: 'plumbing',
    requiredSkills: [],
    postalCode,
    durationWindows: 1,
    ...(durationMinutes !== undefined ? { durationMinutes } : {}),
    windows: w,
    order,
  });

  it('packs short jobs into one technician-window with the route through them, and never over the window minutes', async () => {
    const day: PlanDay = {
      windows,
      technicians: [tech],
      maxHopMinutes: 60,
      jobs: [job('a', '78701', 45, 0), job('b', '78702', 45, 1), job('c', '78703', 45, 2), job('d', '78701', 45, 3), job('e', '78702', 45, 4)],
    };
    const { assignments, solver } = await planDay(day, { timeLimitSeconds: 30 });
    expect(validate(day, assignments)).toEqual([]);
    // 8 units a window, 4 a job: two per window, four in the day.
    expect(assignments).toHaveLength(4);
    expect(solver.gap).toBe(0);
    // The objective reported is the plan's: 1000 a job, minus window preference rank (two in their second choice), minus the route drive minutes.
    expect(solver.objective).toBe(4_000 - 2 - metrics(day, assignments).driveMinutes);
    expect(solver.objective).toBe(objectiveOf(day, assignments));
    // The same jobs as whole-window jobs: one per window.
    const whole = { ...day, jobs: day.jobs.map((j) => ({ ...j, durationMinutes: undefined })) };
    expect((await planDay(whole, { timeLimitSeconds: 30 })).assignments).toHaveLength(2);
  });

  it('FCFS in the same minutes, and the plan never serves fewer than FCFS', async () => {
    const day: PlanDay = {
      windows,
      technicians: [tech],
      maxHopMinutes: 60,
      // FCFS puts the first short job (15 + 15 min: 2 units) into 08:00, so the 150-min job that
      // needs 08:00 whole (then 3 units of 10:00) is stranded; the plan sends the short ones to 10:00.
      jobs: [job('short1', '78701', 15, 0), job('long', '78702', 150, 1, ['08:00']), job('short2', '78703', 15, 2)],
    };
    const fcfs = fcfsAssign(day);
    expect(validate(day, fcfs)).toEqual([]);
    expect(fcfs.map((a) => a.jobId)).toEqual(['short1', 'short2']);
    const { assignments } = await planDay(day, { timeLimitSeconds: 30 });
    expect(validate(day, assignments)).toEqual([]);
    expect(assignments.map((a) => a.jobId).sort()).toEqual(['long', 'short1', 'short2']);
    expect(assignments.find((a) => a.jobId === 'long')!.windowStarts).toEqual(['08:00', '10:00']);
  });
});
