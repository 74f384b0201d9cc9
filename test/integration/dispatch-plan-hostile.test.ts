/**
 * Issue 21: the dispatch routes of the route planner under hostile input and a second tenant's key.
 * - POST /v1/dispatch/plan with values the OpenAPI document allows the caller to send wrong (time
 *   budget 0, negative, huge, not a number; dates that are no calendar date or far away; a company
 *   travel model that does not exist): 400 naming the field and why, never a 500 or a hang; a real
 *   date with no jobs is an empty plan.
 * - Another company's key on the board, the plan, the apply (POST /v1/dispatch/reassign), the
 *   company's route setting and a job's reschedule: it sees only its own day and can change nothing
 *   of the first company's (404 for the first company's jobs, as every other route answers).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, routePlumbingCompany, type TestTenant } from './helpers';

const NORTH = '78727';
const SOUTH = '78747';
const date = nextWeekday(1, 5); // a Monday
let owner: TestTenant;
let stranger: TestTenant;
const jobs: string[] = [];

beforeAll(async () => {
  [owner, stranger] = await Promise.all([
    routePlumbingCompany(['hx-a', 'hx-b'].map((id) => ({ id, name: `Hostile ${id.slice(-1).toUpperCase()}`, postalCodes: ['78701', NORTH, SOUTH] }))),
    createTestTenant(),
  ]);
  const { tenantId: _t, warnings: _w, ...settings } = (await owner.call('GET', '/v1/config/company')).body;
  const saved = await owner.call('PUT', '/v1/config/company', { ...settings, travelModel: 'route' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  // Two far-apart jobs in one window on one technician: a day the planner would change (one to each).
  for (const [i, postalCode] of [NORTH, SOUTH].entries()) {
    const base = bookingRequest({ jobTypeId: 'drain-30' });
    const booking = await bookOnTechnician(
      owner,
      {
        ...base,
        customer: { ...base.customer, phone: `(512) 555-${String(4200 + i).padStart(4, '0')}`, email: undefined },
        address: { ...base.address, postalCode },
        window: { date, start: '10:00' },
      },
      'hx-a',
    );
    jobs.push(booking.bookingId);
  }
}, 180_000);

/** A 400 naming `field` (a query parameter as `query.<name>`), with a reason in words, not a stack or a code. */
function expectRefused(answer: { status: number; body: any }, field: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error.field, JSON.stringify(answer.body)).toBe(field);
  expect(answer.body.error.message).toMatch(/[a-z]+ [a-z]+/);
  expect(answer.body.error.message).not.toMatch(/Error:|at .*\(|undefined|NaN$/);
}

describe('POST /v1/dispatch/plan refuses hostile input with the field and why', () => {
  it.each([
    ['0', 'zero'],
    ['-3', 'negative'],
    ['1e9', 'huge'],
    ['Infinity', 'infinite'],
    ['NaN', 'not a number'],
    ['ten', 'a word'],
    ['', 'empty'],
    ['1e400', 'overflowing'],
  ])('timeLimitSeconds=%s (%s): 400 timeLimitSeconds', async (value) => {
    expectRefused(await owner.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=${encodeURIComponent(value)}`), 'query.timeLimitSeconds');
  });

  it.each([
    ['2026-02-30', 'no such day'],
    ['2026-13-01', 'no such month'],
    ['2026-00-10', 'month zero'],
    ['0000-01-01', 'year zero'],
    ['9999-12-31', 'far away'],
    ['tomorrow', 'a word'],
    ['2026-1-5', 'not zero-padded'],
  ])('date=%s (%s): 400 date', async (value) => {
    expectRefused(await owner.call('POST', `/v1/dispatch/plan?date=${encodeURIComponent(value)}`), 'query.date');
  });

  it('maxHopMinutes and flexibleWindows out of their range: 400 naming each', async () => {
    expectRefused(await owner.call('POST', `/v1/dispatch/plan?date=${date}&maxHopMinutes=NaN`), 'query.maxHopMinutes');
    expectRefused(await owner.call('POST', `/v1/dispatch/plan?date=${date}&maxHopMinutes=100000`), 'query.maxHopMinutes');
    expectRefused(await owner.call('POST', `/v1/dispatch/plan?date=${date}&flexibleWindows=maybe`), 'query.flexibleWindows');
  });

  it('a date with no jobs is an empty plan, not an error', async () => {
    const empty = nextWeekday(1, 12);
    const plan = await owner.call('POST', `/v1/dispatch/plan?date=${empty}&timeLimitSeconds=1`);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toMatchObject({ date: empty, travelModel: 'route', changes: [], plan: { assignments: [] } });
    expect(plan.body.current.metrics).toMatchObject({ jobs: 0, driveMinutes: 0 });
  });

  it('a travel model that does not exist is refused on the company settings (400 travelModel); the model stays', async () => {
    const { tenantId: _t, warnings: _w, ...settings } = (await owner.call('GET', '/v1/config/company')).body;
    for (const travelModel of ['teleport', '', 42, null]) {
      expectRefused(await owner.call('PUT', '/v1/config/company', { ...settings, travelModel }), 'travelModel');
    }
    expect((await owner.call('GET', '/v1/config/company')).body.travelModel).toBe('route');
  });
});

describe("another company's key never sees or changes the first company's dispatch day", () => {
  it('board and plan: only its own day', async () => {
    const board = await stranger.call('GET', `/v1/dispatch/board?date=${date}`);
    expect(board.status, JSON.stringify(board.body)).toBe(200);
    const plan = await stranger.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=1`);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    for (const answer of [board.body, plan.body]) {
      const text = JSON.stringify(answer);
      for (const id of [...jobs, 'hx-a', 'hx-b']) expect(text).not.toContain(id);
    }
    // The owner's own board has both jobs.
    const own = await owner.call('GET', `/v1/dispatch/board?date=${date}`);
    expect(JSON.stringify(own.body)).toContain(jobs[0]!);
  });

  it("apply: the first company's jobs are not found (404), with or without its plan; its day is unchanged", async () => {
    const ownerBoard = async () => (await owner.call('GET', `/v1/dispatch/board?date=${date}`)).body;
    const before = await ownerBoard();
    const plan = await owner.call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=3`);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const moves = [{ jobId: jobs[1]!, technicianId: 'hx-b' }];
    const bare = await stranger.call('POST', '/v1/dispatch/reassign', { date, assignments: moves, reason: 'not mine' });
    expect(bare.status, JSON.stringify(bare.body)).toBe(404);
    expect(bare.body.error.field).toBe('assignments.0.jobId');
    const withPlan = await stranger.call('POST', '/v1/dispatch/reassign', {
      date,
      planId: plan.body.planId,
      boardVersion: plan.body.boardVersion,
      assignments: plan.body.changes.length ? plan.body.changes.map((c: { to: unknown }) => c.to) : moves,
    });
    expect([404, 409], JSON.stringify(withPlan.body)).toContain(withPlan.status);
    const reschedule = await stranger.call('POST', `/v1/bookings/${jobs[1]}/reschedule`, { window: { date, start: '12:00' } });
    expect(reschedule.status, JSON.stringify(reschedule.body)).toBe(404);
    const after = await ownerBoard();
    expect(after.version).toBe(before.version);
  });

  it("route setting: changing its own travel model leaves the first company's as it was", async () => {
    const { tenantId: _t, warnings: _w, ...settings } = (await stranger.call('GET', '/v1/config/company')).body;
    const saved = await stranger.call('PUT', '/v1/config/company', { ...settings, travelModel: 'buffer' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await owner.call('GET', '/v1/config/company')).body.travelModel).toBe('route');
  });
});
