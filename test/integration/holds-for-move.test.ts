/**
 * Issue 21: a dispatcher or bot can hold a new window for a booked job before rescheduling onto it
 * (POST /v1/holds with `bookingId`, then POST /v1/bookings/{id}/reschedule with the holdId). Like
 * the reschedule's own hold, such a hold does not count the job's own place against the new window:
 * under the route travel model its old stop leaves the route check, and its daily token stays its
 * own. Only that booking's reschedule can take the hold.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isClaimActive, routeDayOf, routeStopsOf } from '../../functions/capacity/availability';
import { routeFits } from '../../functions/capacity/route';
import { listClaims } from '../../functions/capacity/store';
import { getTenant, listTechnicians } from '../../functions/tenant/store';
import { bookingRequest, nextWeekday, routePlumbingCompany, settledBooking, storedClaims, type TestTenant } from './helpers';

// Far north and far south of Austin: 64 minutes apart (capacity-route.test.ts).
const NORTH = '78727';
const SOUTH = '78747';
const DOWNTOWN = '78701';

let tenant: TestTenant;
let phone = 0;

beforeAll(async () => {
  tenant = await routePlumbingCompany([{ id: 'solo', name: 'Route Solo', postalCodes: [DOWNTOWN, NORTH, SOUTH] }]);
  const { tenantId: _t, warnings: _w, ...settings } = (await tenant.call('GET', '/v1/config/company')).body;
  const saved = await tenant.call('PUT', '/v1/config/company', { ...settings, travelModel: 'route' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}, 120_000);

/** A booked 30-minute drain job at `postalCode` in the window starting `start` (one technician: solo's). */
async function job(date: string, start: string, postalCode: string): Promise<Record<string, any>> {
  const base = bookingRequest({ jobTypeId: 'drain-30' });
  phone++;
  const booking = await settledBooking(
    tenant,
    {
      ...base,
      customer: { ...base.customer, phone: `(512) 555-${String(3400 + phone).padStart(4, '0')}`, email: undefined },
      address: { ...base.address, postalCode },
      window: { date, start },
    },
    { 'Idempotency-Key': `move-hold-${date}-${phone}` },
  );
  expect(booking.window, JSON.stringify(booking)).toMatchObject({ date, start, technicianId: 'solo' });
  return booking;
}

async function soloDay(date: string): Promise<{ fits: boolean; jobs: string[] }> {
  const stored = (await getTenant(tenant.tenantId))!;
  const [solo] = await listTechnicians(tenant.tenantId);
  const now = new Date();
  const active = (await listClaims(tenant.tenantId, date, date)).filter((c) => isClaimActive(c, now));
  const stops = routeStopsOf(active, date, solo!, [...stored.arrivalWindows, ...stored.afterHoursWindows], now);
  return { fits: routeFits(routeDayOf(solo!, date)!, stops), jobs: active.filter((c) => c.kind === 'stop').map((c) => c.bookingId!) };
}

describe('POST /v1/holds for a booked job (bookingId), then its reschedule with the holdId', () => {
  it("holds a window of the technician's own day that only routes with the job's old stop gone, at the daily limit; the reschedule commits it", async () => {
    const date = nextWeekday(3, 5);
    // Solo's day (as capacity-route-moves.test.ts): two far north jobs at 08:00, two far south and one downtown at 10:00.
    await job(date, '08:00', NORTH);
    await job(date, '08:00', NORTH);
    await job(date, '10:00', SOUTH);
    await job(date, '10:00', SOUTH);
    const downtown = await job(date, '10:00', DOWNTOWN);
    // Five jobs: solo's daily limit.
    const shift = { start: '08:00', end: '17:00' };
    const limited = await tenant.call('PUT', '/v1/config/technicians/solo', {
      name: 'Route Solo',
      trades: ['route-plumbing'],
      skills: ['drains'],
      postalCodes: [DOWNTOWN, NORTH, SOUTH],
      shifts: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift },
      dailyJobLimit: 5,
    });
    expect(limited.status, JSON.stringify(limited.body)).toBe(200);

    // A new downtown job at 08:00 cannot be had (the day is full, and would not route).
    const other = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-30', postalCode: DOWNTOWN, window: { date, start: '08:00' } });
    expect(other.status, JSON.stringify(other.body)).toBe(409);

    // The downtown job itself moving to 08:00: downtown first, then north, then south routes; it keeps its daily place.
    const hold = await tenant.call('POST', '/v1/holds', {
      jobTypeId: 'drain-30',
      postalCode: DOWNTOWN,
      window: { date, start: '08:00' },
      bookingId: downtown.bookingId,
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    expect(hold.body).toMatchObject({ status: 'HELD', bookingId: downtown.bookingId, window: { date, start: '08:00', technicianId: 'solo' } });

    // Only its booking can take it.
    const stranger = await tenant.call('POST', `/v1/bookings/${(await job(nextWeekday(4, 5), '10:00', DOWNTOWN)).bookingId}/reschedule`, {
      holdId: hold.body.holdId,
    });
    expect(stranger.status, JSON.stringify(stranger.body)).toBe(409);

    const moved = await tenant.call('POST', `/v1/bookings/${downtown.bookingId}/reschedule`, {
      holdId: hold.body.holdId,
      reason: 'customer asked for earlier',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '08:00', technicianId: 'solo' });
    const day = await soloDay(date);
    expect(day.fits).toBe(true);
    expect(day.jobs.filter((id) => id === downtown.bookingId)).toHaveLength(1);
    const tokens = (await storedClaims(tenant.tenantId)).filter((c) => c.kind === 'techDay' && c.date === date);
    expect(tokens).toHaveLength(5);
    expect(tokens.filter((t) => t.bookingId === downtown.bookingId)).toHaveLength(1);
  }, 300_000);
});
