import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  explainNoWindow,
  findOpenWindows,
  isClaimActive,
  windowStartInstant,
  type SlotClaim,
} from '../../functions/capacity/availability';
import type { JobType, Technician } from '../../functions/tenant/model';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

const tenant = demoTenant('unit');
const now = new Date('2026-12-01T06:00:00Z'); // a Tuesday, before opening in Austin
const dates = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'];
const postalCodes = ['78701', '78744', '78759', '78721', '75201'];
const starts = tenant.arrivalWindows.map((w) => w.start);

const claimArb = fc.record({
  date: fc.constantFrom(...dates),
  start: fc.constantFrom(...starts),
  technicianId: fc.constantFrom(...demoTechnicians.map((t) => t.technicianId)),
  status: fc.constantFrom<'HELD' | 'BOOKED'>('HELD', 'BOOKED'),
  // Holds that expired an hour ago up to holds that expire in an hour.
  expiresAt: fc.integer({ min: now.getTime() / 1000 - 3600, max: now.getTime() / 1000 + 3600 }),
});

function open(claims: SlotClaim[], jobType: JobType, postalCode: string, technicians: Technician[] = demoTechnicians) {
  return findOpenWindows({ tenant, technicians, jobType, postalCode, dates, claims, notBefore: now, now });
}

describe('availability (properties)', () => {
  it('never offers a slot that is booked or held by an unexpired hold', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 80 }), fc.constantFrom(...demoJobTypes), fc.constantFrom(...postalCodes), (claims, jobType, postalCode) => {
        const active = new Set(claims.filter((c) => isClaimActive(c, now)).map((c) => `${c.date}|${c.start}|${c.technicianId}`));
        for (const window of open(claims, jobType, postalCode)) {
          for (const technicianId of window.technicianIds) {
            expect(active.has(`${window.date}|${window.start}|${technicianId}`)).toBe(false);
          }
        }
      }),
    );
  });

  it('never offers a technician outside their shift, trade, skills or territory', () => {
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 30 }), fc.constantFrom(...demoJobTypes), fc.constantFrom(...postalCodes), (claims, jobType, postalCode) => {
        for (const window of open(claims, jobType, postalCode)) {
          for (const technicianId of window.technicianIds) {
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

describe('availability (examples)', () => {
  it('offers no window that starts before notBefore', () => {
    const late = new Date('2026-12-01T19:30:00Z'); // 13:30 in Austin
    const windows = findOpenWindows({
      tenant, technicians: demoTechnicians, jobType: demoJobTypes[0]!, postalCode: '78701', dates: ['2026-12-01'], claims: [], notBefore: late, now: late,
    });
    expect(windows.map((w) => w.start)).toEqual(['14:00']);
  });

  it('puts the least busy technician first', () => {
    const claims: SlotClaim[] = [{ date: '2026-12-01', start: '08:00', technicianId: 'tech-01', status: 'BOOKED' }];
    const [first] = open(claims, demoJobTypes[0]!, '78701').filter((w) => w.date === '2026-12-01' && w.start === '10:00');
    expect(first!.technicianIds[0]).not.toBe('tech-01');
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
