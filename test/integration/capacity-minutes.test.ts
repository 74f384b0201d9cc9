/**
 * Issue 21 item 4 against DynamoDB Local: job types with minutes share a technician-window, each
 * claiming its minutes on the technician-window's counter (capacity/store.ts
 * `SLOT#<date>#C#<start>#<tech>`, read as units) with a conditional update in one transaction, so of
 * concurrent claims on the last minutes exactly one wins; a day plan of
 * such jobs applies whole and the board shows it with each job's minutes.
 */
import { describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ClaimPlan, withCounters } from '../../functions/capacity/availability';
import {
  bookedHold,
  capacityKeys,
  claimHold,
  claimHoldItems,
  counterEntries,
  finalizeParkedItems,
  getHold,
  type HoldMove,
  listClaims,
  moveHoldItems,
  parkCounterItems,
  parkHoldItems,
  releaseHold,
  sendClaimTransaction,
  unparkCounterItems,
  unparkHoldItems,
} from '../../functions/capacity/store';
import { documentClient } from '../../functions/shared/clients';
import { config } from '../../functions/shared/config';
import { getItem } from '../../functions/shared/dynamo';
import { epochSeconds } from '../../functions/shared/time';
import { createTestTenant, bookingRequest, bookOnTechnician, nextWeekday, planApplyBody, type TestTenant } from './helpers';

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
    const applied = await tenant.call('POST', '/v1/dispatch/reassign', planApplyBody(date, p));
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

/** The 10-12 window of the counter tests. */
const COUNTER_WINDOW = { start: '10:00', end: '12:00' };

/** A claim of `minutes` (15-minute units from 1) in the counter tests' window, with its counter. */
function counterPlan(date: string, technicianId: string, minutes: number, techDayIndex: number, extra: Partial<ClaimPlan> = {}): ClaimPlan {
  const { start, end } = COUNTER_WINDOW;
  return withCounters(
    {
      date,
      start,
      end,
      technicianId,
      windowStarts: [start],
      units: { [start]: Array.from({ length: minutes / 15 }, (_, k) => k + 1) },
      techDayIndex,
      jobTypeId: 'drain',
      ...extra,
    },
    [COUNTER_WINDOW],
    [],
    new Date(),
  );
}

describe('one counter item per technician-window (issue 19: items per claim)', () => {
  const date = nextWeekday(3, 5);
  const window = COUNTER_WINDOW;
  const plan = (technicianId: string, minutes: number, techDayIndex: number, extra: Partial<ClaimPlan> = {}): ClaimPlan =>
    counterPlan(date, technicianId, minutes, techDayIndex, extra);
  const hold = (tenantId: string, holdId: string, p: ClaimPlan, expiresAt: number) => ({
    tenantId,
    holdId,
    plan: p,
    emergency: false,
    expiresAt,
    source: 'api' as const,
    createdAt: new Date().toISOString(),
  });
  const counterOf = (tenantId: string, technicianId: string) => getItem(capacityKeys.counter(tenantId, date, window.start, technicianId), { consistent: true });

  it('a whole-window claim writes 3 items (hold, counter, day token) where minute units wrote 10', () => {
    const now = new Date();
    const withUnits = { ...plan('solo', 120, 1), counters: undefined };
    const before = claimHoldItems(hold('t-count', 'h-units', withUnits, epochSeconds(now) + 600), now).length;
    const after = claimHoldItems(hold('t-count', 'h-counter', plan('solo', 120, 1), epochSeconds(now) + 600), now).length;
    console.log(`items per whole-window claim: minute units ${before}, counter ${after} (billed 2x each in a transaction: ${2 * before} -> ${2 * after})`);
    expect(before).toBe(10);
    expect(after).toBe(3);
  });

  it("an expired hold's minutes come back to the next claim; a retried claim counts once; a release gives them back", async () => {
    const tenantId = `t-counter-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const now = new Date();
    expect(await claimHold(hold(tenantId, 'h-first', plan('solo', 120, 1), epochSeconds(now) + 60), now)).toBe('won');
    expect(await claimHold(hold(tenantId, 'h-second', plan('solo', 60, 2), epochSeconds(now) + 600), now)).toBe('taken');
    expect((await counterOf(tenantId, 'solo'))?.used).toBe(120);

    // Two minutes later the first hold has expired but is still on the counter: the refused claim frees it and goes through.
    const later = new Date(now.getTime() + 120_000);
    const second = hold(tenantId, 'h-second', plan('solo', 60, 2), epochSeconds(later) + 600);
    expect(await claimHold(second, later)).toBe('won');
    const counter = await counterOf(tenantId, 'solo');
    expect(counter?.used).toBe(60);
    expect(Object.keys(counter!).filter((k) => k.startsWith('claim:'))).toEqual(['claim:h-second']);
    // A retry of the same claim (its answer lost) wins again and counts once.
    expect(await claimHold(second, later)).toBe('won');
    expect((await counterOf(tenantId, 'solo'))?.used).toBe(60);
    // What is left: 60 minutes, as units, with the live hold's 4 units.
    const units = (await listClaims(tenantId, date, date)).filter((c) => c.kind === 'unit');
    expect(units.map((c) => c.holdId)).toEqual(['h-second', 'h-second', 'h-second', 'h-second']);
    expect(await claimHold(hold(tenantId, 'h-third', plan('solo', 75, 3), epochSeconds(later) + 600), later)).toBe('taken');
    expect(await claimHold(hold(tenantId, 'h-third', plan('solo', 60, 3), epochSeconds(later) + 600), later)).toBe('won');
    expect(await releaseHold(tenantId, 'h-second')).toBe('RELEASED');
    expect((await counterOf(tenantId, 'solo'))?.used).toBe(60);
  }, 120_000);

  it('minutes still held by unit items from before counters are not given out again (dual read)', async () => {
    const tenantId = `t-legacy-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const now = new Date();
    // An old booking's four unit items (60 minutes) in the window, as minute units wrote them.
    for (const k of [1, 2, 3, 4]) {
      await documentClient().send(
        new PutCommand({
          TableName: config.tableName,
          Item: { ...capacityKeys.unit(tenantId, date, window.start, 'solo', k), type: 'CapacityClaim', status: 'BOOKED', holdId: 'h-old', bookingId: 'b-old' },
        }),
      );
    }
    const claims = await listClaims(tenantId, date, date);
    const legacyAware = (minutes: number, techDayIndex: number) =>
      withCounters({ ...plan('solo', minutes, techDayIndex), counters: undefined }, [window], claims, now);
    expect(legacyAware(60, 2).counters).toEqual({ [window.start]: { minutes: 60, cap: 60 } });
    expect(await claimHold(hold(tenantId, 'h-new', legacyAware(60, 2), epochSeconds(now) + 600), now)).toBe('won');
    expect(await claimHold(hold(tenantId, 'h-more', legacyAware(15, 3), epochSeconds(now) + 600), now)).toBe('taken');
    // Both read back: 8 units, none twice.
    const units = (await listClaims(tenantId, date, date)).filter((c) => c.kind === 'unit');
    expect(units.map((c) => c.index).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 120_000);
});

describe('moving booked jobs between counters (reassign, staged day plans)', () => {
  const date = nextWeekday(2, 6);
  const window = COUNTER_WINDOW;
  const fullPlan = (technicianId: string): ClaimPlan => counterPlan(date, technicianId, 120, 1);
  const entriesOf = async (tenantId: string, technicianId: string) => {
    const item = await getItem(capacityKeys.counter(tenantId, date, window.start, technicianId), { consistent: true });
    return { used: item?.used, entries: counterEntries(item) };
  };
  /** Two technicians, each with a booked job filling the window; the moves swap them. */
  async function fullDay(): Promise<{ tenantId: string; moves: HoldMove[] }> {
    const tenantId = `t-move-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const now = new Date();
    for (const [holdId, bookingId, tech] of [
      ['h-a', 'b-a', 'x'],
      ['h-b', 'b-b', 'y'],
    ] as const) {
      const hold = {
        tenantId,
        holdId,
        plan: fullPlan(tech),
        emergency: false,
        bookingId,
        status: 'BOOKED' as const,
        source: 'booking' as const,
        createdAt: now.toISOString(),
      };
      expect(await claimHold(hold, now)).toBe('won');
    }
    const moves = await Promise.all(
      [
        ['h-a', 'b-a', 'y'],
        ['h-b', 'b-b', 'x'],
      ].map(async ([holdId, bookingId, to]) => ({
        oldHold: (await getHold(tenantId, holdId!))!,
        newHold: bookedHold({
          tenantId,
          holdId: `${holdId}-new`,
          bookingId: bookingId!,
          plan: { ...fullPlan(to!), techDayIndex: 2 },
          emergency: false,
          at: now,
        }),
      })),
    );
    return { tenantId, moves };
  }

  it('a swap of two full technician-windows goes through in one transaction', async () => {
    const { tenantId, moves } = await fullDay();
    expect(await sendClaimTransaction(moveHoldItems(tenantId, moves, new Date()))).toBe(true);
    expect(await entriesOf(tenantId, 'x')).toEqual({ used: 120, entries: [{ minutes: 120, status: 'BOOKED', holdId: 'h-b-new', bookingId: 'b-b' }] });
    expect(await entriesOf(tenantId, 'y')).toEqual({ used: 120, entries: [{ minutes: 120, status: 'BOOKED', holdId: 'h-a-new', bookingId: 'b-a' }] });
  }, 120_000);

  it('staged: parked item by item, then finalized job by job (or rolled back), never over the window', async () => {
    const { tenantId, moves } = await fullDay();
    const parkedBy = 'park-test';
    const owned = new Set(moves.flatMap((m) => m.oldHold.keys.map((k) => k.sk)));
    // As dispatch/apply-plan.ts parks: each job's other items, and each counter item whole, one transaction each.
    const park = async () => {
      for (const m of moves) expect(await sendClaimTransaction(parkHoldItems(tenantId, m, parkedBy, owned, new Date()))).toBe(true);
      for (const item of parkCounterItems(tenantId, moves, parkedBy)) expect(await sendClaimTransaction([item])).toBe(true);
    };
    await park();
    expect((await entriesOf(tenantId, 'x')).used).toBe(120);
    // Parked: each job still shows where it is (its old claim), and no window shows more than its 8 units.
    const parked = (await listClaims(tenantId, date, date)).filter((c) => c.kind === 'unit');
    expect(parked.filter((c) => c.index === 1).map((c) => [c.technicianId, c.bookingId])).toEqual(
      expect.arrayContaining([
        ['x', 'b-a'],
        ['y', 'b-b'],
      ]),
    );
    expect(Math.max(...parked.map((c) => c.index!))).toBe(8);
    // Rolled back: every counter as it was.
    for (const m of moves) await unparkHoldItems(m, parkedBy, owned);
    await unparkCounterItems(tenantId, moves, parkedBy);
    expect(await entriesOf(tenantId, 'x')).toEqual({ used: 120, entries: [{ minutes: 120, status: 'BOOKED', holdId: 'h-a', bookingId: 'b-a' }] });
    // Parked again and finalized one job per transaction (a swap spanning chunks).
    await park();
    const [first, second] = moves as [HoldMove, HoldMove];
    const keys = (m: HoldMove) => [...m.oldHold.keys, ...m.newHold.keys].map((k) => k.sk);
    const needed = new Set(moves.flatMap((m) => m.newHold.keys.map((k) => k.sk)));
    const laterNeeds = new Set(second.newHold.keys.map((k) => k.sk));
    expect(await sendClaimTransaction(finalizeParkedItems(tenantId, [first], parkedBy, needed, laterNeeds, new Set(keys(second))))).toBe(true);
    expect(await sendClaimTransaction(finalizeParkedItems(tenantId, [second], parkedBy, needed, new Set(), new Set()))).toBe(true);
    expect(await entriesOf(tenantId, 'x')).toEqual({ used: 120, entries: [{ minutes: 120, status: 'BOOKED', holdId: 'h-b-new', bookingId: 'b-b' }] });
    expect(await entriesOf(tenantId, 'y')).toEqual({ used: 120, entries: [{ minutes: 120, status: 'BOOKED', holdId: 'h-a-new', bookingId: 'b-a' }] });
  }, 120_000);
});
