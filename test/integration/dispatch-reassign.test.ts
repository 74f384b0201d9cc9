/**
 * POST /v1/dispatch/reassign: a swap of two jobs in the same window (impossible one at a time: each
 * move needs the slot the other still holds) succeeds as one transaction; a day with deliberately
 * bad assignments gets the planner's changes applied and its drive time drops to the plan's; a
 * change that cannot be done refuses the whole request (nothing applied), a stale plan is refused,
 * and nothing leaks capacity.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { basePostalCode, travelMinutes } from '../../functions/dispatch/geo';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant, isWindowClaim } from './helpers';

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
  for (const c of claims.filter(isWindowClaim)) {
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
    expect(response.body.outcome).toBe('applied');
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
  }, 150_000);

  it('refuses the whole request when one change cannot be done, naming the job, and changes nothing', async () => {
    const job = await book(swapDate, '12:00', '78758', '(512) 555-0173', 'tech-02'); // north: tech-01 does not cover it
    const other = await book(swapDate, '12:00', '78701', '(512) 555-0174', 'tech-06');
    const uncovered = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      assignments: [
        { jobId: other.bookingId, technicianId: 'tech-01' },
        { jobId: job.bookingId, technicianId: 'tech-01' },
      ],
    });
    expect(uncovered.status).toBe(409);
    expect(uncovered.body.error.message).toMatch(/does not cover 78758/);
    const missing = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      assignments: [
        { jobId: other.bookingId, technicianId: 'tech-01' },
        { jobId: job.bookingId.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A')), technicianId: 'tech-06' },
      ],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.field).toBe('assignments.1.jobId');
    const window = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      assignments: [{ jobId: job.bookingId, technicianId: 'tech-06', start: '14:00' }],
    });
    expect(window.status).toBe(400);
    expect(window.body.error.field).toBe('assignments.0.start');
    const owners = await slotOwners(swapDate);
    expect(owners.get(job.bookingId)).toBe('tech-02');
    expect(owners.get(other.bookingId)).toBe('tech-06');
    const bad = await tenant.call('POST', '/v1/dispatch/reassign', { date: swapDate, assignments: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('assignments');
    const noVersion = await tenant.call('POST', '/v1/dispatch/reassign', {
      date: swapDate,
      planId: 'pl_abcdefghijklmnop',
      assignments: [{ jobId: job.bookingId, technicianId: 'tech-02' }],
    });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.field).toBe('boardVersion');
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

    const apply = { date: planDate, reason: 'day plan', planId: plan.planId, boardVersion: plan.boardVersion, assignments: plan.changes.map((c: any) => c.to) };
    const tampered = await tenant.call('POST', '/v1/dispatch/reassign', { ...apply, assignments: apply.assignments.slice(1) });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.field).toBe('planId');
    const response = await tenant.call('POST', '/v1/dispatch/reassign', apply);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ outcome: 'applied', planId: plan.planId });
    expect(response.body.applied).toHaveLength(plan.changes.length);
    expect(response.body.current.metrics.driveMinutes).toBe(plan.plan.metrics.driveMinutes);
    // Idempotent by plan id: the replay answers what the first apply did (the board has changed since).
    const replay = await tenant.call('POST', '/v1/dispatch/reassign', apply);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body.applied).toEqual(response.body.applied);
    const owners = await slotOwners(planDate);
    for (const a of plan.plan.assignments) expect(owners.get(a.jobId)).toBe(a.technicianId);
    expect(owners.size).toBe(jobs.length);
    // Planned again, the day is already the plan.
    const again = (await tenant.call('POST', `/v1/dispatch/plan?date=${planDate}`)).body;
    expect(again.current.metrics.driveMinutes).toBe(again.plan.metrics.driveMinutes);
    expect(again.boardVersion).toBe(response.body.boardVersion);
  });

  it('refuses changes computed on a board that has changed since (409 board_changed), applying nothing', async () => {
    const date = nextWeekday(2, 3);
    const first = await book(date, '08:00', '78723', '(512) 555-0175', 'tech-04');
    const board = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    await book(date, '10:00', '78701', '(512) 555-0176', 'tech-02'); // the board changes
    const response = await tenant.call('POST', '/v1/dispatch/reassign', {
      date,
      boardVersion: board.version,
      assignments: [{ jobId: first.bookingId, technicianId: 'tech-01' }],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'board_changed', field: 'boardVersion' });
    expect(response.body.error.message).toMatch(/plan the day again/);
    expect((await slotOwners(date)).get(first.bookingId)).toBe('tech-04');
    const fresh = (await tenant.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    expect(fresh.version).not.toBe(board.version);
    const ok = await tenant.call('POST', '/v1/dispatch/reassign', {
      date,
      boardVersion: fresh.version,
      assignments: [{ jobId: first.bookingId, technicianId: 'tech-01' }],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await slotOwners(date)).get(first.bookingId)).toBe('tech-01');
  });
});
