/**
 * A day plan never drops a booked job (issue 21), buffer travel model. Drain jobs at opposite ends
 * of town (78729 north, 78747 south: 69 drive minutes, over the default 60-minute hop limit) booked
 * on one technician in back-to-back windows: the only assignment keeping both has that long hop.
 * - One technician on shift: the plan keeps both (the hop today already has may stay).
 * - A second technician working 08:00-10:00 only, with a job near the first one's base: a plan that
 *   dropped the north job gave its 08:00 room to that job, and applying it answered 409 (the dropped
 *   job still holds the room). The plan keeps all three; applying it (if it changes anything) is 200.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { travelMinutes } from '../../functions/dispatch/geo';
import { DEFAULT_MAX_HOP_MINUTES } from '../../functions/dispatch/plan';
import { putTechnician } from '../../functions/tenant/store';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest, bookOnTechnician, createTestTenant, isWindowClaim, nextWeekday, planApplyBody, type TestTenant } from './helpers';

const date = nextWeekday(1, 3); // a Monday

/** A tenant with only `technicians` working (each with its Monday shift if given), and its jobs booked on them: the booking ids. */
async function dayOf(
  technicians: Record<string, { start: string; end: string } | undefined>,
  jobs: Array<[start: string, postalCode: string, technicianId: string]>,
): Promise<{ tenant: TestTenant; booked: string[] }> {
  const tenant = await createTestTenant();
  for (const t of demoTechnicians) {
    const mon = technicians[t.technicianId];
    if (!(t.technicianId in technicians)) await putTechnician(tenant.tenantId, { ...t, active: false });
    else if (mon) await putTechnician(tenant.tenantId, { ...t, shifts: { ...t.shifts, mon } });
  }
  const booked: string[] = [];
  for (const [i, [start, postalCode, technicianId]] of jobs.entries()) {
    const base = bookingRequest();
    const phone = `(512) 555-${String(3101 + i)}`;
    const body = { ...base, customer: { ...base.customer, phone, email: undefined }, address: { ...base.address, postalCode }, window: { date, start } };
    booked.push((await bookOnTechnician(tenant, body, technicianId)).bookingId);
  }
  return { tenant, booked };
}

/** Plans the day: every booked job keeps a technician, no fewer served, no hop added; applies the plan when it changes anything. */
async function expectPlanKeepsEveryJob({ tenant, booked }: { tenant: TestTenant; booked: string[] }) {
  const response = await tenant.call('POST', `/v1/dispatch/plan?date=${date}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const p = response.body;
  expect(p.travelModel).toBe('buffer');
  const assigned = new Map<string, string>(p.plan.assignments.map((a: any) => [a.jobId, a.technicianId]));
  for (const id of booked) expect(assigned.get(id), `booked job ${id} is in the plan with a technician`).toBeTruthy();
  expect(p.current.metrics.served).toBe(booked.length);
  expect(p.plan.metrics.served).toBeGreaterThanOrEqual(p.current.metrics.served);
  expect(p.plan.metrics.longHops).toBeLessThanOrEqual(p.current.metrics.longHops);
  if (p.changes.length) {
    const applied = await tenant.call('POST', '/v1/dispatch/reassign', planApplyBody(date, p));
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  }
  const owners = new Map(
    (await listClaims(tenant.tenantId, date, date)).filter((c) => isWindowClaim(c) && c.bookingId).map((c) => [c.bookingId!, c.technicianId!]),
  );
  for (const a of p.plan.assignments) expect(owners.get(a.jobId), a.jobId).toBe(a.technicianId);
  return p;
}

let alone: { tenant: TestTenant; booked: string[] };
let withMorning: { tenant: TestTenant; booked: string[] };

beforeAll(async () => {
  expect(travelMinutes('78729', '78747')).toBeGreaterThan(DEFAULT_MAX_HOP_MINUTES);
  // tech-06: plumbing and HVAC, every territory (base 78705); tech-05: south and east (base 78741), here 08:00-10:00 only.
  alone = await dayOf({ 'tech-06': undefined }, [
    ['08:00', '78729', 'tech-06'],
    ['10:00', '78747', 'tech-06'],
  ]);
  withMorning = await dayOf({ 'tech-06': undefined, 'tech-05': { start: '08:00', end: '10:00' } }, [
    ['08:00', '78729', 'tech-06'],
    ['10:00', '78747', 'tech-06'],
    ['08:00', '78722', 'tech-05'],
  ]);
}, 240_000);

describe('a day plan keeps every booked job (POST /v1/dispatch/plan, buffer travel model)', () => {
  it('with back-to-back jobs farther apart than the hop limit on the only technician, the plan keeps both', async () => {
    const p = await expectPlanKeepsEveryJob(alone);
    expect(p.changes).toEqual([]);
  }, 120_000);

  it("never gives a kept job's room to another job: the plan keeps all three, and applying it answers 200", async () => {
    await expectPlanKeepsEveryJob(withMorning);
  }, 120_000);
});
