/**
 * Issue 21: a bot that checks availability before moving a booked job (GET /v1/availability, the
 * agent's check_availability) names the job (`bookingId`): the job's own place (its window, route
 * stop and daily tokens) counts as given back, as the reschedule that takes one of the windows counts
 * it. Without it, a job whose day is at a daily limit is told its own day is full. The job type and
 * postal code default to the booking's; another tenant's booking is unknown (400 on the field).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { putJobType } from '../../functions/tenant/store';
import { demoJobTypes } from '../../local/demo';
import { mcpCallTool, mcpClient } from './agent-helpers';
import { bookingRequest, bookOnTechnician, createTestTenant, nextWeekday, type TestTenant } from './helpers';

const DRAINS = 'plumbing-drain-clog';

function book(tenant: TestTenant, date: string, start: string, phone: string) {
  const base = bookingRequest();
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } });
}

let tenant: TestTenant;
let date: string;
let second: Record<string, any>;
let postalCode: string;

beforeAll(async () => {
  tenant = await createTestTenant();
  // Two drain jobs a day: the day is full for drains once two are booked.
  await putJobType(tenant.tenantId, { ...demoJobTypes.find((j) => j.jobTypeId === DRAINS)!, dailyCap: 2 });
  date = nextWeekday(3, 3);
  await book(tenant, date, '08:00', '(512) 555-0261');
  second = await book(tenant, date, '10:00', '(512) 555-0262');
  postalCode = bookingRequest().address.postalCode;
}, 300_000);

const starts = (windows: Array<{ date: string; start: string }>) => windows.filter((w) => w.date === date).map((w) => w.start);

describe('GET /v1/availability?bookingId= (the windows a booked job could move to)', () => {
  it("shows the job's own full day open for it, never the window it is in, and the move takes one", async () => {
    const full = await tenant.call('GET', `/v1/availability?jobTypeId=${DRAINS}&postalCode=${postalCode}&from=${date}&to=${date}`);
    expect(full.status, JSON.stringify(full.body)).toBe(200);
    expect(full.body).toMatchObject({ windows: [], reason: 'fully_booked' });

    const forMove = await tenant.call('GET', `/v1/availability?bookingId=${second.bookingId}&from=${date}&to=${date}`);
    expect(forMove.status, JSON.stringify(forMove.body)).toBe(200);
    expect(forMove.body).toMatchObject({ jobTypeId: DRAINS, postalCode });
    const open = starts(forMove.body.windows);
    expect(open).toContain('14:00');
    // Where the job already is: with its place given back it would look open; offering it is pointless.
    expect(open).not.toContain('10:00');

    // The same with the job type and postal code named.
    const named = await tenant.call(
      'GET',
      `/v1/availability?jobTypeId=${DRAINS}&postalCode=${postalCode}&bookingId=${second.bookingId}&from=${date}&to=${date}`,
    );
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    expect(starts(named.body.windows)).toEqual(open);

    // What it showed is what the move gets.
    const moved = await tenant.call('POST', `/v1/bookings/${second.bookingId}/reschedule`, { window: { date, start: '14:00' }, reason: 'an offered window' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.window).toMatchObject({ date, start: '14:00' });
  }, 300_000);

  it("refuses another job type, another postal code, and another tenant's booking (400 naming the field)", async () => {
    const otherType = await tenant.call('GET', `/v1/availability?jobTypeId=hvac-maintenance&postalCode=${postalCode}&bookingId=${second.bookingId}`);
    expect(otherType.status, JSON.stringify(otherType.body)).toBe(400);
    expect(otherType.body.error).toMatchObject({ code: 'invalid_request', field: 'query.jobTypeId' });
    const otherPlace = await tenant.call('GET', `/v1/availability?jobTypeId=${DRAINS}&postalCode=78747&bookingId=${second.bookingId}`);
    expect(otherPlace.status, JSON.stringify(otherPlace.body)).toBe(400);
    expect(otherPlace.body.error).toMatchObject({ code: 'invalid_request', field: 'query.postalCode' });

    const stranger = await createTestTenant();
    const theirs = await stranger.call('GET', `/v1/availability?bookingId=${second.bookingId}`);
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(400);
    expect(theirs.body.error).toMatchObject({ code: 'invalid_request', field: 'query.bookingId' });
    expect(JSON.stringify(theirs.body)).not.toContain(postalCode);

    // Neither a booking nor a job type: the job type is asked for.
    const nothing = await tenant.call('GET', `/v1/availability?postalCode=${postalCode}`);
    expect(nothing.status, JSON.stringify(nothing.body)).toBe(400);
    expect(nothing.body.error).toMatchObject({ field: 'query.jobTypeId' });
  }, 300_000);

  it('the agent passes bookingId through check_availability (MCP)', async () => {
    const client = await mcpClient(tenant.apiKey);
    try {
      const answer = await mcpCallTool(client)('check_availability', { bookingId: second.bookingId, from: date, to: date });
      expect(answer.isError, answer.text).toBe(false);
      expect(answer.data).toMatchObject({ jobTypeId: DRAINS });
      expect(starts(answer.data.windows).length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }, 300_000);
});
