/** Emergency dispatch's pure parts: when to dispatch now, who is paged in which order, the paging round, replies, safety advice. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptedWindow, needsDispatchNow, nextDispatchStep, parsePageReply, rankOnCall, type DispatchState } from '../../functions/emergency/plan';
import { safetyAdviceFor } from '../../functions/emergency/safety';
import { EmergencySettingsSchema } from '../../functions/emergency/settings';
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
