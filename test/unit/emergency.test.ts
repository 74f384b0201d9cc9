/** Emergency dispatch's pure parts: when to dispatch now, who is paged in which order, the paging round, replies, safety advice. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptedWindow,
  emergencyClaimPlan,
  isOverbooked,
  needsDispatchNow,
  nextDispatchStep,
  parsePageReply,
  rankOnCall,
  type DispatchState,
} from '../../functions/emergency/plan';
import { safetyAdviceFor } from '../../functions/emergency/safety';
import { EmergencySettingsSchema } from '../../functions/emergency/settings';
import type { CapacityClaim, CapacityTenant } from '../../functions/capacity/availability';
import { TechnicianSchema } from '../../functions/tenant/model';

const settings = EmergencySettingsSchema.parse({});
const tech = (technicianId: string, trades: string[], postalCodes: string[], basePostalCode?: string) =>
  TechnicianSchema.parse({
    technicianId,
    name: technicianId,
    trades,
    postalCodes,
    shifts: {},
    phone: '+15125550000',
    ...(basePostalCode ? { basePostalCode } : {}),
  });

describe('needsDispatchNow', () => {
  const now = new Date('2026-11-29T17:45:00Z'); // Sunday 11:45 in Chicago
  it('dispatches with no window, or with the first window beyond the longest wait', () => {
    expect(needsDispatchNow(undefined, 'America/Chicago', now, settings)).toBe(true);
    expect(needsDispatchNow({ date: '2026-11-30', start: '08:00' }, 'America/Chicago', now, settings)).toBe(true);
    expect(needsDispatchNow({ date: '2026-11-29', start: '14:00' }, 'America/Chicago', now, settings)).toBe(false);
  });
});

describe('rankOnCall', () => {
  const tenant = {
    onCallRotation: ['p-far', 'p-near', 'hvac', 'p-covers'].map((technicianId) => ({ technicianId, from: '2026-11-29', to: '2026-11-29' })),
  };
  it('pages the trade only: territory covering the ZIP first, then nearest base', () => {
    const technicians = [
      tech('p-far', ['plumbing'], ['78727'], '78727'),
      tech('p-near', ['plumbing'], ['78741'], '78741'),
      tech('hvac', ['hvac'], ['78745'], '78745'),
      tech('p-off', ['plumbing'], ['78745'], '78745'),
    ];
    const ranked = rankOnCall({ tenant, technicians, jobType: { trade: 'plumbing' }, postalCode: '78745', date: '2026-11-29' });
    expect(ranked.map((c) => c.technicianId)).toEqual(['p-near', 'p-far']);
    const withCover = rankOnCall({
      tenant,
      technicians: [...technicians, tech('p-covers', ['plumbing'], ['78745'], '78727')],
      jobType: { trade: 'plumbing' },
      postalCode: '78745',
      date: '2026-11-29',
    });
    expect(withCover[0]?.technicianId).toBe('p-covers');
  });
});

describe('nextDispatchStep', () => {
  const start = '2026-11-29T17:45:00.000Z';
  const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000);
  const state = (pages: DispatchState['pages'], extra: Partial<DispatchState> = {}): DispatchState => ({
    status: 'paging',
    candidates: ['a', 'b'],
    pages,
    startedAt: start,
    ...extra,
  });
  it('pages the first, waits out the timeout, pages the next, escalates at the tenant minutes', () => {
    expect(nextDispatchStep(state([]), at(0), settings)).toEqual({ action: 'page', technicianId: 'a' });
    expect(nextDispatchStep(state([{ technicianId: 'a', at: start }]), at(1), settings)).toEqual({ action: 'wait', until: at(5).toISOString() });
    expect(nextDispatchStep(state([{ technicianId: 'a', at: start }]), at(5), settings)).toEqual({ action: 'page', technicianId: 'b' });
    expect(nextDispatchStep(state([{ technicianId: 'a', at: start, answer: 'decline' }]), at(1), settings)).toEqual({ action: 'page', technicianId: 'b' });
    const both = [
      { technicianId: 'a', at: start },
      { technicianId: 'b', at: at(5).toISOString() },
    ];
    expect(nextDispatchStep(state(both), at(15), settings)).toEqual({ action: 'escalate' });
    expect(nextDispatchStep(state(both, { escalatedAt: at(15).toISOString() }), at(16), settings)).toEqual({ action: 'done' });
  });
  it('escalates at once with nobody on call; an accepted dispatch is done', () => {
    expect(nextDispatchStep(state([], { candidates: [] }), at(0), settings)).toEqual({ action: 'escalate' });
    expect(nextDispatchStep(state([], { status: 'accepted' }), at(0), settings)).toEqual({ action: 'done' });
  });
  it('never escalates before the tenant minutes, never pages anyone twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), fc.array(fc.boolean(), { maxLength: 3 }), (minute, declined) => {
        const pages = ['a', 'b', 'c']
          .slice(0, declined.length)
          .map((technicianId, i) => ({ technicianId, at: start, ...(declined[i] ? { answer: 'decline' as const } : {}) }));
        const step = nextDispatchStep(state(pages, { candidates: ['a', 'b', 'c'] }), at(minute), settings);
        expect(step.action).not.toBe('escalate');
        if (step.action === 'page') expect(pages.map((p) => p.technicianId)).not.toContain(step.technicianId);
      }),
    );
  });
});

describe('parsePageReply', () => {
  it('reads accept and decline, with or without the code; anything else is not a page answer', () => {
    expect(parsePageReply('YES 123')).toEqual({ answer: 'accept', code: '123' });
    expect(parsePageReply(' yes #4821 ')).toEqual({ answer: 'accept', code: '4821' });
    expect(parsePageReply('No')).toEqual({ answer: 'decline' });
    expect(parsePageReply('STOP')).toBeUndefined();
    expect(parsePageReply('yes I will be there at 5')).toBeUndefined();
  });
  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string(), (text) => void parsePageReply(text)));
  });
});

describe('acceptedWindow and safety advice', () => {
  it('promises a same-day window from acceptance to the ETA, never past midnight', () => {
    expect(acceptedWindow(new Date('2026-11-29T17:45:00Z'), 'America/Chicago', settings)).toEqual({ date: '2026-11-29', start: '11:45', end: '13:15' });
    expect(acceptedWindow(new Date('2026-11-30T05:30:00Z'), 'America/Chicago', settings)).toEqual({ date: '2026-11-29', start: '23:30', end: '23:59' });
  });
  it('water for plumbing, gas for a gas smell, the job type setting first', () => {
    expect(safetyAdviceFor({ trade: 'plumbing' }, 'pipe burst')).toBe('water');
    expect(safetyAdviceFor({ trade: 'hvac' }, 'I smell gas near the furnace')).toBe('gas');
    expect(safetyAdviceFor({ trade: 'hvac', safetyAdvice: 'electrical' }, 'no heat')).toBe('electrical');
    expect(safetyAdviceFor({ trade: 'hvac' }, 'no heat')).toBe('general');
  });
});

describe('emergencyClaimPlan', () => {
  const tenant: CapacityTenant = {
    timeZone: 'America/Chicago',
    arrivalWindows: [
      { start: '08:00', end: '10:00' },
      { start: '10:00', end: '12:00' },
      { start: '12:00', end: '14:00' },
    ],
    afterHoursWindows: [{ start: '17:00', end: '21:00' }],
    onCallRotation: [],
    defaultDailyJobLimit: 3,
    emergencyReserve: 1,
  };
  const technician = { ...tech('t1', ['plumbing'], ['78701']), dailyJobLimit: 3 };
  const jobType = { jobTypeId: 'burst', dailyCap: undefined, durationMinutes: undefined };
  const window = { date: '2026-11-29', start: '11:05', end: '12:35' };
  const now = new Date('2026-11-29T17:05:00Z');
  const booked = (sk: Partial<CapacityClaim>): CapacityClaim => ({ kind: 'unit', date: '2026-11-29', status: 'BOOKED', ...sk });

  it('claims the free minute units the emergency keeps the technician busy for and the lowest free daily token, the emergency reserve included', () => {
    const claims = [booked({ kind: 'techDay', technicianId: 't1', index: 1 }), booked({ kind: 'techDay', technicianId: 't1', index: 2 })];
    const { plan, overbooking } = emergencyClaimPlan({ tenant, technician, jobType, window, claims, now });
    // 11:05-12:35: units from 11:00 of the 10-12 window (5th of 8) to the 12:30 unit of 12-14.
    expect(plan).toMatchObject({ technicianId: 't1', windowStarts: ['10:00', '12:00'], units: { '10:00': [5, 6, 7, 8], '12:00': [1, 2, 3] }, techDayIndex: 3 });
    expect(isOverbooked(overbooking)).toBe(false);
    // The job's own duration keeps them busy longer.
    const long = emergencyClaimPlan({ tenant, technician, jobType: { ...jobType, durationMinutes: 60 }, window, claims, now });
    expect(long.plan.units?.['12:00']).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('leaves time another job has to it and reports the job; past the full daily limit it takes one more token and says so', () => {
    const claims = [
      booked({ start: '10:00', technicianId: 't1', index: 6, bookingId: 'B1' }),
      // another technician's job and an expired hold are no conflict
      booked({ start: '12:00', technicianId: 't2', index: 1, bookingId: 'B2' }),
      { ...booked({ start: '12:00', technicianId: 't1', index: 1, holdId: 'old' }), status: 'HELD' as const, expiresAt: 1 },
      // a whole-window item from before minute units holds all of its window
      booked({ kind: 'slot', start: '12:00', technicianId: 't1', bookingId: 'B3' }),
      ...[1, 2, 3].map((index) => booked({ kind: 'techDay', technicianId: 't1', index })),
    ];
    const { plan, overbooking } = emergencyClaimPlan({ tenant, technician, jobType, window, claims, now });
    expect(plan.units).toEqual({ '10:00': [5, 7, 8] });
    expect(plan.windowStarts).toEqual(['10:00']);
    expect(plan.techDayIndex).toBe(4);
    expect(overbooking).toEqual({
      windows: [
        { start: '10:00', end: '12:00', bookingIds: ['B1'] },
        { start: '12:00', end: '14:00', bookingIds: ['B3'] },
      ],
      overDailyLimit: true,
      overJobTypeCap: false,
    });
  });

  it('over a job type cap takes the next token beyond it; a night arrival outside every window claims the day token only', () => {
    const capped = emergencyClaimPlan({
      tenant,
      technician,
      jobType: { ...jobType, dailyCap: 1 },
      window,
      claims: [booked({ kind: 'jobTypeDay', jobTypeId: 'burst', index: 1 })],
      now,
    });
    expect(capped.plan.jobTypeDayIndex).toBe(2);
    expect(capped.overbooking.overJobTypeCap).toBe(true);
    const night = emergencyClaimPlan({ tenant, technician, jobType, window: { date: '2026-11-29', start: '22:10', end: '23:40' }, claims: [], now });
    expect(night.plan).toMatchObject({ windowStarts: [], techDayIndex: 1 });
  });

  it('never plans an item another job holds, and reports every job it runs into (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 8 }),
        fc.array(fc.record({ start: fc.constantFrom('08:00', '10:00', '12:00', '17:00'), index: fc.integer({ min: 1, max: 16 }) }), { maxLength: 12 }),
        (tokens, taken) => {
          const claims = [
            ...tokens.map((index) => booked({ kind: 'techDay', technicianId: 't1', index })),
            ...taken.map(({ start, index }) => booked({ start, index, technicianId: 't1', bookingId: `B${start}` })),
          ];
          const { plan, overbooking } = emergencyClaimPlan({
            tenant,
            technician,
            jobType,
            window: { date: '2026-11-29', start: '09:00', end: '18:00' },
            claims,
            now,
          });
          expect(tokens).not.toContain(plan.techDayIndex);
          for (const { start, index } of taken) expect(plan.units?.[start] ?? []).not.toContain(index);
          for (const w of overbooking.windows) expect(w.bookingIds).toEqual([`B${w.start}`]);
        },
      ),
    );
  });
});
