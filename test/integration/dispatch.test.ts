/**
 * Dispatch board and day planner on the demo company: jobs booked through the API show on their
 * technicians' day; the plan endpoint proposes a valid assignment (HiGHS, gap proved) next to
 * the day's real assignment and changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { claimHold } from '../../functions/capacity/store';
import { basePostalCode, travelMinutes } from '../../functions/dispatch/geo';
import { demoJobTypes, demoTechnicians } from '../../local/demo';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant } from './helpers';

let tenant: TestTenant;
let other: TestTenant;
const date = nextWeekday(3, 3); // a Wednesday: every demo technician works
const booked: Array<{ bookingId: string; jobTypeId: string; postalCode: string; start: string }> = [];

const requests = [
  { jobTypeId: 'plumbing-drain-clog', postalCode: '78701', start: '08:00', phone: '(512) 555-0181' },
  { jobTypeId: 'hvac-ac-repair', postalCode: '78759', start: '10:00', phone: '(512) 555-0182' },
  { jobTypeId: 'plumbing-drain-clog', postalCode: '78745', start: '08:00', phone: '(512) 555-0183' },
  { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78704', start: '12:00', phone: '(512) 555-0184' },
];

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  for (const r of requests) {
    const base = bookingRequest();
    const response = await tenant.call('POST', '/v1/bookings', {
      ...base,
      customer: { ...base.customer, phone: r.phone, email: undefined },
      address: { ...base.address, postalCode: r.postalCode },
      jobTypeId: r.jobTypeId,
      window: { date, start: r.start },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    booked.push({ bookingId: response.body.bookingId, jobTypeId: r.jobTypeId, postalCode: r.postalCode, start: r.start });
  }
});

describe('GET /v1/dispatch/board', () => {
  it("shows each technician's day with the booked jobs, tenant-scoped", async () => {
    const response = await tenant.call('GET', `/v1/dispatch/board?date=${date}`);
    expect(response.status).toBe(200);
    expect(response.body.technicians).toHaveLength(12);
    const jobs = response.body.technicians.flatMap((t: any) => t.jobs.map((j: any) => ({ ...j, technicianId: t.technicianId })));
    expect(jobs).toHaveLength(booked.length);
    expect(response.body.unassigned).toEqual([]);
    for (const b of booked) {
      const job = jobs.find((j: any) => j.bookingId === b.bookingId);
      expect(job).toMatchObject({ jobTypeId: b.jobTypeId, postalCode: b.postalCode, start: b.start, windowStarts: [b.start] });
      expect(['confirmed', 'pending_crm_sync', 'pending_confirmation']).toContain(job.status);
      const tech = demoTechnicians.find((t) => t.technicianId === job.technicianId)!;
      expect(tech.postalCodes).toContain(b.postalCode);
    }
    const elsewhere = await other.call('GET', `/v1/dispatch/board?date=${date}`);
    expect(elsewhere.body.technicians.flatMap((t: any) => t.jobs)).toEqual([]);
  });

  it('rejects a bad date naming the field', async () => {
    const response = await tenant.call('GET', '/v1/dispatch/board?date=tomorrow');
    expect(response.status).toBe(400);
    expect(response.body.error.field).toMatch(/date/);
  });
});

describe('POST /v1/dispatch/plan', () => {
  it('proposes a valid plan with a proved gap next to the real assignment, and applies nothing', async () => {
    const before = await tenant.call('GET', `/v1/dispatch/board?date=${date}`);
    const response = await tenant.call('POST', `/v1/dispatch/plan?date=${date}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const body = response.body;
    expect(body.applied).toBe(false);
    expect(body.solver).toMatchObject({ solver: 'highs', status: 'optimal', gap: 0 });
    expect(body.plan.metrics).toMatchObject({ trucks: 12, jobs: booked.length, served: booked.length });
    expect(body.current.metrics.served).toBe(booked.length);
    expect(body.plan.metrics.driveMinutes).toBeLessThanOrEqual(body.current.metrics.driveMinutes);
    expect(body).not.toHaveProperty('firstComeFirstServed'); // a real day exists: no re-simulated baseline
    expect(body.plan.metrics.driveMinutes).toBeGreaterThanOrEqual(0);
    const slots = new Set<string>();
    for (const a of body.plan.assignments) {
      const b = booked.find((x) => x.bookingId === a.jobId)!;
      expect(a.start).toBe(b.start); // customers keep the window they were promised
      const tech = demoTechnicians.find((t) => t.technicianId === a.technicianId)!;
      const type = demoJobTypes.find((j) => j.jobTypeId === b.jobTypeId)!;
      expect(tech.postalCodes).toContain(b.postalCode);
      expect(tech.trades).toContain(type.trade);
      for (const skill of type.requiredSkills) expect(tech.skills).toContain(skill);
      expect(slots.has(`${a.technicianId}|${a.start}`)).toBe(false);
      slots.add(`${a.technicianId}|${a.start}`);
    }
    const after = await tenant.call('GET', `/v1/dispatch/board?date=${date}`);
    expect(after.body).toEqual(before.body);
  });

  it('never plans a job into a window another booking is holding right now (so the plan can apply)', async () => {
    // One drain job on the qualified plumber farthest from it; every other qualified plumber's 10:00
    // is held by a booking in progress. The nearer plumbers are not free: the job stays where it is.
    const t = await createTestTenant();
    const postalCode = '78701';
    const qualified = demoTechnicians.filter(
      (x) => x.shifts.wed && x.trades.includes('plumbing') && x.skills.includes('drains') && x.postalCodes.includes(postalCode),
    );
    expect(qualified.length).toBeGreaterThan(1);
    const byDistance = [...qualified].sort(
      (a, b) => travelMinutes(basePostalCode(a.postalCodes), postalCode) - travelMinutes(basePostalCode(b.postalCodes), postalCode),
    );
    const far = byDistance[byDistance.length - 1]!;
    const base = bookingRequest();
    const job = await bookOnTechnician(
      t,
      { ...base, jobTypeId: 'plumbing-drain-clog', address: { ...base.address, postalCode }, window: { date, start: '10:00' } },
      far.technicianId,
    );
    const at = new Date();
    for (const other of qualified.filter((x) => x.technicianId !== far.technicianId)) {
      const plan = {
        date,
        start: '10:00',
        end: '12:00',
        technicianId: other.technicianId,
        windowStarts: ['10:00'],
        techDayIndex: 1,
        jobTypeId: 'plumbing-drain-clog',
      };
      const outcome = await claimHold(
        {
          tenantId: t.tenantId,
          holdId: `hold-${ulid()}`,
          plan,
          emergency: false,
          source: 'api',
          createdAt: at.toISOString(),
          expiresAt: Math.floor(at.getTime() / 1000) + 900,
        },
        at,
      );
      expect(outcome).toBe('won');
    }
    const planned = await t.call('POST', `/v1/dispatch/plan?date=${date}`);
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    expect(planned.body.plan.assignments.find((a: { jobId: string }) => a.jobId === job.bookingId)?.technicianId).toBe(far.technicianId);
    expect(planned.body.changes).toEqual([]);
  });
});
