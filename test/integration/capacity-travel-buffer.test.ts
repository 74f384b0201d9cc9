/**
 * Issue 21: the travel buffer (minutes each job with a duration also claims for the drive to it) is
 * a tenant setting, `travelBufferMinutes` (0-60, default 15), in the company settings; the booking
 * engine's footprint (capacity/availability.ts jobFootprint) and the planner take it from there.
 */
import { describe, expect, it } from 'vitest';
import { nextWeekday } from './helpers';
import { soloTechnicianTenant } from './solo-technician';

describe('the travel buffer is a tenant setting', () => {
  it('defaults to 15, refuses values outside 0-60 naming the field, and holds pack a window by it', async () => {
    const tenant = await soloTechnicianTenant({ name: 'Buffer Solo', postalCode: '78996', jobTypeId: 'drain-30', durationMinutes: 30 });

    const { tenantId: _t, warnings: _w, ...settings } = (await tenant.call('GET', '/v1/config/company')).body;
    expect(settings.travelBufferMinutes).toBe(15);
    for (const bad of [61, -1, 7.5, '15']) {
      const refused = await tenant.call('PUT', '/v1/config/company', { ...settings, travelBufferMinutes: bad });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error.field).toBe('travelBufferMinutes');
    }

    /** Holds one after another in the 10-12 window until one is refused: how many 30-minute jobs it takes. */
    const fill = async (date: string) => {
      let won = 0;
      for (let i = 0; i < 6; i++) {
        const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-30', postalCode: '78996', window: { date, start: '10:00' } });
        expect([201, 409], JSON.stringify(hold.body)).toContain(hold.status);
        if (hold.status === 409) return won;
        won++;
      }
      return won;
    };
    // 30 minutes on site + 15 of travel = 45 (3 units): two fit the 120 minutes.
    expect(await fill(nextWeekday(1, 4))).toBe(2);

    const saved = await tenant.call('PUT', '/v1/config/company', { ...settings, travelBufferMinutes: 0 });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await tenant.call('GET', '/v1/config/company')).body.travelBufferMinutes).toBe(0);
    // No buffer: 30 minutes (2 units) each, four fit.
    expect(await fill(nextWeekday(2, 4))).toBe(4);
  }, 240_000);
});
