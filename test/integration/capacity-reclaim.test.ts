/**
 * Issue 21: an expired hold's minutes come back without waiting for a refused claim. A counter
 * item with a HELD claim sits in the sparse `byDue` index (partition RECLAIM_PARTITION) until the
 * RecoverySweep gives its expired claims back (capacity/reclaim-sweep.ts); a booked claim is never
 * touched, and a counter with nothing left to expire leaves the index.
 */
import { describe, expect, it } from 'vitest';
import { dateRange } from '../../functions/capacity/availability';
import { availableWindows } from '../../functions/capacity/engine';
import { sweepExpiredClaims } from '../../functions/capacity/reclaim-sweep';
import { capacityKeys, counterEntryName } from '../../functions/capacity/store';
import { getItem } from '../../functions/shared/dynamo';
import { getJobType, getTenant } from '../../functions/tenant/store';
import { bookingRequest, nextWeekday } from './helpers';
import { soloTechnicianTenant } from './solo-technician';

describe('the recovery sweep gives back the minutes of expired holds', () => {
  it('a hold expires, the sweep runs: its minutes are free again, the booked claim is untouched, the counter leaves the index', async () => {
    const tenant = await soloTechnicianTenant({ name: 'Reclaim Solo', postalCode: '78998', jobTypeId: 'drain-45', durationMinutes: 45 });
    const window = { date: nextWeekday(5, 4), start: '10:00' };

    // A booked job (60 minutes with travel) and a hold (60 more) fill the 10-12 window.
    const booked = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        customer: { name: 'Reclaim Caller', phone: '5125556801' },
        address: { line1: '1 Reclaim Ln', city: 'Austin', region: 'TX', postalCode: '78998' },
        jobTypeId: 'drain-45',
        window,
      }),
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const held = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-45', postalCode: '78998', window });
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    const holdId: string = held.body.holdId;
    const counterKey = capacityKeys.counter(tenant.tenantId, window.date, window.start, 'solo');
    const before = await getItem(counterKey, { consistent: true });
    expect(before?.used).toBe(120);
    const bookedEntry = Object.entries(before!).find(([name, e]) => name.startsWith('claim:') && (e as { status: string }).status === 'BOOKED');
    expect(bookedEntry).toBeDefined();

    // While the hold is live the sweep leaves it alone.
    expect(await sweepExpiredClaims(new Date(), { tenantId: tenant.tenantId })).toMatchObject({ minutes: 0 });
    expect((await getItem(counterKey, { consistent: true }))?.[counterEntryName(holdId)]).toBeDefined();

    // After the hold runs out (no claim refused meanwhile), one sweep gives its minutes back.
    const later = new Date(Date.parse(held.body.expiresAt) + 60_000);
    const swept = await sweepExpiredClaims(later, { tenantId: tenant.tenantId });
    expect(swept).toMatchObject({ counters: 1, minutes: 60 });
    const after = await getItem(counterKey, { consistent: true });
    expect(after?.used).toBe(60);
    expect(after?.[counterEntryName(holdId)]).toBeUndefined();
    // The booked job's claim is exactly as it was.
    expect(after?.[bookedEntry![0]]).toEqual(bookedEntry![1]);
    // Nothing is left to expire: the counter is off the sweep's list, and a second sweep finds nothing.
    expect(after?.duePk).toBeUndefined();
    expect(await sweepExpiredClaims(later, { tenantId: tenant.tenantId })).toEqual({ counters: 0, minutes: 0 });

    // Availability at that time offers the window again (one 45-minute job fits).
    const [config, drain] = await Promise.all([getTenant(tenant.tenantId), getJobType(tenant.tenantId, 'drain-45')]);
    const { open } = await availableWindows({ tenant: config!, jobType: drain!, postalCode: '78998', dates: dateRange(window.date, window.date), now: later });
    expect(open.map((w) => w.start)).toContain('10:00');
  }, 240_000);
});
