/**
 * Issue 21: the daily tokens a moving job keeps (capacity/availability.ts keptTokens), one rule for
 * every move: at its technician's daily limit or its job type's daily cap, a job can still take
 * another window of its own day (its technician's token stays its own, its job-type token too),
 * while every other job, and the same job on another day or with another technician, is held to
 * the limits. A move's plan says which tokens it takes over (`keeps`), so the claim leaves them to
 * the commit's hand-over.
 */
import { describe, expect, it } from 'vitest';
import { type CapacityClaim, findOpenWindows, keptTokens, planClaims } from '../../functions/capacity/availability';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

const tenant = { ...demoTenant('unit'), defaultDailyJobLimit: 2 };
const now = new Date('2026-12-01T06:00:00Z'); // a Tuesday, before opening in Austin
const date = '2026-12-01';
const drain = { ...demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!, dailyCap: 2 };
const tech01 = demoTechnicians.filter((t) => t.technicianId === 'tech-01');

/** A booked drain job of tech-01 in the window starting `start`: its whole-window item, its daily token and its job-type token. */
function job(id: string, start: string, index: number): CapacityClaim[] {
  const base = { date, technicianId: 'tech-01', status: 'BOOKED' as const, holdId: `h-${id}`, bookingId: id };
  return [
    { ...base, kind: 'slot', start },
    { ...base, kind: 'techDay', index },
    { ...base, kind: 'jobTypeDay', technicianId: undefined, jobTypeId: drain.jobTypeId, index },
  ];
}
const day = [...job('a', '08:00', 1), ...job('b', '10:00', 2)];
const open = (leaving?: string, technicians = tech01, dates = [date]) =>
  findOpenWindows({
    tenant,
    technicians,
    jobType: drain,
    postalCode: '78701',
    dates,
    claims: day,
    notBefore: now,
    now,
    ...(leaving ? { leaving: new Set([leaving]) } : {}),
  });

describe('keptTokens: what a moving job keeps of its day', () => {
  it('keeps its technician token with the same technician on the same day, its job-type token on the same day, nothing on another day', () => {
    const own = job('b', '10:00', 2);
    expect(keptTokens(own, { date, technicianId: 'tech-01', jobTypeId: drain.jobTypeId })).toEqual({ techDayIndex: 2, jobTypeDayIndex: 2, from: 'h-b' });
    expect(keptTokens(own, { date, technicianId: 'tech-02', jobTypeId: drain.jobTypeId })).toEqual({ jobTypeDayIndex: 2, from: 'h-b' });
    expect(keptTokens(own, { date: '2026-12-02', technicianId: 'tech-01', jobTypeId: drain.jobTypeId })).toEqual({});
    // From a plan (reassignment, field moves): the same answer.
    const plan = {
      date,
      start: '10:00',
      end: '12:00',
      technicianId: 'tech-01',
      windowStarts: ['10:00'],
      techDayIndex: 2,
      jobTypeId: drain.jobTypeId,
      jobTypeDayIndex: 2,
    };
    expect(keptTokens(planClaims(plan, 'h-b', 'b'), { date, technicianId: 'tech-01', jobTypeId: drain.jobTypeId })).toEqual({
      techDayIndex: 2,
      jobTypeDayIndex: 2,
      from: 'h-b',
    });
  });

  it("offers the job another window of its technician's full day, keeping its tokens; no other job gets one", () => {
    // Full (two jobs, limit 2; the job type's cap of 2 reached): nothing for a new job.
    expect(open()).toEqual([]);
    const moves = open('h-b');
    expect(moves.map((w) => w.start)).toEqual(['12:00', '14:00']);
    for (const w of moves) {
      expect(w.candidates).toEqual([
        expect.objectContaining({ technicianId: 'tech-01', techDayIndex: 2, jobTypeDayIndex: 2, keeps: { from: 'h-b', techDay: true, jobTypeDay: true } }),
      ]);
    }
  });

  it('with another technician the job keeps only its job-type token (that technician counts it as a new job)', () => {
    const tech02 = demoTechnicians.filter((t) => t.technicianId === 'tech-02');
    const candidates = open('h-b', tech02).flatMap((w) => w.candidates);
    expect(candidates.length).toBeGreaterThan(0);
    for (const plan of candidates) {
      expect(plan).toMatchObject({ technicianId: 'tech-02', techDayIndex: 1, jobTypeDayIndex: 2, keeps: { from: 'h-b', jobTypeDay: true } });
      expect(plan.keeps?.techDay).toBeUndefined();
    }
  });
});
