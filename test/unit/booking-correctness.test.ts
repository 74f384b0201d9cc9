/** Booking correctness, pure parts (issue 15): need identities, name matching, DST windows, horizon, alternatives order. */
import { describe, expect, it } from 'vitest';
import { findOpenWindows, windowStartInstant } from '../../functions/capacity/availability';
import { nearestFirst } from '../../functions/capacity/engine';
import { lastBookableDate, requireWithinHorizon } from '../../functions/capacity/horizon';
import { bookingStillOpen, needIdentities } from '../../functions/booking/duplicates';
import { similarNames } from '../../functions/recognise/match';
import type { Technician } from '../../functions/tenant/model';
import { demoJobTypes, demoTechnicians, demoTenant } from '../../local/demo';

describe('one job per need', () => {
  const address = { line1: '1100 Congress Ave', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' };
  const facts = { trade: 'plumbing', emergency: false, phoneE164: '+15125550142', address };

  it('a need is a trade at a phone or at an address; an emergency is another need', () => {
    const ids = needIdentities(facts);
    expect(ids).toHaveLength(2);
    expect(needIdentities({ ...facts, phoneE164: '+15125550999' })[1]).toBe(ids[1]);
    expect(needIdentities({ ...facts, address: { ...address, line1: '9 Elm St' } })[0]).toBe(ids[0]);
    expect(needIdentities({ ...facts, trade: 'hvac' })).not.toContain(ids[0]);
    expect(needIdentities({ ...facts, emergency: true })).not.toContain(ids[0]);
  });

  it('a booking stands while open and ahead; rejected, cancelled, finished or past ones do not', () => {
    const window = { date: '2026-12-02', start: '10:00', end: '12:00' };
    expect(bookingStillOpen({ status: 'confirmed', window }, '2026-12-01')).toBe(true);
    expect(bookingStillOpen({ status: 'pending_confirmation', window: null }, '2026-12-01')).toBe(true);
    expect(bookingStillOpen({ status: 'confirmed', window }, '2026-12-03')).toBe(false);
    expect(bookingStillOpen({ status: 'cancelled', window }, '2026-12-01')).toBe(false);
    expect(bookingStillOpen({ status: 'rejected', window: null }, '2026-12-01')).toBe(false);
    expect(bookingStillOpen({ status: 'confirmed', window, jobState: 'completed' }, '2026-12-01')).toBe(false);
  });
});

describe('name matching', () => {
  it('digits count: "P 0" is not "P 1", "Unit 2 Rivera" is not "Unit 3 Rivera"', () => {
    expect(similarNames('P 0', 'P 1')).toBe(false);
    expect(similarNames('P 0', 'p 0')).toBe(true);
    expect(similarNames('Rivera 2', 'Rivera 3')).toBe(false);
    expect(similarNames('Jordan Rivera', 'jordan  rivera')).toBe(true);
  });
});

describe('DST windows', () => {
  const allDay = { start: '00:00', end: '23:59' };
  const technician: Technician = {
    ...demoTechnicians[0]!,
    shifts: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
  };
  const hourly = ['00', '01', '02', '03', '04'].map((h) => ({ start: `${h}:00`, end: `${String(Number(h) + 1).padStart(2, '0')}:00` }));
  const tenant = { ...demoTenant('unit'), arrivalWindows: hourly, timeZone: 'America/Chicago' };
  const jobType = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
  const open = (date: string) =>
    findOpenWindows({
      tenant,
      technicians: [technician],
      jobType,
      postalCode: '78701',
      dates: [date],
      claims: [],
      notBefore: new Date('2027-01-01T00:00:00Z'),
      now: new Date('2027-01-01T00:00:00Z'),
    });

  it('spring forward: a window that does not exist in the zone is not offered; every offered window starts before it ends', () => {
    const windows = open('2027-03-14');
    expect(windows.map((w) => w.start)).toEqual(['00:00', '01:00', '03:00', '04:00']);
    for (const w of windows) expect(windowStartInstant(w.date, w.start, tenant.timeZone) < windowStartInstant(w.date, w.end, tenant.timeZone)).toBe(true);
  });

  it('fall back: the repeated hour is offered once, and start < end', () => {
    const windows = open('2027-11-07');
    expect(windows.map((w) => w.start)).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00']);
    for (const w of windows) expect(windowStartInstant(w.date, w.start, tenant.timeZone) < windowStartInstant(w.date, w.end, tenant.timeZone)).toBe(true);
  });
});

describe('booking horizon', () => {
  const tenant = { bookingHorizonDays: 14, timeZone: 'America/Chicago' };
  const at = new Date('2026-11-30T18:00:00Z');

  it('today is the first of the horizon days; a later date is a 400 naming the field and the horizon', () => {
    expect(lastBookableDate(tenant, at)).toBe('2026-12-13');
    expect(() => requireWithinHorizon(tenant, at, '2026-12-13', 'window.date')).not.toThrow();
    expect(() => requireWithinHorizon(tenant, at, '2026-12-14', 'window.date')).toThrow(/booking horizon of 14 days/);
  });
});

describe('409 alternatives', () => {
  it('start near the asked window: same day first (closest time), then neighbouring days', () => {
    const windows = [
      { date: '2026-12-01', start: '08:00', end: '10:00' },
      { date: '2026-12-03', start: '16:00', end: '18:00' },
      { date: '2026-12-04', start: '08:00', end: '10:00' },
      { date: '2026-12-04', start: '14:00', end: '16:00' },
      { date: '2026-12-05', start: '10:00', end: '12:00' },
      { date: '2026-12-09', start: '10:00', end: '12:00' },
    ];
    const sorted = nearestFirst(windows, { date: '2026-12-04', start: '10:00' });
    expect(sorted.map((w) => `${w.date} ${w.start}`)).toEqual([
      '2026-12-04 08:00',
      '2026-12-04 14:00',
      '2026-12-05 10:00',
      '2026-12-03 16:00',
      '2026-12-01 08:00',
      '2026-12-09 10:00',
    ]);
  });
});
