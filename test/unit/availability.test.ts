import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailyLimit, explainNoWindow, findOpenWindows, isClaimActive, windowStartInstant, type CapacityClaim } from '../../functions/capacity/availability';
import type { JobType, Technician } from '../../functions/tenant/model';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

const tenant = demoTenant('unit');
const now = new Date('2026-12-01T06:00:00Z'); // a Tuesday, before opening in Austin
const dates = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'];
const postalCodes = ['78701', '78744', '78759', '78721', '75201'];
const starts = tenant.arrivalWindows.map((w) => w.start);

const technicianIds = demoTechnicians.map((t) => t.technicianId);
const lifetime = {
  status: fc.constantFrom<'HELD' | 'BOOKED'>('HELD', 'BOOKED'),
  // Holds that expired an hour ago up to holds that expire in an hour.
  expiresAt: fc.integer({ min: now.getTime() / 1000 - 3600, max: now.getTime() / 1000 + 3600 }),
};
const slotArb = fc.record({
  kind: fc.constant<'slot'>('slot'),
  date: fc.constantFrom(...dates),
  start: fc.constantFrom(...starts),
  technicianId: fc.constantFrom(...technicianIds),
  ...lifetime,
});
const techDayArb = fc.record({
  kind: fc.constant<'techDay'>('techDay'),
  date: fc.constantFrom(...dates),
  technicianId: fc.constantFrom(...technicianIds),
  index: fc.integer({ min: 1, max: 4 }),
  ...lifetime,
});
const claimArb = fc.oneof(slotArb, techDayArb);

function open(claims: CapacityClaim[], jobType: JobType, postalCode: string, options: { emergency?: boolean; technicians?: Technician[] } = {}) {
  return findOpenWindows({
    tenant,
    technicians: options.technicians ?? demoTechnicians,
    jobType,
    postalCode,
    dates,
    claims,
    notBefore: now,
    now,
    emergency: options.emergency,
  });
}

function offered(windows: ReturnType<typeof open>) {
  return windows.flatMap((w) => w.candidates);
}

describe('availability (properties)', () => {
  it('never offers a slot that is booked or held by an unexpired hold', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 80 }), fc.constantFrom(...demoJobTypes), fc.constantFrom(...postalCodes), (claims, jobType, postalCode) => {
        const active = claims.filter((c) => isClaimActive(c, now));
        const slots = new Set(active.filter((c) => c.kind === 'slot').map((c) => `${c.date}|${c.start}|${c.technicianId}`));
        const tokens = new Set(active.filter((c) => c.kind === 'techDay').map((c) => `${c.date}|${c.technicianId}|${c.index}`));
        for (const plan of offered(open(claims, jobType, postalCode))) {
          for (const start of plan.windowStarts) expect(slots.has(`${plan.date}|${start}|${plan.technicianId}`)).toBe(false);
          expect(tokens.has(`${plan.date}|${plan.technicianId}|${plan.techDayIndex}`)).toBe(false);
        }
      }),
    );
  });

  it('never offers a technician outside their shift, trade, skills or territory', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 30 }), fc.constantFrom(...demoJobTypes), fc.constantFrom(...postalCodes), (claims, jobType, postalCode) => {
        for (const window of open(claims, jobType, postalCode)) {
          for (const { technicianId } of window.candidates) {
            const technician = demoTechnicians.find((t) => t.technicianId === technicianId)!;
            expect(technician.trades).toContain(jobType.trade);
            for (const skill of jobType.requiredSkills) expect(technician.skills).toContain(skill);
            expect(technician.postalCodes).toContain(postalCode);
            const weekday = new Date(`${window.date}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' }).toLowerCase();
            const shift = technician.shifts[weekday as keyof Technician['shifts']];
            expect(shift).toBeDefined();
            expect(shift!.start <= window.start && window.end <= shift!.end).toBe(true);
          }
        }
      }),
    );
  });

  it('once a plan is claimed it is never offered again, and releasing it restores exactly what it took', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 40 }), fc.constantFrom(...demoJobTypes), fc.nat(), (claims, jobType, pick) => {
        const before = open(claims, jobType, '78701');
        const plans = offered(before);
        if (!plans.length) return;
        const plan = plans[pick % plans.length]!;
        const held = { status: 'HELD' as const, expiresAt: Math.floor(now.getTime() / 1000) + 600, holdId: 'h' };
        const planClaims: CapacityClaim[] = [
          ...plan.windowStarts.map((start) => ({ kind: 'slot' as const, date: plan.date, start, technicianId: plan.technicianId, ...held })),
          { kind: 'techDay', date: plan.date, technicianId: plan.technicianId, index: plan.techDayIndex, ...held },
        ];
        const after = offered(open([...claims, ...planClaims], jobType, '78701'));
        expect(after.some((p) => p.date === plan.date && p.start === plan.start && p.technicianId === plan.technicianId)).toBe(false);
        expect(open(claims, jobType, '78701')).toEqual(before);
      }),
    );
  });

  it('an expired hold frees exactly its slot: removing it changes nothing', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 40 }), claimArb, (claims, hold) => {
        const expired = { ...hold, status: 'HELD' as const, expiresAt: Math.floor(now.getTime() / 1000) - 1 };
        const jobType = demoJobTypes[0]!;
        expect(open([...claims, expired], jobType, '78701')).toEqual(open(claims, jobType, '78701'));
      }),
    );
  });
});

describe('daily limits, caps, reserve, time off and on-call', () => {
  const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;

  it('a technician at the daily limit is offered nowhere that day', () => {
    const tech = demoTechnicians.find((t) => t.technicianId === 'tech-01')!;
    const full = Array.from(
      { length: dailyLimit(tenant, tech) },
      (_, i): CapacityClaim => ({
        kind: 'techDay',
        date: '2026-12-01',
        technicianId: 'tech-01',
        index: i + 1,
        status: 'BOOKED',
      }),
    );
    const plans = offered(open(full, drains, '78701')).filter((p) => p.date === '2026-12-01');
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.some((p) => p.technicianId === 'tech-01')).toBe(false);
  });

  it('standard bookings leave the emergency reserve; emergencies may use it', () => {
    const reserved = { ...tenant, emergencyReserve: 1, defaultDailyJobLimit: 2 };
    const claims: CapacityClaim[] = [{ kind: 'techDay', date: '2026-12-02', technicianId: 'tech-01', index: 1, status: 'BOOKED' }];
    const run = (emergency: boolean) =>
      findOpenWindows({
        tenant: reserved,
        technicians: demoTechnicians,
        jobType: drains,
        postalCode: '78721',
        dates: ['2026-12-02'],
        claims,
        notBefore: now,
        now,
        emergency,
      })
        .flatMap((w) => w.candidates)
        .filter((p) => p.technicianId === 'tech-01');
    expect(run(false)).toEqual([]);
    expect(run(true).every((p) => p.techDayIndex === 2)).toBe(true);
    expect(run(true).length).toBeGreaterThan(0);
  });

  it('a job type at its daily cap is not offered that day', () => {
    const capped = { ...drains, dailyCap: 1 };
    const claims: CapacityClaim[] = [{ kind: 'jobTypeDay', date: '2026-12-01', jobTypeId: drains.jobTypeId, index: 1, status: 'BOOKED' }];
    const windows = open(claims, capped, '78701');
    expect(windows.some((w) => w.date === '2026-12-01')).toBe(false);
    expect(windows.some((w) => w.date === '2026-12-02')).toBe(true);
    expect(windows.find((w) => w.date === '2026-12-02')!.candidates[0]!.jobTypeDayIndex).toBe(1);
  });

  it('a technician on time off is offered on no day of it', () => {
    const away = demoTechnicians.map((t) => (t.technicianId === 'tech-01' ? { ...t, timeOff: [{ from: '2026-12-01', to: '2026-12-03' }] } : t));
    const plans = offered(open([], drains, '78721', { technicians: away })).filter((p) => p.technicianId === 'tech-01');
    expect(plans.every((p) => p.date > '2026-12-03')).toBe(true);
    expect(plans.length).toBeGreaterThan(0);
  });

  it('after-hours windows are emergency-only and go to the technician on call', () => {
    const onCall = {
      ...tenant,
      afterHoursWindows: [{ start: '17:00', end: '19:00' }],
      onCallRotation: [{ technicianId: 'tech-02', from: '2026-12-01', to: '2026-12-07' }],
    };
    const run = (emergency: boolean) =>
      findOpenWindows({
        tenant: onCall,
        technicians: demoTechnicians,
        jobType: drains,
        postalCode: '78701',
        dates: ['2026-12-01'],
        claims: [],
        notBefore: now,
        now,
        emergency,
      });
    expect(run(false).some((w) => w.afterHours)).toBe(false);
    const afterHours = run(true).filter((w) => w.afterHours);
    expect(afterHours.map((w) => w.start)).toEqual(['17:00']);
    expect(afterHours[0]!.candidates.map((c) => c.technicianId)).toEqual(['tech-02']);
  });

  it('a job two windows long needs both slots free for the same technician', () => {
    const long = { ...drains, durationWindows: 2 };
    const claims: CapacityClaim[] = [{ kind: 'slot', date: '2026-12-01', start: '10:00', technicianId: 'tech-01', status: 'BOOKED' }];
    const plans = offered(open(claims, long, '78721')).filter((p) => p.date === '2026-12-01' && p.technicianId === 'tech-01');
    expect(plans.map((p) => p.windowStarts)).toEqual([['12:00', '14:00']]);
    expect(plans[0]!.end).toBe('16:00');
  });
});

describe('availability (examples)', () => {
  it('offers no window that starts before notBefore', () => {
    const late = new Date('2026-12-01T19:30:00Z'); // 13:30 in Austin
    const windows = findOpenWindows({
      tenant,
      technicians: demoTechnicians,
      jobType: demoJobTypes[0]!,
      postalCode: '78701',
      dates: ['2026-12-01'],
      claims: [],
      notBefore: late,
      now: late,
    });
    expect(windows.every((w) => !w.afterHours)).toBe(true);
    expect(windows.map((w) => w.start)).toEqual(['14:00']);
  });

  it('puts the least busy technician first', () => {
    const claims: CapacityClaim[] = [
      { kind: 'slot', date: '2026-12-01', start: '08:00', technicianId: 'tech-01', status: 'BOOKED' },
      { kind: 'techDay', date: '2026-12-01', technicianId: 'tech-01', index: 1, status: 'BOOKED' },
    ];
    const [first] = open(claims, demoJobTypes[0]!, '78701').filter((w) => w.date === '2026-12-01' && w.start === '10:00');
    expect(first!.candidates[0]!.technicianId).not.toBe('tech-01');
  });

  it("uses the tenant's time zone across daylight-saving changes", () => {
    expect(windowStartInstant('2026-03-07', '08:00', 'America/Chicago').toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(windowStartInstant('2026-03-09', '08:00', 'America/Chicago').toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(windowStartInstant('2026-11-02', '08:00', 'America/Chicago').toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });

  it('explains why nothing is open', () => {
    const jobType = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-water-heater-repair')!;
    expect(explainNoWindow(demoTechnicians, jobType, '75201')).toBe('out_of_area');
    const noHeaters = demoTechnicians.filter((t) => !t.skills.includes('water-heaters'));
    expect(explainNoWindow(noHeaters, jobType, '78744')).toBe('no_qualified_technician');
    expect(explainNoWindow(demoTechnicians, jobType, '78744')).toBe('fully_booked');
  });
});
