/**
 * A day plan never drops a booked job (issue 21): the hop limit spares the long hops today's routes
 * already have (PlanDay keptHops) and today's assignment warm-starts the MIP; whatever the solver
 * finds, neverWorse proposes nothing worse than today and says why.
 */
import { describe, expect, it } from 'vitest';
import { travelMinutes } from '../../functions/dispatch/geo';
import { type Assignment, DEFAULT_MAX_HOP_MINUTES, metrics, neverWorse, type PlanDay, routes, validate } from '../../functions/dispatch/plan';
import { planDay } from '../../functions/dispatch/solver';

// One technician, a north job at 08:00 and a south one at 10:00: 69 minutes apart, over the limit.
const day: PlanDay = {
  windows: [
    { start: '08:00', end: '10:00' },
    { start: '10:00', end: '12:00' },
  ],
  maxHopMinutes: DEFAULT_MAX_HOP_MINUTES,
  technicians: [
    { technicianId: 't1', trades: ['plumbing'], skills: ['drains'], postalCodes: ['78729', '78747'], windowStarts: ['08:00', '10:00'], dailyJobLimit: 4 },
  ],
  jobs: [
    { jobId: 'north', trade: 'plumbing', requiredSkills: ['drains'], postalCode: '78729', durationWindows: 1, windows: ['08:00'], order: 0 },
    { jobId: 'south', trade: 'plumbing', requiredSkills: ['drains'], postalCode: '78747', durationWindows: 1, windows: ['10:00'], order: 1 },
  ],
};
const today: Assignment[] = [
  { jobId: 'north', technicianId: 't1', start: '08:00', windowStarts: ['08:00'] },
  { jobId: 'south', technicianId: 't1', start: '10:00', windowStarts: ['10:00'] },
];

describe('the day planner keeps every booked job', () => {
  it("keeps a long hop today's route already has, and adds none", async () => {
    expect(travelMinutes('78729', '78747')).toBeGreaterThan(DEFAULT_MAX_HOP_MINUTES);
    const keptHops = routes(day, today).flatMap((r) => r.longHopPairs);
    expect(keptHops).toEqual(['north>south']);
    expect(validate(day, today)).toHaveLength(1);
    const kept = { ...day, keptHops };
    expect(validate(kept, today)).toEqual([]);
    const { assignments } = await planDay(kept, { timeLimitSeconds: 2, start: today });
    expect(assignments.map((a) => a.jobId).sort()).toEqual(['north', 'south']);
    expect(metrics(kept, assignments).longHops).toBe(1);
  });

  it('proposes nothing worse than today: a plan dropping a booked job, or driving more, or breaking a rule, is today, with the reason', () => {
    const rules = { metrics: (a: Assignment[]) => metrics(day, a), problems: () => [] };
    const dropped = neverWorse([today[0]!], today, rules);
    expect(dropped.assignments).toBe(today);
    expect(dropped.metrics).toEqual(metrics(day, today));
    expect(dropped.kept).toMatch(/leaves a booked job without a technician/);
    const more = (a: Assignment[]) => ({ ...metrics(day, a), driveMinutes: metrics(day, a).driveMinutes + (a === today ? 0 : 5) });
    const longer = neverWorse([...today], today, { metrics: more, problems: () => [] });
    expect(longer.kept).toMatch(/drives \d+ minutes, more than today's/);
    expect(neverWorse([...today], today, { ...rules, problems: (a) => (a === today ? [] : ['t1 over-booked at 08:00']) }).kept).toMatch(/breaks a rule/);
    const same = neverWorse([...today], today, rules);
    expect(same.kept).toBeUndefined();
    expect(same.assignments).not.toBe(today);
  });
});
