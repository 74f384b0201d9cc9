/**
 * Booking correctness (issue 15, item 3 and "booking correctness"), through the public API against
 * the real local services: one job per need (`duplicateOf` / `allowDuplicate`), the booking horizon,
 * and saying explicitly when nothing was reserved.
 */
import { describe, expect, it } from 'vitest';
import { listOutbox } from '../../functions/notify/store';
import { bookingRequest, createTestTenant, nextWeekday, tenantBookings, type TestTenant, storedClaims } from './helpers';
import { deliverDue } from './lifecycle-helpers';

/** A booking request WITHOUT the helper's `allowDuplicate` (these tests are about repeats). */
function needRequest(overrides: Record<string, unknown> = {}): any {
  const { allowDuplicate: _ignored, ...body } = bookingRequest();
  return { ...body, ...overrides };
}

/**
 * A first booking: 201, or on this shared machine sometimes 202 (the route's time budget ran out
 * while the run goes on): then wait until the booking has settled.
 */
async function firstBooking(tenant: TestTenant, body: unknown, headers: Record<string, string> = {}) {
  const response = await tenant.call('POST', '/v1/bookings', body, headers);
  expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
  if (response.status === 202) {
    await expect
      .poll(async () => (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body.status, { timeout: 60_000, interval: 500 })
      .not.toBe('received');
  }
  return response;
}

const bookingRecords = (tenant: TestTenant) => tenantBookings(tenant.tenantId);

describe('one job per need', { timeout: 150_000 }, () => {
  it('a new Idempotency-Key with the same need answers 200 with the first booking and duplicateOf; nothing more is booked', async () => {
    const tenant = await createTestTenant();
    const first = await firstBooking(tenant, needRequest(), { 'idempotency-key': 'need-1' });
    const slotsBefore = await storedClaims(tenant.tenantId);

    // The customer calls back (another channel, other words, a new key): the same need.
    const again = await tenant.call('POST', '/v1/bookings', needRequest({ channel: 'chat', notes: 'calling again about the sink' }), {
      'idempotency-key': 'need-2',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ bookingId: first.body.bookingId, duplicateOf: first.body.bookingId, status: 'confirmed', reserved: true });
    expect(await bookingRecords(tenant)).toHaveLength(1);
    expect(await storedClaims(tenant.tenantId)).toHaveLength(slotsBefore.length);

    // A replay of the repeat's key gets the same answer.
    const replay = await tenant.call('POST', '/v1/bookings', needRequest({ channel: 'chat', notes: 'calling again about the sink' }), {
      'idempotency-key': 'need-2',
    });
    expect(replay.status).toBe(200);
    expect(replay.body.duplicateOf).toBe(first.body.bookingId);

    // The first booking's page shows the repeat request.
    const activity = await tenant.call('GET', `/v1/bookings/${first.body.bookingId}`);
    expect(activity.body.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ node: 'DuplicateCheck', outcome: 'repeat_request' })]));
  });

  it('the same service address from a new phone is the same need', async () => {
    const tenant = await createTestTenant();
    const first = await firstBooking(tenant, needRequest());
    const again = await tenant.call('POST', '/v1/bookings', needRequest({ customer: { name: 'Jordan Rivera', phone: '(512) 555-0777' } }));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.duplicateOf).toBe(first.body.bookingId);
  });

  it('a different need (another trade) books; allowDuplicate: true books a second job', async () => {
    const tenant = await createTestTenant();
    const first = await firstBooking(tenant, needRequest());
    const hvac = await tenant.call('POST', '/v1/bookings', needRequest({ jobTypeId: 'hvac-ac-repair' }));
    expect(hvac.status, JSON.stringify(hvac.body)).toBe(201);
    expect(hvac.body.duplicateOf).toBeUndefined();
    expect(hvac.body.bookingId).not.toBe(first.body.bookingId);

    const second = await tenant.call('POST', '/v1/bookings', needRequest({ allowDuplicate: true, notes: 'the bathroom sink too' }));
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.bookingId).not.toBe(first.body.bookingId);
    expect(await bookingRecords(tenant)).toHaveLength(3);
  });

  it('a cancelled booking no longer stands for its need: the same request books again', async () => {
    const tenant = await createTestTenant();
    const first = await firstBooking(tenant, needRequest(), { 'idempotency-key': 'before-cancel' });
    expect((await tenant.call('POST', `/v1/bookings/${first.body.bookingId}/cancel`, { reason: 'customer fixed it' })).status).toBe(200);
    const again = await tenant.call('POST', '/v1/bookings', needRequest(), { 'idempotency-key': 'after-cancel' });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.bookingId).not.toBe(first.body.bookingId);
  });

  it('two concurrent requests for one need with different keys book once', async () => {
    const tenant = await createTestTenant();
    const answers = await Promise.all(
      ['race-a', 'race-b', 'race-c'].map((key, i) => tenant.call('POST', '/v1/bookings', needRequest({ notes: `attempt ${i}` }), { 'idempotency-key': key })),
    );
    const created = answers.filter((a) => a.status === 201);
    const repeats = answers.filter((a) => a.status === 200);
    expect(created, JSON.stringify(answers.map((a) => [a.status, a.body]))).toHaveLength(1);
    expect(repeats).toHaveLength(2);
    for (const repeat of repeats) expect(repeat.body.duplicateOf).toBe(created[0]!.body.bookingId);
    expect(await bookingRecords(tenant)).toHaveLength(1);
  });
});

describe('booking horizon', { timeout: 150_000 }, () => {
  const farDate = () => {
    const date = new Date(Date.now() + 105 * 86_400_000);
    return date.toISOString().slice(0, 10);
  };

  it('availability, holds and bookings beyond the horizon (default 14 days) are a 400 naming the field and the horizon', async () => {
    const tenant = await createTestTenant();
    const date = farDate();
    const availability = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&from=${date}&to=${date}`);
    expect(availability.status, JSON.stringify(availability.body)).toBe(400);
    expect(availability.body.error).toMatchObject({ field: 'query.to' });
    expect(availability.body.error.message).toContain('14 days');

    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-drain-clog', postalCode: '78701', window: { date, start: '08:00' } });
    expect(hold.status, JSON.stringify(hold.body)).toBe(400);
    expect(hold.body.error).toMatchObject({ field: 'window.date' });
    expect(hold.body.error.message).toContain('14 days');

    const booking = await tenant.call('POST', '/v1/bookings', needRequest({ window: { date, start: '08:00' } }));
    expect(booking.status, JSON.stringify(booking.body)).toBe(400);
    expect(booking.body.error).toMatchObject({ field: 'window.date' });
    expect(booking.body.error.message).toContain('14 days');
    expect(await bookingRecords(tenant)).toHaveLength(0);

    // Within the horizon all three still work.
    const near = nextWeekday(3, 2);
    expect((await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&from=${near}&to=${near}`)).status).toBe(200);
  });
});

describe('409 alternatives', { timeout: 150_000 }, () => {
  it('start near the asked window (same day first, then neighbouring days), not from now', async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(4, 6);
    // The FSM's jobs take every drain technician for 78701 at 10:00 that day (fresh data).
    const jobs = ['tech-01', 'tech-02', 'tech-06'].map((technicianId, i) => ({ externalId: `st-${i}`, technicianId, date, start: '10:00' }));
    expect((await tenant.call('POST', '/v1/schedule/sync', { jobs })).status).toBe(200);

    const refused = await tenant.call('POST', '/v1/bookings', needRequest({ window: { date, start: '10:00' } }));
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    const alternatives: Array<{ date: string; start: string }> = refused.body.alternatives;
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives[0]).toMatchObject({ date });
    expect(['08:00', '12:00']).toContain(alternatives[0]!.start);
    const dayMs = 86_400_000;
    for (const w of alternatives) expect(Math.abs(Date.parse(w.date) - Date.parse(date))).toBeLessThanOrEqual(dayMs);

    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-drain-clog', postalCode: '78701', window: { date, start: '10:00' } });
    expect(hold.status, JSON.stringify(hold.body)).toBe(409);
    expect(hold.body.alternatives[0]).toMatchObject({ date });
  });
});

describe('nothing reserved', { timeout: 150_000 }, () => {
  it('a stale schedule with the asked window full answers 201 with reserved: false, the reason and the words to say', async () => {
    const tenant = await createTestTenant({ scheduleSource: { mode: 'external', staleAfterMinutes: 60 } });
    const date = nextWeekday(3, 3);
    // The FSM says every drain technician for 78701 is busy at 10:00 (and the data is two hours old).
    const jobs = ['tech-01', 'tech-02', 'tech-06'].map((technicianId, i) => ({ externalId: `st-${i}`, technicianId, date, start: '10:00' }));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    expect((await tenant.call('POST', '/v1/schedule/sync', { syncedAt: twoHoursAgo, jobs })).status).toBe(200);

    const response = await tenant.call('POST', '/v1/bookings', needRequest({ window: { date, start: '10:00' } }));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ window: null, reserved: false, reservedReason: 'schedule_stale' });
    expect(response.body.note).toMatch(/nothing (is|was) reserved/i);
    const read = await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`);
    expect(read.body).toMatchObject({ reserved: false, reservedReason: 'schedule_stale' });
  });
});

describe('a returning customer', { timeout: 150_000 }, () => {
  it('a new phone and email given on a booking are kept: the confirmation goes to the new number and a lookup by it finds them', async () => {
    const tenant = await createTestTenant();
    const first = await firstBooking(tenant, needRequest({ customer: { name: 'Ana Diaz', phone: '(512) 555-0301' } }));
    // Months later (another trade, so not a repeat): same name and address, a new phone and an email.
    const second = await tenant.call(
      'POST',
      '/v1/bookings',
      needRequest({ customer: { name: 'Ana Diaz', phone: '(512) 555-0302', email: 'ana.new@example.com' }, jobTypeId: 'hvac-ac-repair' }),
    );
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.customerId).toBe(first.body.customerId);

    const byNew = await tenant.call('POST', '/v1/customers/lookup', { phone: '512-555-0302' });
    expect(byNew.status).toBe(200);
    expect(byNew.body).toMatchObject({
      match: 'matched',
      customer: { customerId: first.body.customerId, phone: '+15125550302', email: 'ana.new@example.com' },
    });
    const byOld = await tenant.call('POST', '/v1/customers/lookup', { phone: '512-555-0301' });
    expect(byOld.body).toMatchObject({ match: 'matched', customer: { customerId: first.body.customerId } });

    await expect
      .poll(
        async () => {
          await deliverDue();
          return (await listOutbox(tenant.tenantId)).filter((m) => m.bookingId === second.body.bookingId && m.kind === 'confirmation');
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual([expect.objectContaining({ channel: 'sms', to: '+15125550302' })]);
  });

  it('names that differ by a digit are different people: "P 0" is not "P 1"', async () => {
    const tenant = await createTestTenant();
    const first = await tenant.call('POST', '/v1/bookings', needRequest({ customer: { name: 'P 0', phone: '(512) 555-0311' } }));
    const second = await tenant.call('POST', '/v1/bookings', needRequest({ customer: { name: 'P 1', phone: '(512) 555-0312' }, jobTypeId: 'hvac-ac-repair' }));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.customerId).not.toBe(first.body.customerId);
  });
});
