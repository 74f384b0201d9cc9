/**
 * The booking spine through the public HTTP API against the real local services: DynamoDB Local,
 * the Step Functions endpoint running state-machines/booking.asl.json, and the HTTP API.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bookingRequest,
  callApi,
  createTestTenant,
  itemsWithPrefix,
  partitionItems,
  nextWeekday,
  waitForTrail,
  type TestTenant,
  isWindowClaim,
  storedClaims,
  tenantBookings,
} from './helpers';

const NODES_IN_ORDER = ['RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'WriteCrm', 'CommitSlot', 'ScheduleNotifications'];

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
});

const bookings = (t: TestTenant) => tenantBookings(t.tenantId);

describe('POST /v1/bookings', () => {
  it('books a confirmed job, writes customer, slot, CRM record and ledger, and answers with the booking', async () => {
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest(), { 'idempotency-key': 'first-booking' });
    expect(response.status).toBe(201);
    const booking = response.body;
    expect(booking).toMatchObject({
      status: 'confirmed',
      jobTypeId: 'plumbing-drain-clog',
      channel: 'voice',
      attribution: { source: 'google_ads', campaign: 'austin-drains-q4', gclid: 'EAIaIQobChMI-demo' },
    });
    expect(booking.bookingId).toMatch(/^[0-9A-Z]{26}$/);
    expect(booking.customerId).toBeTruthy();
    expect(booking.window).toMatchObject({ date: expect.any(String), start: expect.any(String), technicianId: expect.any(String) });
    expect(response.headers.get('location')).toBe(`/v1/bookings/${booking.bookingId}`);

    // The slot and the technician's daily-limit token are BOOKED for this booking, and nothing else is claimed.
    const claims = await storedClaims(tenant.tenantId);
    expect(
      claims
        .filter((c) => isWindowClaim(c) || c.kind === 'techDay')
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['counter', 'techDay']);
    expect(claims.every((c) => c.kind === 'counter' || c.kind === 'techDay')).toBe(true);
    for (const claim of claims) {
      expect(claim).toMatchObject({ status: 'BOOKED', bookingId: booking.bookingId, technicianId: booking.window.technicianId });
      expect(claim.expiresAt).toBeUndefined();
    }

    // The built-in CRM holds the job with mapped fields and the deal stage.
    const crm = await partitionItems(`T#${tenant.tenantId}#CRM`);
    const job = crm.find((item) => item.sk === `JOB#${booking.bookingId}`);
    expect(job).toMatchObject({
      dealStage: 'Booked',
      fields: { lead_source: 'google_ads', campaign: 'austin-drains-q4', customer_phone: '+15125550142', channel: 'voice' },
    });
    expect(job!.transcriptNote).toContain('customer: My kitchen sink is clogged');

    // The confirmation is a pending ledger row, due now.
    const ledger = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${booking.bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
    expect(ledger.map((row) => row.kind)).toContain('confirmation');
  });

  it('GET /v1/bookings/{id} returns the booking with a timeline of every node in order', async () => {
    const created = await tenant.call('POST', '/v1/bookings', bookingRequest({ channel: 'chat' }), { 'idempotency-key': 'timeline' });
    expect(created.status).toBe(201);
    const response = await tenant.call('GET', `/v1/bookings/${created.body.bookingId}`);
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('confirmed');
    // The booking workflow's own nodes, in order (the job trail adds its entries afterwards).
    expect(response.body.timeline.map((entry: { node: string }) => entry.node).filter((node: string) => NODES_IN_ORDER.includes(node))).toEqual(NODES_IN_ORDER);
    expect(response.body.timeline[0]).toMatchObject({ node: 'RecogniseCustomer', outcome: 'matched' });
  });

  it('recognises a returning caller by normalised phone and never creates a second customer', async () => {
    const fresh = await createTestTenant();
    const phone = '512-555-0199';
    const first = await fresh.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ana Diaz', phone } }));
    const second = await fresh.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ana Diaz', phone: '+1 (512) 555 0199' }, channel: 'web' }));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.customerId).toBe(first.body.customerId);
    const customers = await itemsWithPrefix(`T#${fresh.tenantId}#CUSTOMER#`);
    expect(customers).toHaveLength(1);
    const timeline = (await fresh.call('GET', `/v1/bookings/${second.body.bookingId}`)).body.timeline;
    expect(timeline[0]).toMatchObject({ node: 'RecogniseCustomer', outcome: 'matched' });
  });

  it('books the asked window, and rejects the same last slot for the next caller with alternatives', async () => {
    const fresh = await createTestTenant();
    // Water heaters in 78744 (south Austin): only tech-03 covers it, Tuesday to Saturday.
    const window = { date: nextWeekday(3), start: '10:00' };
    const request = (name: string, phone: string) =>
      bookingRequest({
        customer: { name, phone },
        address: { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' },
        jobTypeId: 'plumbing-water-heater-repair',
        window,
      });
    const won = await fresh.call('POST', '/v1/bookings', request('Pat Lee', '5125550111'));
    expect(won.status).toBe(201);
    expect(won.body.window).toEqual({ ...window, end: '12:00', technicianId: 'tech-03' });

    const lost = await fresh.call('POST', '/v1/bookings', request('Chris Moe', '5125550112'));
    expect(lost.status).toBe(409);
    expect(lost.body.error).toMatchObject({ code: 'window_unavailable', field: 'window' });
    expect(lost.body.booking).toMatchObject({ status: 'rejected', statusReason: 'window_unavailable' });
    expect(lost.body.alternatives.length).toBeGreaterThan(0);
    for (const alternative of lost.body.alternatives) {
      expect(`${alternative.date} ${alternative.start}`).not.toBe(`${window.date} ${window.start}`);
    }
  });

  it('gives one slot to exactly one of many concurrent callers (conditional claim)', async () => {
    const fresh = await createTestTenant();
    const window = { date: nextWeekday(4), start: '12:00' };
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fresh.call(
          'POST',
          '/v1/bookings',
          bookingRequest({
            customer: { name: `Caller ${i}`, phone: `512555${String(3000 + i)}` },
            address: { line1: `${100 + i} Slaughter Ln`, city: 'Austin', region: 'TX', postalCode: '78744' },
            jobTypeId: 'plumbing-water-heater-repair',
            window,
          }),
        ),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const claims = await storedClaims(fresh.tenantId);
    expect(claims.filter((c) => isWindowClaim(c) && c.date === window.date && c.start === window.start)).toHaveLength(1);
  });

  it('answers out_of_area with no workflow-made slot when no technician covers the postal code', async () => {
    const response = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        address: { line1: '1 Main St', city: 'Dallas', region: 'TX', postalCode: '75201' },
      }),
    );
    expect(response.status).toBe(409);
    expect(response.body.booking).toMatchObject({ status: 'rejected', statusReason: 'out_of_area' });
  });
});

describe('idempotency', () => {
  it('a replay with the same Idempotency-Key returns the first booking and writes nothing new', async () => {
    const fresh = await createTestTenant();
    const first = await fresh.call('POST', '/v1/bookings', bookingRequest(), { 'idempotency-key': 'replay-1' });
    await waitForTrail(first.body.bookingId); // the trail's own writes are not the replay's
    const before = await itemsWithPrefix(`T#${fresh.tenantId}#`);
    const replay = await fresh.call('POST', '/v1/bookings', bookingRequest(), { 'idempotency-key': 'replay-1' });
    expect(replay.status).toBe(first.status);
    expect(replay.body).toEqual(first.body);
    const after = await itemsWithPrefix(`T#${fresh.tenantId}#`);
    expect(after.length).toBe(before.length);
  });

  it('the same body replayed without a key is recognised as the same request', async () => {
    const fresh = await createTestTenant();
    const body = bookingRequest({ notes: 'no key sent' });
    const first = await fresh.call('POST', '/v1/bookings', body);
    const replay = await fresh.call('POST', '/v1/bookings', body);
    expect(replay.body.bookingId).toBe(first.body.bookingId);
    expect(await bookings(fresh)).toHaveLength(1);
  });

  it('the same key with a different body is 422 and books nothing', async () => {
    const fresh = await createTestTenant();
    await fresh.call('POST', '/v1/bookings', bookingRequest(), { 'idempotency-key': 'reused' });
    const response = await fresh.call('POST', '/v1/bookings', bookingRequest({ notes: 'something else' }), { 'idempotency-key': 'reused' });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
    expect(await bookings(fresh)).toHaveLength(1);
  });
});

describe('bad input, auth and tenancy', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a missing customer name', bookingRequest({ customer: { phone: '5125550100' } }), 'customer.name'],
    ['a missing postal code', bookingRequest({ address: { line1: 'x', city: 'Austin', region: 'TX' } }), 'address.postalCode'],
    ['an unknown channel', bookingRequest({ channel: 'fax' }), 'channel'],
    ['a malformed window date', bookingRequest({ window: { date: '12/01/2026', start: '10:00' } }), 'window.date'],
    ['a window start that is not an arrival window', bookingRequest({ window: { date: nextWeekday(2), start: '09:00' } }), 'window.start'],
    ['an unknown job type', bookingRequest({ jobTypeId: 'roofing' }), 'jobTypeId'],
    ['a phone that is not a phone number', bookingRequest({ customer: { name: 'A B', phone: '12345678' } }), 'customer.phone'],
  ];

  it.each(cases)('400 for %s, naming the field, and no booking started', async (_label, body, field) => {
    const fresh = await createTestTenant();
    const response = await fresh.call('POST', '/v1/bookings', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_request', field });
    expect(response.body.error.message).toEqual(expect.any(String));
    expect(await bookings(fresh)).toHaveLength(0);
  });

  it('400 for a body that is not JSON', async () => {
    const response = await callApi('POST', '/v1/bookings', { rawBody: '{"customer":', headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_json', field: 'body' });
  });

  it('401 with no key, a malformed key or an unknown key, with one message for all', async () => {
    const noKey = await callApi('POST', '/v1/bookings', { body: bookingRequest() });
    const malformed = await callApi('GET', '/v1/review-items', { headers: { authorization: 'Bearer nope' } });
    const unknown = await callApi('GET', '/v1/bookings/01ABC', { headers: { authorization: 'Bearer jr_thisKeyDoesNotExist123456' } });
    for (const response of [noKey, malformed, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    }
    expect(new Set([noKey, malformed, unknown].map((r) => r.body.error.message)).size).toBe(1);
  });

  it("404 for another tenant's booking id", async () => {
    const mine = await tenant.call('POST', '/v1/bookings', bookingRequest({ notes: 'tenancy' }));
    expect(mine.status).toBe(201);
    const theirs = await other.call('GET', `/v1/bookings/${mine.body.bookingId}`);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('not_found');
  });

  it('404 with the error shape for an unknown route', async () => {
    const response = await tenant.call('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});
