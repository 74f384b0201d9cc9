/**
 * Issue 21 item 4 against DynamoDB Local: under the `route` travel model (company setting
 * `travelModel`) a job with a duration claims its minutes, not minutes plus a fixed travel buffer,
 * and is accepted only when an order of the technician's jobs that day starts each inside its
 * arrival window with the real drive between consecutive jobs (capacity/route.ts). Near addresses
 * pack a window tighter than the buffer allowed; far ones do not. The claim is conditional on the
 * versions of the technician's counters it read, so concurrent claims never store an infeasible route.
 */
import { describe, expect, it } from 'vitest';
import { type ClaimPlan, isClaimActive, routeDayOf, routeStopsOf } from '../../functions/capacity/availability';
import { availableWindows } from '../../functions/capacity/engine';
import { routeFits } from '../../functions/capacity/route';
import { claimHold, listClaims } from '../../functions/capacity/store';
import { getJobType, getTenant, listTechnicians } from '../../functions/tenant/store';
import { epochSeconds } from '../../functions/shared/time';
import { nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

/** A company with one technician (base 78701; also serves the far north 78727 and far south 78747) and a 30-minute drain job. */
const routeTenant = () => routePlumbingCompany([{ id: 'solo', name: 'Route Solo', postalCodes: ['78701', '78727', '78747'] }]);

/** Holds in the 10-12 window, one after another, at the given addresses (cycled) until one is refused: how many were held. */
async function fill(tenant: TestTenant, date: string, postalCodes: string[]): Promise<number> {
  let won = 0;
  for (let i = 0; i < 8; i++) {
    const hold = await tenant.call('POST', '/v1/holds', {
      jobTypeId: 'drain-30',
      postalCode: postalCodes[i % postalCodes.length],
      window: { date, start: '10:00' },
    });
    expect([201, 409], JSON.stringify(hold.body)).toContain(hold.status);
    if (hold.status === 409) return won;
    won++;
  }
  return won;
}

/** The technician's stored day (active claims read back) still has a route that starts each job in its window. */
async function storedRouteFits(tenantId: string, date: string): Promise<{ fits: boolean; stops: number }> {
  const tenant = (await getTenant(tenantId))!;
  const [solo] = await listTechnicians(tenantId);
  const now = new Date();
  const active = (await listClaims(tenantId, date, date)).filter((c) => isClaimActive(c, now));
  const stops = routeStopsOf(active, date, solo!, [...tenant.arrivalWindows, ...tenant.afterHoursWindows], now);
  return { fits: routeFits(routeDayOf(solo!, date)!, stops), stops: stops.length };
}

describe('route travel model: real drives between consecutive jobs decide what fits', () => {
  it('is a company setting (default buffer); near addresses fit more jobs in a window than the fixed buffer, far ones do not', async () => {
    const tenant = await routeTenant();
    const { tenantId: _t, warnings: _w, ...settings } = (await tenant.call('GET', '/v1/config/company')).body;
    expect(settings.travelModel).toBe('buffer');
    // The fixed 15-minute buffer: 30 + 15 = 45 minutes each, two fit 10:00-12:00.
    expect(await fill(tenant, nextWeekday(1, 4), ['78701'])).toBe(2);

    const refused = await tenant.call('PUT', '/v1/config/company', { ...settings, travelModel: 'teleport' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.field).toBe('travelModel');
    const saved = await tenant.call('PUT', '/v1/config/company', { ...settings, travelModel: 'route' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await tenant.call('GET', '/v1/config/company')).body.travelModel).toBe('route');

    // One address: no drive between them, each starts in 10:00-12:00 (the fifth at 12:00 sharp).
    const near = nextWeekday(2, 4);
    expect(await fill(tenant, near, ['78701'])).toBe(5);
    expect(await storedRouteFits(tenant.tenantId, near)).toEqual({ fits: true, stops: 5 });
    // Far north and far south in turn: 64 minutes apart, so after one of each the next cannot start by 12:00.
    const far = nextWeekday(3, 4);
    expect(await fill(tenant, far, ['78727', '78747'])).toBe(2);
    expect(await storedRouteFits(tenant.tenantId, far)).toEqual({ fits: true, stops: 2 });
    // The far south job ends at 12:04: a job next door still fits the next window.
    const nextDoor = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-30', postalCode: '78747', window: { date: far, start: '12:00' } });
    expect(nextDoor.status, JSON.stringify(nextDoor.body)).toBe(201);
  }, 240_000);

  it('race: claims read on the same day never both store (the counters versions), and concurrent holds leave a route that fits', async () => {
    const tenant = await routeTenant();
    await tenant.call('PUT', '/v1/config/company', {
      ...(({ tenantId: _t, warnings: _w, ...s }) => s)((await tenant.call('GET', '/v1/config/company')).body),
      travelModel: 'route',
    });
    const stored = (await getTenant(tenant.tenantId))!;
    expect(stored.travelModel).toBe('route');
    const jobType = (await getJobType(tenant.tenantId, 'drain-30'))!;
    const date = nextWeekday(4, 4);
    const now = new Date();

    // Two claims planned on the same read, one far north and one far south, both in 10:00-12:00 at
    // 11:40 or later is impossible; each fits alone. Even with different daily-job tokens (so no
    // token is shared), only one may store: the second's versions are stale.
    const planFor = async (postalCode: string): Promise<ClaimPlan> => {
      const { open } = await availableWindows({ tenant: stored, jobType, postalCode, dates: [date], now });
      return open.find((w) => w.start === '10:00')!.candidates[0]!;
    };
    const [north, south] = await Promise.all([planFor('78727'), planFor('78747')]);
    expect(north.route?.versions).toBeDefined();
    const claim = (plan: ClaimPlan, holdId: string) =>
      claimHold(
        {
          tenantId: tenant.tenantId,
          holdId,
          plan,
          emergency: false,
          expiresAt: epochSeconds(new Date(now.getTime() + 600_000)),
          source: 'api',
          createdAt: now.toISOString(),
        },
        now,
      );
    const outcomes = await Promise.all([
      claim(north, `route-race-n-${Date.now()}`),
      claim({ ...south, techDayIndex: south.techDayIndex + 1 }, `route-race-s-${Date.now()}`),
    ]);
    // Never both (a transaction conflict may even refuse both: each then reads again, as holdWindow does).
    expect(outcomes.filter((o) => o === 'won').length).toBeLessThanOrEqual(1);
    expect(await storedRouteFits(tenant.tenantId, date)).toEqual({ fits: true, stops: outcomes.filter((o) => o === 'won').length });

    // Many concurrent holds through the API on another day, north and south mixed: whatever won, the day still routes.
    const storm = nextWeekday(5, 4);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-30', postalCode: i % 2 ? '78747' : '78727', window: { date: storm, start: '10:00' } }),
      ),
    );
    for (const a of answers) expect([201, 409, 503], JSON.stringify(a.body)).toContain(a.status);
    const won = answers.filter((a) => a.status === 201).length;
    expect(won).toBeGreaterThanOrEqual(1);
    const after = await storedRouteFits(tenant.tenantId, storm);
    expect(after.fits).toBe(true);
    expect(after.stops).toBe(won);
  }, 240_000);
});
