/**
 * The capacity engine through the public API against DynamoDB Local: honest availability, holds
 * that expire by themselves, commits of exactly the caller's hold, and no double booking under
 * storms of concurrent holds and bookings (slot capacity and a technician's daily limit).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { capacityKeys, counterEntryName, isCounterKey } from '../../functions/capacity/store';
import { documentClient } from '../../functions/shared/clients';
import { issueApiKey } from '../../functions/admin/store';
import { EMERGENCY_DEFAULTS } from '../../functions/emergency/settings';
import { bookingRequest, createTestTenant, itemsWithPrefix, partitionItems, nextWeekday, type TestTenant, isWindowClaim, storedClaims } from './helpers';

const stormShift = { start: '08:00', end: '17:00' };
const everyDay = { mon: stormShift, tue: stormShift, wed: stormShift, thu: stormShift, fri: stormShift, sat: stormShift, sun: stormShift };

/** A tenant whose only technicians for `storm-job` in 78999 are the given ones. */
async function stormTenant(technicians: Array<{ id: string; dailyJobLimit?: number }>): Promise<TestTenant> {
  const tenant = await createTestTenant();
  for (const t of technicians) {
    const put = await tenant.call('PUT', `/v1/config/technicians/${t.id}`, {
      name: `Storm ${t.id}`,
      trades: ['plumbing'],
      skills: ['storm'],
      postalCodes: ['78999'],
      shifts: everyDay,
      ...(t.dailyJobLimit ? { dailyJobLimit: t.dailyJobLimit } : {}),
    });
    expect(put.status).toBe(200);
  }
  const jobType = await tenant.call('PUT', '/v1/config/job-types/storm-job', { name: 'Storm job', trade: 'plumbing', requiredSkills: ['storm'] });
  expect(jobType.status).toBe(200);
  return tenant;
}

const stormAddress = (i: number) => ({ line1: `${i} Storm Rd`, city: 'Austin', region: 'TX', postalCode: '78999' });
const stormBooking = (i: number, window: { date: string; start: string }) =>
  bookingRequest({ customer: { name: `Storm Caller ${i}`, phone: `512555${String(4000 + i)}` }, address: stormAddress(i), jobTypeId: 'storm-job', window });

/** Moves a hold's expiry into the past, as if its minutes ran out. */
async function expireHold(tenantId: string, holdId: string): Promise<void> {
  const past = Math.floor(Date.now() / 1000) - 5;
  const hold = (await itemsWithPrefix(`T#${tenantId}#HOLD#${holdId}`))[0]!;
  for (const key of [capacityKeys.hold(tenantId, holdId), ...hold.keys]) {
    // A claim on a minute counter keeps its expiry in its own attribute (`claim:<holdId>`).
    const counter = isCounterKey(key.sk);
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: key,
        UpdateExpression: counter ? 'SET #claim.expiresAt = :past' : 'SET expiresAt = :past',
        ...(counter ? { ExpressionAttributeNames: { '#claim': counterEntryName(holdId) } } : {}),
        ExpressionAttributeValues: { ':past': past },
      }),
    );
  }
}

describe('GET /v1/availability', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant();
  });

  it('offers windows with their capacity, only on days a qualified technician covering the area works', async () => {
    const wednesday = nextWeekday(3);
    const response = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${wednesday}&to=${wednesday}`);
    expect(response.status).toBe(200);
    // Only tech-03 (Tue-Sat) fixes water heaters in 78744.
    expect(response.body.windows).toEqual([
      { date: wednesday, start: '08:00', end: '10:00', afterHours: false, capacity: 1 },
      { date: wednesday, start: '10:00', end: '12:00', afterHours: false, capacity: 1 },
      { date: wednesday, start: '12:00', end: '14:00', afterHours: false, capacity: 1 },
      { date: wednesday, start: '14:00', end: '16:00', afterHours: false, capacity: 1 },
    ]);
    const monday = nextWeekday(1);
    const closed = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${monday}&to=${monday}`);
    expect(closed.body.windows).toEqual([]);
    expect(closed.body.reason).toBe('fully_booked');
    expect(closed.body.nextAvailable.length).toBeGreaterThan(0);
  });

  it('says why when nothing can ever be offered', async () => {
    const outOfArea = await tenant.call('GET', '/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=75201');
    expect(outOfArea.body).toMatchObject({ windows: [], reason: 'out_of_area' });
    const noSkill = await tenant.call('GET', '/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78759');
    expect(noSkill.body).toMatchObject({ windows: [], reason: 'no_qualified_technician' });
  });

  it.each([
    ['/v1/availability?postalCode=78701', 'query.jobTypeId'],
    ['/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&from=2026-12-01', 'query.to'],
    ['/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&from=2026-12-01&to=2027-02-01', 'query.to'],
    ['/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&emergency=maybe', 'query.emergency'],
    ['/v1/availability?jobTypeId=nope&postalCode=78701', 'query.jobTypeId'],
  ])('400 for %s naming %s', async (path, field) => {
    const response = await tenant.call('GET', path);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
  });
});

describe('holds', () => {
  it('a held window is offered to nobody else; releasing it offers it again', async () => {
    const tenant = await createTestTenant();
    const window = { date: nextWeekday(4), start: '10:00' };
    const query = `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${window.date}&to=${window.date}`;
    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ status: 'HELD', window: { ...window, end: '12:00', technicianId: 'tech-03' } });
    const minutes = (Date.parse(hold.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9);
    expect(minutes).toBeLessThanOrEqual(10);

    const during = await tenant.call('GET', query);
    expect(during.body.windows.map((w: { start: string }) => w.start)).not.toContain('10:00');
    const second = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window });
    expect(second.status).toBe(409);
    expect(second.body.alternatives.length).toBeGreaterThan(0);

    const released = await tenant.call('DELETE', `/v1/holds/${hold.body.holdId}`);
    expect(released.body).toEqual({ holdId: hold.body.holdId, status: 'RELEASED' });
    const after = await tenant.call('GET', query);
    expect(after.body.windows.map((w: { start: string }) => w.start)).toContain('10:00');
    expect((await tenant.call('DELETE', '/v1/holds/hold-unknown')).status).toBe(404);
  });

  it('an expired hold frees itself with no job running', async () => {
    const tenant = await createTestTenant();
    const window = { date: nextWeekday(5), start: '12:00' };
    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window });
    expect(hold.status).toBe(201);
    await expireHold(tenant.tenantId, hold.body.holdId);
    const availability = await tenant.call(
      'GET',
      `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${window.date}&to=${window.date}`,
    );
    expect(availability.body.windows.map((w: { start: string }) => w.start)).toContain('12:00');
    expect((await tenant.call('GET', `/v1/holds/${hold.body.holdId}`)).body.status).toBe('RELEASED');
    const next = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window });
    expect(next.status).toBe(201);
  });

  it('a booking with holdId commits exactly that hold; an expired or unknown hold is 409 with alternatives', async () => {
    const tenant = await createTestTenant();
    const window = { date: nextWeekday(6), start: '08:00' };
    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-water-heater-repair', postalCode: '78744', window });
    const address = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address, holdId: hold.body.holdId }));
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'confirmed', window: hold.body.window });
    expect((await tenant.call('GET', `/v1/holds/${hold.body.holdId}`)).body.status).toBe('BOOKED');
    expect((await tenant.call('DELETE', `/v1/holds/${hold.body.holdId}`)).status).toBe(409);

    const stale = await tenant.call('POST', '/v1/holds', {
      jobTypeId: 'plumbing-water-heater-repair',
      postalCode: '78744',
      window: { ...window, start: '10:00' },
    });
    await expireHold(tenant.tenantId, stale.body.holdId);
    for (const holdId of [stale.body.holdId, 'hold-never-existed']) {
      const rejected = await tenant.call('POST', '/v1/bookings', bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address, holdId, notes: holdId }));
      expect(rejected.status).toBe(409);
      expect(rejected.body.booking.statusReason).toBe(holdId === 'hold-never-existed' ? 'hold_unknown' : 'hold_expired');
      expect(rejected.body.alternatives.length).toBeGreaterThan(0);
    }
  });
});

describe('no double booking under load', () => {
  it('50 concurrent holds and bookings at a window with capacity 3: exactly 3 win, and 3 claims exist', async () => {
    const tenant = await stormTenant([{ id: 'storm-a' }, { id: 'storm-b' }, { id: 'storm-c' }]);
    const window = { date: nextWeekday(2, 3), start: '10:00' };
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2
          ? tenant.call('POST', '/v1/bookings', stormBooking(i, window))
          : tenant.call('POST', '/v1/holds', { jobTypeId: 'storm-job', postalCode: '78999', window }),
      ),
    );
    const won = responses.filter((r) => r.status === 201);
    const lost = responses.filter((r) => r.status === 409);
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(47);
    for (const r of lost) expect(r.body.error.code).toBe('window_unavailable');
    expect(lost.some((r) => (r.body.alternatives ?? []).length > 0)).toBe(true);
    expect(new Set(won.map((r) => r.body.window.technicianId)).size).toBe(3);

    const slots = (await storedClaims(tenant.tenantId)).filter((c) => isWindowClaim(c) && c.date === window.date && c.start === window.start);
    expect(slots).toHaveLength(3);
  });

  it("a technician's daily limit holds under 30 concurrent bookings across the day", async () => {
    const tenant = await stormTenant([{ id: 'solo', dailyJobLimit: 2 }]);
    const date = nextWeekday(3, 3);
    const starts = ['08:00', '10:00', '12:00', '14:00'];
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => tenant.call('POST', '/v1/bookings', stormBooking(100 + i, { date, start: starts[i % 4]! }))),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(2);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(28);
    const claims = (await storedClaims(tenant.tenantId)).filter((c) => c.date === date);
    expect(claims.filter(isWindowClaim)).toHaveLength(2);
    expect(
      claims
        .filter((c) => c.kind === 'techDay')
        .map((c) => c.index)
        .sort(),
    ).toEqual([1, 2]);
  });
});

describe('emergencies', () => {
  it('an emergency job type books same-day or on-call capacity and alerts the on-call technicians', async () => {
    const tenant = await createTestTenant();
    const response = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({ jobTypeId: 'hvac-no-heat', address: { line1: '2 Oak St', city: 'Austin', region: 'TX', postalCode: '78701' } }),
    );
    expect(response.status).toBe(201);
    // With no window within the tenant's longest wait (emergency.maxWaitMinutes) it is dispatched now instead
    // (test/integration/emergency.test.ts); this test covers the case where a window is near.
    if (response.body.status === 'dispatching') return;
    expect(response.body.status).toBe('confirmed');
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    expect([today, tomorrow]).toContain(response.body.window.date);
    const ledger = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${response.body.bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
    expect(ledger.filter((row) => row.kind === 'oncall_alert').length).toBeGreaterThan(0);
  });

  it('a standard job that turns out to be an emergency takes the emergency path and keeps what was collected', async () => {
    // Waiting up to a day for the first window: this is the booked path (dispatch-now is test/integration/emergency.test.ts).
    const tenant = await createTestTenant({ emergency: { ...EMERGENCY_DEFAULTS, maxWaitMinutes: 24 * 60 } });
    const request = bookingRequest({ jobTypeId: 'plumbing-leak-repair', emergency: true, notes: 'water coming through the ceiling' });
    const response = await tenant.call('POST', '/v1/bookings', request);
    expect(response.status).toBe(201);
    const booking = await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`);
    expect(booking.body.timeline.find((e: { node: string }) => e.node === 'CheckCapacity').detail.emergency).toBe(true);
    expect(booking.body.attribution).toEqual(request.attribution);
    const crm = (await partitionItems(`T#${tenant.tenantId}#CRM`)).find((i) => i.sk === `JOB#${response.body.bookingId}`);
    expect(crm?.transcriptNote).toContain('kitchen sink');
  });
});

describe('stale schedule data', () => {
  it('books as pending_confirmation, opens stale_capacity, never tells the customer "confirmed"; dispatch confirms once', async () => {
    const tenant = await createTestTenant({ scheduleSource: { mode: 'external', staleAfterMinutes: 60 } });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    expect((await tenant.call('POST', '/v1/schedule/sync', { syncedAt: twoHoursAgo, jobs: [] })).status).toBe(200);

    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'pending_confirmation', statusReason: 'schedule_stale' });
    const review = await tenant.call('GET', '/v1/review-items?kind=stale_capacity');
    expect(review.body.items).toHaveLength(1);
    const rows = async () =>
      (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${response.body.bookingId}`))
        .filter((i) => i.sk.startsWith('NOTIFY#'))
        .map((r) => r.kind)
        .sort();
    expect(await rows()).toEqual(['request_received']);
    // It kept its claim while it waits.
    const slots = (await storedClaims(tenant.tenantId)).filter(isWindowClaim);
    expect(slots).toMatchObject([{ status: 'BOOKED', bookingId: response.body.bookingId }]);

    // Five dispatchers click confirm at once: one wins, the rest are told it changed.
    const confirms = await Promise.all(Array.from({ length: 5 }, () => tenant.call('POST', `/v1/bookings/${response.body.bookingId}/confirm`)));
    expect(confirms.filter((r) => r.status === 200)).toHaveLength(1);
    expect(confirms.filter((r) => r.status === 409)).toHaveLength(4);
    expect(await rows()).toContain('confirmation');

    // A fresh sync makes the next booking confirmed straight away.
    await tenant.call('POST', '/v1/schedule/sync', { jobs: [] });
    const fresh = await tenant.call('POST', '/v1/bookings', bookingRequest({ notes: 'after sync' }));
    expect(fresh.body.status).toBe('confirmed');
  });
});

describe('POST /v1/schedule/sync', () => {
  it("the FSM's existing jobs consume capacity; re-sending is a no-op; collisions are reported", async () => {
    const tenant = await createTestTenant();
    const date = nextWeekday(4, 3);
    const job = { externalId: 'st-1001', technicianId: 'tech-03', date, start: '10:00' };
    const first = await tenant.call('POST', '/v1/schedule/sync', { jobs: [job] });
    expect(first.body).toMatchObject({ synced: 1, unchanged: 0, conflicts: [] });
    const availability = await tenant.call('GET', `/v1/availability?jobTypeId=plumbing-water-heater-repair&postalCode=78744&from=${date}&to=${date}`);
    expect(availability.body.windows.map((w: { start: string }) => w.start)).toEqual(['08:00', '12:00', '14:00']);
    const again = await tenant.call('POST', '/v1/schedule/sync', {
      jobs: [job, { ...job, externalId: 'st-1002' }, { ...job, externalId: 'st-1003', start: '09:30' }],
    });
    expect(again.body.synced).toBe(0);
    expect(again.body.unchanged).toBe(1);
    expect(again.body.conflicts.map((c: { externalId: string }) => c.externalId)).toEqual(['st-1002', 'st-1003']);
  });
});

describe('configuration API', () => {
  it('validates company settings and names the field', async () => {
    const tenant = await createTestTenant();
    const current = (await tenant.call('GET', '/v1/config/company')).body;
    const { tenantId: _t, ...settings } = current;
    const badZone = await tenant.call('PUT', '/v1/config/company', { ...settings, timeZone: 'Mars/Olympus' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.field).toBe('timeZone');
    const overlap = await tenant.call('PUT', '/v1/config/company', {
      ...settings,
      arrivalWindows: [
        { start: '08:00', end: '11:00' },
        { start: '10:00', end: '12:00' },
      ],
    });
    expect(overlap.body.error.field).toBe('arrivalWindows.1.start');
    const ok = await tenant.call('PUT', '/v1/config/company', { ...settings, holdMinutes: 5 });
    expect(ok.status).toBe(200);
    const hold = await tenant.call('POST', '/v1/holds', { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' });
    expect((Date.parse(hold.body.expiresAt) - Date.now()) / 60_000).toBeLessThanOrEqual(5);
  });

  it('technicians and job types: put, list, delete; tenant-scoped; admin scope required', async () => {
    const [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
    const put = await tenant.call('PUT', '/v1/config/technicians/tech-new', {
      name: 'New Tech',
      trades: ['hvac'],
      postalCodes: ['78701'],
      shifts: { mon: { start: '09:00', end: '08:00' } },
    });
    expect(put.status).toBe(400);
    expect(put.body.error.field).toBe('shifts.mon.end');
    expect(
      (
        await tenant.call('PUT', '/v1/config/technicians/tech-new', {
          name: 'New Tech',
          trades: ['hvac'],
          postalCodes: ['78701'],
          shifts: { mon: { start: '08:00', end: '17:00' } },
        })
      ).status,
    ).toBe(200);
    const mine = (await tenant.call('GET', '/v1/config/technicians')).body.items.map((t: { technicianId: string }) => t.technicianId);
    const theirs = (await other.call('GET', '/v1/config/technicians')).body.items.map((t: { technicianId: string }) => t.technicianId);
    expect(mine).toContain('tech-new');
    expect(theirs).not.toContain('tech-new');
    expect((await tenant.call('DELETE', '/v1/config/technicians/tech-new')).status).toBe(204);
    expect((await tenant.call('DELETE', '/v1/config/technicians/tech-new')).status).toBe(404);

    // A team saved at once: each save changes the tenant's technicians version in its transaction
    // (tenant/store.ts), so the saves meet on that item; every one is kept, none is a 500.
    const team = Array.from({ length: 8 }, (_, i) => `tech-team-${i}`);
    const saves = await Promise.all(
      team.map((id) =>
        tenant.call('PUT', `/v1/config/technicians/${id}`, {
          name: id,
          trades: ['hvac'],
          postalCodes: ['78701'],
          shifts: { mon: { start: '08:00', end: '17:00' } },
        }),
      ),
    );
    expect(saves.map((answer) => answer.status)).toEqual(team.map(() => 200));
    const saved = (await tenant.call('GET', '/v1/config/technicians')).body.items.map((t: { technicianId: string }) => t.technicianId);
    expect(saved).toEqual(expect.arrayContaining(team));

    const { apiKey: bookingsOnlyKey } = await issueApiKey(tenant.tenantId, { name: 'bookings only', scopes: ['bookings'] });
    const denied = await fetch(`${(await import('vitest')).inject('apiUrl')}/v1/config/technicians`, {
      headers: { authorization: `Bearer ${bookingsOnlyKey}` },
    });
    expect(denied.status).toBe(403);
  });
});
