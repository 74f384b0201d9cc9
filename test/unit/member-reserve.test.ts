/**
 * Members first, pure parts: the member reserve is a cap on the daily-job token a non-member may
 * claim (so the conditional claims guarantee it), and only an active membership counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findOpenWindows, usableDailyJobs } from '../../functions/capacity/availability';
import { planJobEffects } from '../../functions/lifecycle/plan';
import { memberPlan } from '../../functions/renewals/member';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

const now = new Date('2026-12-01T06:00:00Z');
const dates = ['2026-12-01', '2026-12-02', '2026-12-03'];

describe('member reserve', () => {
  it('non-members never get a daily-job token inside the reserve; members and emergencies may', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(
          fc.record({
            date: fc.constantFrom(...dates),
            technicianId: fc.constantFrom(...demoTechnicians.map((t) => t.technicianId)),
            index: fc.integer({ min: 1, max: 4 }),
          }),
          {
            maxLength: 30,
          },
        ),
        (memberReserve, taken) => {
          const tenant = { ...demoTenant('unit'), memberReserve };
          const claims = taken.map((c) => ({ kind: 'techDay' as const, status: 'BOOKED' as const, ...c }));
          const input = { tenant, technicians: demoTechnicians, jobType: demoJobTypes[0]!, postalCode: '78701', dates, claims, notBefore: now, now };
          for (const plan of findOpenWindows(input).flatMap((w) => w.candidates)) {
            expect(plan.techDayIndex).toBeLessThanOrEqual(tenant.defaultDailyJobLimit - tenant.emergencyReserve - memberReserve);
          }
          for (const plan of findOpenWindows({ ...input, member: true }).flatMap((w) => w.candidates)) {
            expect(plan.techDayIndex).toBeLessThanOrEqual(tenant.defaultDailyJobLimit - tenant.emergencyReserve);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('usableDailyJobs: the reserve comes off for non-members only', () => {
    const tenant = { ...demoTenant('unit'), defaultDailyJobLimit: 4, emergencyReserve: 1, memberReserve: 1 };
    const tech = demoTechnicians.find((t) => t.dailyJobLimit === undefined)!;
    expect(usableDailyJobs(tenant, tech, false)).toBe(2);
    expect(usableDailyJobs(tenant, tech, false, true)).toBe(3);
    expect(usableDailyJobs(tenant, tech, true)).toBe(4);
  });

  it('only an active membership is a member', () => {
    expect(memberPlan({ membership: { status: 'active', plan: 'Comfort Club' } })).toBe('Comfort Club');
    expect(memberPlan({ membership: { status: 'lapsed', plan: 'Comfort Club' } })).toBeUndefined();
    expect(memberPlan({ membership: { status: 'none' } })).toBeUndefined();
    expect(memberPlan(undefined)).toBeUndefined();
  });
});

describe('job events cancel what no longer applies', () => {
  const base = {
    booking: { window: { date: '2026-12-02', start: '10:00', end: '12:00' } },
    tenant: { timeZone: 'America/Chicago' },
    channel: 'sms' as const,
  };
  const event = (type: string, data: Record<string, unknown> = {}) => ({ eventId: 'e', type, occurredAt: '2026-12-02T15:00:00Z', data }) as never;
  it.each(['completed', 'invoiced', 'cancelled', 'no_show'] as const)('%s cancels the visit reminders and arrival messages', (state) => {
    expect(planJobEffects({ ...base, state, event: event(state) }).cancelKinds).toEqual(
      expect.arrayContaining(['reminder_48h', 'reminder_day_of', 'eta', 'on_the_way']),
    );
  });
  it('rescheduled to a new window leaves the re-planning to the move; with no window its reminders stop', () => {
    expect(
      planJobEffects({ ...base, state: 'rescheduled', event: event('rescheduled', { window: { date: '2026-12-03', start: '08:00' } }) }).cancelKinds,
    ).toEqual([]);
    expect(planJobEffects({ ...base, state: 'rescheduled', event: event('rescheduled') }).cancelKinds).toContain('reminder_day_of');
  });
});
