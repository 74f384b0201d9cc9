/**
 * POST /v1/dispatch/reassign: a swap of two jobs in the same window (impossible one at a time: each
 * move needs the slot the other still holds) succeeds as one transaction; a day with deliberately
 * bad assignments gets the planner's changes applied and its drive time drops to the plan's; what
 * cannot be done is reported per job, and nothing leaks capacity.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { basePostalCode, travelMinutes } from '../../functions/dispatch/geo';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant } from './helpers';

let tenant: TestTenant;
const swapDate = nextWeekday(1, 3); // Mondays: tech-01 and tech-06 work
const planDate = nextWeekday(5, 3);

async function book(on: string, start: string, postalCode: string, phone: string, technicianId: string) {
  const base = bookingRequest();
  return bookOnTechnician(
    tenant,
    { ...base, customer: { ...base.customer, phone, email: undefined }, address: { ...base.address, postalCode }, window: { date: on, start } },
    technicianId,
  );
}

async function slotOwners(on: string): Promise<Map<string, string>> {
  const claims = await listClaims(tenant.tenantId, on, on);
  const owners = new Map<string, string>();
  for (const c of claims.filter((c) => c.kind === 'slot')) {
    expect(owners.has(c.bookingId!), `booking ${c.bookingId} holds two slots`).toBe(false);
    owners.set(c.bookingId!, c.technicianId!);
  }
  return owners;
}

beforeAll(async () => {
  tenant = await createTestTenant();
});

describe('POST /v1/dispatch/reassign', () => {
  it('swaps two jobs of one window in one transaction, where moving either alone is refused', async () => {
    const east = await book(swapDate, '10:00', '78723', '(512) 555-0171', 'tech-01');
    const central = await book(swapDate, '10:00', '78701', '(512) 555-0172', 'tech-06');
    const alone = await tenant.call('POST', `/v1/bookings/${east.bookingId}/reschedule`, { technicianId: 'tech-06' });
    expect(alone.status).toBe(409);

    const response = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      reason: 'swap: Ray is closer to the east side',
      assignments: [
        { jobId: east.bookingId, technicianId: 'tech-06', start: '10:00' },
        { jobId: central.bookingId, technicianId: 'tech-01' },
      ],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.failed).toEqual([]);
    expect(response.body.applied).toHaveLength(2);
    const owners = await slotOwners(swapDate);
    expect(owners.get(east.bookingId)).toBe('tech-06');
    expect(owners.get(central.bookingId)).toBe('tech-01');
    const days = (await listClaims(tenant.tenantId, swapDate, swapDate)).filter((c) => c.kind === 'techDay');
    expect(days.map((c) => [c.bookingId, c.technicianId]).sort()).toEqual(
      [
        [central.bookingId, 'tech-01'],
        [east.bookingId, 'tech-06'],
      ].sort(),
    );
    for (const job of [east, central]) {
      const activity = JSON.stringify((await tenant.call('GET', `/v1/bookings/${job.bookingId}/activity`)).body);
      expect(activity).toContain('Ray is closer');
      expect(activity).toContain('technician_unassigned');
    }
  });

  it('reports per job what it cannot do, and changes nothing for those jobs', async () => {
    const job = await book(swapDate, '12:00', '78758', '(512) 555-0173', 'tech-02'); // north: tech-01 does not cover it
    const response = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      assignments: [
        { jobId: job.bookingId, technicianId: 'tech-01' },
        { jobId: job.bookingId.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')), technicianId: 'tech-06' },
        { jobId: job.bookingId, technicianId: 'tech-06', start: '14:00' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.applied).toEqual([]);
    expect(response.body.failed.map((f: any) => f.code)).toEqual(['not_found', 'invalid_request', 'conflict']);
    expect(response.body.failed.find((f: any) => f.code === 'conflict').reason).toMatch(/does not cover 78758/);
    expect((await slotOwners(swapDate)).get(job.bookingId)).toBe('tech-02');
    const bad = await tenant.call('POST', '/v1/dispatch/reassign', { date: swapDate, assignments: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('assignments');
  });

  it("applies a day plan's changes: the day's drive time drops to the plan's", async () => {
    // Each job goes to the qualified technician farthest from it: a bad first-come day.
    const jobs = [
      { start: '08:00', postalCode: '78723' },
      { start: '08:00', postalCode: '78758' },
      { start: '10:00', postalCode: '78745' },
      { start: '10:00', postalCode: '78702' },
      { start: '12:00', postalCode: '78741' },
    ];
    const drains = demoTechnicians.filter((t) => t.skills.includes('drains') && t.shifts.fri);
    const taken = new Set<string>();
    for (const [index, j] of jobs.entries()) {
      const far = drains
        .filter((t) => t.postalCodes.includes(j.postalCode) && !taken.has(`${j.start}|${t.technicianId}`))
        .sort((a, b) => travelMinutes(basePostalCode(b.postalCodes), j.postalCode) - travelMinutes(basePostalCode(a.postalCodes), j.postalCode))[0]!;
      taken.add(`${j.start}|${far.technicianId}`);
      await book(planDate, j.start, j.postalCode, `(512) 555-01${60 + index}`, far.technicianId);
    }
    const plan = (await tenant.call('POST', `/v1/dispatch/plan?date=${planDate}`)).body;
    expect(plan.changes.length).toBeGreaterThan(0);
    expect(plan.plan.metrics.driveMinutes).toBeLessThan(plan.current.metrics.driveMinutes);

    const response = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: planDate,
      reason: 'day plan',
      assignments: plan.changes.map((c: any) => c.to),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.failed).toEqual([]);
    expect(response.body.current.metrics.driveMinutes).toBe(plan.plan.metrics.driveMinutes);
    const owners = await slotOwners(planDate);
    for (const a of plan.plan.assignments) expect(owners.get(a.jobId)).toBe(a.technicianId);
    expect(owners.size).toBe(jobs.length);
    // Planned again, the day is already the plan.
    const again = (await tenant.call('POST', `/v1/dispatch/plan?date=${planDate}`)).body;
    expect(again.current.metrics.driveMinutes).toBe(again.plan.metrics.driveMinutes);
  });
});
