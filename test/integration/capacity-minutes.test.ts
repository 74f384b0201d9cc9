/**
 * Issue 21 item 4 against DynamoDB Local: job types with minutes share a technician-window, each
 * claiming its minute units (capacity/store.ts `SLOT#<date>#M#<start>#<tech>#<kk>`) with conditional
 * Puts in one transaction, so of concurrent claims on the last units exactly one wins; a day plan of
 * such jobs applies whole and the board shows it with each job's minutes.
 */
import { describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { createTestTenant, bookingRequest, bookOnTechnician, nextWeekday, type TestTenant } from './helpers';

const shift = { start: '08:00', end: '17:00' };
const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };

async function minutesTenant(technicians: string[], postalCodes = ['78998']): Promise<TestTenant> {
  const tenant = await createTestTenant();
  for (const id of technicians) {
    const put = await tenant.call('PUT', `/v1/config/technicians/${id}`, {
      name: `Minutes ${id}`,
      trades: ['plumbing'],
      skills: ['drains'],
      postalCodes,
      shifts: everyDay,
      dailyJobLimit: 12,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  for (const [id, minutes] of [
    ['drain-45', 45],
    ['install-180', 180],
  ] as const) {
    const put = await tenant.call('PUT', `/v1/config/job-types/${id}`, { name: id, trade: 'plumbing', requiredSkills: ['drains'], durationMinutes: minutes });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.durationMinutes).toBe(minutes);
  }
  return tenant;
}

const booking = (i: number, jobTypeId: string, window: { date: string; start: string }, postalCode = '78998') =>
  bookingRequest({
    customer: { name: `Minutes Caller ${i}`, phone: `512555${String(6000 + i)}` },
    address: { line1: `${i} Minute Ln`, city: 'Austin', region: 'TX', postalCode },
    jobTypeId,
    window,
  });

describe('minute units per technician-window', () => {
  it('two 45-min jobs share a 2-hour window; of 6 concurrent claims on the last units exactly one wins', async () => {
    const tenant = await minutesTenant(['solo']);
    const window = { date: nextWeekday(2, 3), start: '10:00' };
    // Holds claim exactly as bookings do (the same transaction); they keep this test light on a busy machine.
    const first = await tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-45', postalCode: '78998', window });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // The customer's window is the arrival window.
    expect(first.body.window).toMatchObject({ start: '10:00', end: '12:00', technicianId: 'solo' });

    const responses = await Promise.all(
      Array.from({ length: 6 }, () => tenant.call('POST', '/v1/holds', { jobTypeId: 'drain-45', postalCode: '78998', window })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(5);

    // Every unit of the window claimed exactly once: 4 by each job (45 min + 15 min travel).
    const units = (await listClaims(tenant.tenantId, window.date, window.date)).filter((c) => c.kind === 'unit' && c.start === '10:00');
    expect(units.map((c) => c.index).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(units.map((c) => c.holdId)).size).toBe(2);
    const avail = await tenant.call('GET', `/v1/availability?jobTypeId=drain-45&postalCode=78998&from=${window.date}&to=${window.date}`);
    expect(avail.body.windows.map((w: { start: string }) => w.start)).not.toContain('10:00');
    expect(avail.body.windows.map((w: { start: string }) => w.start)).toContain('08:00');
  }, 240_000);

  it('a 3-hour install takes its arrival window and the next window minutes', async () => {
    const tenant = await minutesTenant(['solo']);
    const date = nextWeekday(4, 3);
    const install = await tenant.call('POST', '/v1/bookings', booking(20, 'install-180', { date, start: '08:00' }));
    expect(install.status, JSON.stringify(install.body)).toBe(201);
    expect(install.body.window).toMatchObject({ start: '08:00', end: '10:00' });
    const claims = (await listClaims(tenant.tenantId, date, date)).filter((c) => c.kind === 'unit');
    expect(claims.filter((c) => c.start === '08:00')).toHaveLength(8);
    expect(claims.filter((c) => c.start === '10:00')).toHaveLength(5);
    // 3 units (45 min) left at 10:00: a 45-min job (4 units with travel) does not fit.
    const drain = await tenant.call('POST', '/v1/bookings', booking(21, 'drain-45', { date, start: '10:00' }));
    expect(drain.status).toBe(409);
    const cancel = await tenant.call('POST', `/v1/bookings/${install.body.bookingId}/cancel`, { reason: 'test' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const again = await tenant.call('POST', '/v1/bookings', booking(22, 'drain-45', { date, start: '10:00' }));
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  }, 240_000);
});

describe('a day plan of jobs with minutes', () => {
  it('plan -> apply -> the board equals the plan, each job with its minutes', async () => {
    // Two technicians in both territories; short jobs booked onto the far one, so the plan moves them.
    const tenant = await minutesTenant(['north', 'south'], ['78727', '78728', '78729', '78744', '78745', '78747']);
    const date = nextWeekday(1, 3);
    const jobs: Array<[string, string, string]> = [
      ['78727', '08:00', 'south'],
      ['78728', '08:00', 'south'],
      ['78744', '08:00', 'north'],
      ['78745', '10:00', 'north'],
      ['78729', '10:00', 'south'],
      ['78747', '12:00', 'north'],
    ];
    for (const [i, [postalCode, start, tech]] of jobs.entries()) {
      const base = booking(40 + i, 'drain-45', { date, start }, postalCode);
      await bookOnTechnician(tenant, base, tech);
    }
    const planned = await tenant.call('POST', `/v1/dispatch/plan?date=${date}`);
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    const p = planned.body;
    expect(p.changes.length).toBeGreaterThan(0);
    expect(p.plan.metrics.driveMinutes).toBeLessThan(p.current.metrics.driveMinutes);
    // Two 45-min jobs share a window: the plan has a technician with two jobs at 08:00.
    const applied = await tenant.call('POST', '/v1/dispatch/reassign', {
      date,
      reason: 'day plan',
      planId: p.planId,
      boardVersion: p.boardVersion,
      assignments: p.changes.map((c: any) => c.to),
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.outcome).toBe('applied');
    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    const owner = new Map<string, string>(board.technicians.flatMap((t: any) => t.jobs.map((j: any) => [j.bookingId, t.technicianId])));
    for (const a of p.plan.assignments) expect(owner.get(a.jobId), a.jobId).toBe(a.technicianId);
    const jobsOnBoard = board.technicians.flatMap((t: any) => t.jobs);
    expect(jobsOnBoard).toHaveLength(jobs.length);
    for (const j of jobsOnBoard) expect(j).toMatchObject({ durationMinutes: 45, minutes: { [j.start]: 60 } });
  }, 240_000);
});
