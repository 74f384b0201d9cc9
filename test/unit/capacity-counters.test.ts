/**
 * Issue 19: availability on a full day without square growth. findOpenWindows works out each
 * candidate's counter capacities from the day's items written before counters indexed once per call
 * (and a route claim's counter versions once per technician-day), not by filtering every claim per
 * candidate. These properties pin the answer to the rules each plan is otherwise built by: every
 * offered plan's counters are withCounters' (THE rule, one plan at a time over all the claims), and
 * a route claim's versions are counterVersions' of the technician's day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CapacityClaim,
  type CapacityTenant,
  counterVersions,
  findOpenWindows,
  isClaimActive,
  windowUnits,
  withCounters,
} from '../../functions/capacity/availability';
import { demoJobTypes, demoJobTypesWithDurations, demoTechnicians, demoTenant } from '../../local/demo';

const base = demoTenant('unit-counters');
const now = new Date('2026-12-01T06:00:00Z'); // a Tuesday, before opening in Austin
const dates = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
const windowsAll = [...base.arrivalWindows, ...base.afterHoursWindows];
const starts = windowsAll.map((w) => w.start);
const technicianIds = demoTechnicians.map((t) => t.technicianId);
const holdIds = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
const nowSeconds = now.getTime() / 1000;

const lifetime = {
  status: fc.constantFrom<'HELD' | 'BOOKED'>('HELD', 'BOOKED'),
  holdId: fc.constantFrom(...holdIds),
  expiresAt: fc.integer({ min: nowSeconds - 3600, max: nowSeconds + 3600 }),
};
// Claims crowd two days so that technician-windows fill up and legacy items lower counters' capacities.
const owned = { date: fc.constantFrom(dates[1]!, dates[2]!), technicianId: fc.constantFrom(...technicianIds), ...lifetime };
const claimArb: fc.Arbitrary<CapacityClaim> = fc.oneof(
  // A unit: read from a counter (counter: true) or a legacy unit item (no counter).
  fc.record({
    kind: fc.constant('unit' as const),
    start: fc.constantFrom(...starts),
    index: fc.integer({ min: 1, max: 10 }),
    counter: fc.boolean(),
    routed: fc.boolean(),
    ...owned,
  }),
  fc.record({ kind: fc.constant('slot' as const), start: fc.constantFrom(...starts), ...owned }),
  fc.record({ kind: fc.constant('techDay' as const), index: fc.integer({ min: 1, max: 5 }), ...owned }),
  fc.record({
    kind: fc.constant('jobTypeDay' as const),
    date: fc.constantFrom(...dates),
    jobTypeId: fc.constantFrom(...demoJobTypes.map((j) => j.jobTypeId)),
    index: fc.integer({ min: 1, max: 4 }),
    ...lifetime,
  }),
  fc.record({
    kind: fc.constant('stop' as const),
    start: fc.constantFrom(...starts),
    postalCode: fc.constantFrom('78701', '78744', '78759'),
    durationMinutes: fc.integer({ min: 15, max: 180 }),
    ...owned,
  }),
  fc.record({ kind: fc.constant('version' as const), start: fc.constantFrom(...starts), index: fc.integer({ min: 1, max: 9 }), ...owned }),
);
const inputArb = fc.record({
  claims: fc.array(claimArb, { maxLength: 300, size: 'max' }),
  jobType: fc.constantFrom(...demoJobTypes, ...demoJobTypesWithDurations()),
  postalCode: fc.constantFrom('78701', '78744', '78759'),
  emergency: fc.boolean(),
  member: fc.boolean(),
  travelModel: fc.constantFrom<CapacityTenant['travelModel'][]>(undefined, 'buffer', 'route'),
  travelBufferMinutes: fc.constantFrom(undefined, 0, 15, 30),
  memberReserve: fc.constantFrom(undefined, 0, 1),
  emergencyReserve: fc.integer({ min: 0, max: 2 }),
  leaving: fc.subarray(holdIds, { maxLength: 2 }),
});

function answer(input: typeof inputArb extends fc.Arbitrary<infer T> ? T : never) {
  const tenant: CapacityTenant = {
    ...base,
    travelModel: input.travelModel,
    travelBufferMinutes: input.travelBufferMinutes,
    memberReserve: input.memberReserve,
    emergencyReserve: input.emergencyReserve,
  };
  return findOpenWindows({
    tenant,
    technicians: demoTechnicians,
    jobType: input.jobType,
    postalCode: input.postalCode,
    dates,
    claims: input.claims,
    notBefore: now,
    now,
    emergency: input.emergency,
    member: input.member,
    leaving: new Set(input.leaving),
  });
}

describe('counters on a full day (properties)', () => {
  it("offers every plan with withCounters' counters and the technician's counter versions", () => {
    let lowered = 0;
    let routes = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const active = input.claims.filter((c) => isClaimActive(c, now));
        for (const open of answer(input)) {
          const windows = open.afterHours ? base.afterHoursWindows : base.arrivalWindows;
          for (const plan of open.candidates) {
            const { counters, ...rest } = plan;
            if (plan.route) {
              routes++;
              expect(plan.route.versions).toEqual(counterVersions(active, plan.date, plan.technicianId, windowsAll));
              continue;
            }
            expect(counters).toEqual(withCounters(rest, windows, input.claims, now).counters);
            for (const [start, counter] of Object.entries(counters!)) {
              const w = windows.find((x) => x.start === start)!;
              if (counter.cap < windowUnits(w) * 15) lowered++;
            }
          }
        }
      }),
      { numRuns: 100 },
    );
    // The inputs reach what is being checked: capacities lowered by legacy items, and route claims.
    expect(lowered).toBeGreaterThan(0);
    expect(routes).toBeGreaterThan(0);
  });
});
