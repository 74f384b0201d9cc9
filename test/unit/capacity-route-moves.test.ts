/**
 * Issue 21 (ROUTEMOVES): one placement rule for "this job, this technician, this window" under the
 * tenant's travel model (capacity/availability.ts placeJob), used by availability and by every move
 * of a booked job; planClaims lets a change of several jobs see the day as the jobs placed before
 * leave it; an accepted emergency in a route company is claimed as a stop (never refused, its
 * overbooking reported).
 */
import { describe, expect, it } from 'vitest';
import { type CapacityClaim, type CapacityTenant, placeJob, planClaims, type ClaimPlan } from '../../functions/capacity/availability';
import { emergencyClaimPlan, isOverbooked } from '../../functions/emergency/plan';
import { TechnicianSchema } from '../../functions/tenant/model';

const shift = { start: '08:00', end: '17:00' };
const technician = TechnicianSchema.parse({
  technicianId: 'b',
  name: 'B',
  trades: ['plumbing'],
  postalCodes: ['78701', '78727', '78747'],
  shifts: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift },
  phone: '+15125550000',
  dailyJobLimit: 12,
});
const windows = [
  { start: '08:00', end: '10:00' },
  { start: '10:00', end: '12:00' },
  { start: '12:00', end: '14:00' },
];
const tenant = (travelModel: 'route' | 'buffer'): CapacityTenant => ({
  timeZone: 'America/Chicago',
  arrivalWindows: windows,
  afterHoursWindows: [{ start: '17:00', end: '21:00' }],
  onCallRotation: [],
  defaultDailyJobLimit: 12,
  emergencyReserve: 0,
  travelModel,
});
const date = '2026-12-08';
const now = new Date('2026-12-01T12:00:00Z');
const drain = { jobTypeId: 'drain-30', durationMinutes: 30, durationWindows: 1 };

/** A booked route claim of technician b at `postalCode` in the 10:00 window, as listClaims reads it (its stop, its counter's version). */
function routeJob(id: string, postalCode: string, version: number): CapacityClaim[] {
  const base = { date, start: '10:00', technicianId: 'b', status: 'BOOKED' as const, holdId: `h-${id}`, bookingId: id };
  return [
    { ...base, kind: 'stop', postalCode, durationMinutes: 30 },
    { ...base, kind: 'unit', index: version * 2 - 1, counter: true, routed: true },
    { ...base, kind: 'unit', index: version * 2, counter: true, routed: true },
    { kind: 'version', date, start: '10:00', technicianId: 'b', index: version, status: 'BOOKED' },
  ];
}

const place = (travelModel: 'route' | 'buffer', active: CapacityClaim[], postalCode: string) =>
  placeJob({ tenant: tenant(travelModel), technician, jobType: drain, postalCode, date, window: windows[1]!, windows, afterHours: false, active, now });

describe('placeJob: one placement rule under the tenant travel model', () => {
  it('route: refuses a job no order of the day reaches in its window, places one that fits with the counter versions it read', () => {
    // North then south by 12:00 already: a second north job cannot start in 10:00-12:00.
    const day = [...routeJob('n', '78727', 1), ...routeJob('s', '78747', 2)].filter((c, i, all) => c.kind !== 'version' || i === all.length - 1);
    expect(place('route', day, '78727')).toEqual({ refused: 'route' });
    const fits = place('route', routeJob('n', '78727', 1), '78727');
    expect('placement' in fits && fits.placement).toMatchObject({
      windowStarts: ['10:00'],
      counters: { '10:00': { minutes: 30 } },
      route: { postalCode: '78727', durationMinutes: 30, versions: { '08:00': 0, '10:00': 1, '12:00': 0, '17:00': 0 } },
    });
  });

  it("route: a reschedule's own hold (`leaving`) is left out of its route check, its units still taken until it is released", () => {
    // North then south by 12:00: another north job does not fit while n's stop counts; n moving to it does.
    const day = [...routeJob('n', '78727', 1), ...routeJob('s', '78747', 2)].filter((c, i, all) => c.kind !== 'version' || i === all.length - 1);
    expect(place('route', day, '78727')).toEqual({ refused: 'route' });
    const moved = placeJob({
      tenant: tenant('route'),
      technician,
      jobType: drain,
      postalCode: '78727',
      date,
      window: windows[1]!,
      windows,
      afterHours: false,
      active: day,
      now,
      leaving: new Set(['h-n']),
    });
    expect('placement' in moved && moved.placement).toMatchObject({ units: { '10:00': [5, 6] }, route: { versions: { '10:00': 2 } } });
  });

  it('buffer: refuses for room when the window has no free units, and never route-checks', () => {
    const full: CapacityClaim[] = Array.from({ length: 8 }, (_, k) => ({
      kind: 'unit',
      date,
      start: '10:00',
      technicianId: 'b',
      index: k + 1,
      status: 'BOOKED',
      holdId: 'x',
    }));
    expect(place('buffer', full, '78701')).toEqual({ refused: 'room' });
    const free = place('buffer', [], '78701');
    expect('placement' in free && free.placement.route).toBeUndefined();
  });

  it('planClaims: jobs placed earlier in the same change are in the day the next one is checked on', () => {
    const day: CapacityClaim[] = [...routeJob('n', '78727', 1)];
    const first = place('route', day, '78747');
    if (!('placement' in first)) throw new Error('first south job should fit');
    const plan: ClaimPlan = { date, start: '10:00', end: '12:00', technicianId: 'b', ...first.placement, techDayIndex: 2, jobTypeId: 'drain-30' };
    day.push(...planClaims(plan, 'h-new', 'new'));
    expect(day.filter((c) => c.kind === 'stop').map((c) => c.postalCode)).toEqual(['78727', '78747']);
    // The second south job alone fitted; after the first, it does not.
    expect(place('route', day, '78747')).toEqual({ refused: 'route' });
  });
});

describe('emergencyClaimPlan under the route travel model', () => {
  const window = { date, start: '11:05', end: '12:35' };
  it('claims a stop on the window it was accepted in, with no version condition, and reports the jobs a day that does not route runs into', () => {
    const day = [...routeJob('n', '78727', 1)];
    const fits = emergencyClaimPlan({ tenant: tenant('route'), technician, jobType: drain, window, claims: day, now, postalCode: '78727' });
    expect(fits.plan).toMatchObject({ windowStarts: ['10:00'], counters: { '10:00': { minutes: 30 } }, route: { postalCode: '78727', versions: {} } });
    expect(isOverbooked(fits.overbooking)).toBe(false);

    const south = emergencyClaimPlan({
      tenant: tenant('route'),
      technician,
      jobType: drain,
      window: { date, start: '11:50', end: '11:55' },
      claims: [...day, ...routeJob('s', '78747', 2)],
      now,
      postalCode: '78727',
    });
    expect(south.plan.route).toBeDefined();
    expect(south.overbooking.windows).toEqual([{ start: '10:00', end: '12:00', bookingIds: ['n', 's'] }]);
    // The buffer model keeps the minute units from acceptance on.
    expect(
      emergencyClaimPlan({ tenant: tenant('buffer'), technician, jobType: drain, window, claims: [], now, postalCode: '78727' }).plan.route,
    ).toBeUndefined();
  });
});
