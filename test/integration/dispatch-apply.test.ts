/**
 * Applying a day plan whole or not at all (functions/dispatch/apply-plan.ts) on a generated Monday
 * booked through the public API: every technician-window of the drain and AC technicians full, each
 * job on the farthest technician that could take it, so the plan's changes are swaps and chains
 * across many technicians. Applied: the board equals the plan. Staged (chunks smaller than the
 * changes): chains that span chunks go through. A crash while parking rolls back on the retry; a
 * crash while finalizing rolls forward; with no retry, the recovery sweep does the same; never a
 * half-applied day, never a double-booked slot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listClaims } from '../../functions/capacity/store';
import { applyPlan, recoverApply, recoverStalledApplies } from '../../functions/dispatch/apply-plan';
import { getApplyJournal } from '../../functions/dispatch/store';
import { bookOnTechnician, createTestTenant, nextWeekday, type TestTenant, isWindowClaim } from './helpers';
import { farFirstDay } from './far-first-day';

let tenant: TestTenant;
const date = nextWeekday(1, 3); // a Monday

/** Who holds each booking's slots; fails on a slot held twice or a booking holding two technicians' slots. */
async function board(): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  // A slot claimed for a plan being applied (parked) has no booking yet: it shows as taken, for nobody.
  for (const c of (await listClaims(tenant.tenantId, date, date)).filter((c) => isWindowClaim(c) && c.bookingId)) {
    const was = owners.get(c.bookingId!);
    expect(was === undefined || was === c.technicianId, `booking ${c.bookingId} holds slots of ${was} and ${c.technicianId}`).toBe(true);
    owners.set(c.bookingId!, c.technicianId!);
  }
  return owners;
}

async function plan() {
  const response = await tenant.call('POST', `/v1/dispatch/plan?date=${date}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const applyBody = (p: any) => ({ date, reason: 'day plan', planId: p.planId, boardVersion: p.boardVersion, assignments: p.changes.map((c: any) => c.to) });

async function expectBoardIsPlan(p: any) {
  const owners = await board();
  for (const a of p.plan.assignments) expect(owners.get(a.jobId), a.jobId).toBe(a.technicianId);
}

let original = new Map<string, string>();

beforeAll(async () => {
  tenant = await createTestTenant();
  for (const { body, technicianId } of farFirstDay(date, 4)) await bookOnTechnician(tenant, body, technicianId);
  original = await board();
}, 240_000);

describe('applying a day plan whole (POST /v1/dispatch/reassign with a planId)', () => {
  it('applies every change of a generated day: the board equals the plan, the replay answers the same', async () => {
    expect(original.size).toBeGreaterThanOrEqual(16);
    const p = await plan();
    expect(p.changes.length, 'a far-first day has changes').toBeGreaterThan(2);
    expect(p.plan.metrics.driveMinutes).toBeLessThan(p.current.metrics.driveMinutes);
    const response = await tenant.call('POST', '/v1/dispatch/reassign', applyBody(p));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ outcome: 'applied', planId: p.planId });
    expect(response.body.applied).toHaveLength(p.changes.length);
    await expectBoardIsPlan(p);
    expect(response.body.current.metrics.driveMinutes).toBe(p.plan.metrics.driveMinutes);
    expect((await getApplyJournal(tenant.tenantId, p.planId))?.status).toBe('applied');
    const replay = await tenant.call('POST', '/v1/dispatch/reassign', applyBody(p));
    expect(replay.status).toBe(200);
    expect(replay.body.applied).toEqual(response.body.applied);
  }, 300_000);

  it('goes through in chunks smaller than the changes (swaps and chains spanning chunks), all applied', async () => {
    // Back to the far-first day, staged in transactions of at most 20 items (2-3 jobs each).
    const now = await board();
    const back = [...original].filter(([jobId, tech]) => now.get(jobId) !== tech).map(([jobId, technicianId]) => ({ jobId, technicianId }));
    expect(back.length).toBeGreaterThan(2);
    const steps: string[] = [];
    const outcome = await applyPlan(tenant.tenantId, 'test', { date, assignments: back }, new Date(), {
      maxTransactionItems: 20,
      afterStep: (step) => {
        steps.push(step);
      },
    });
    expect(steps.filter((s) => s === 'park').length).toBeGreaterThan(1);
    expect(outcome.applied).toHaveLength(back.length);
    expect(await board()).toEqual(original);
  }, 300_000);

  it('after a crash while parking, the retry rolls back and then applies the plan whole', async () => {
    const p = await plan();
    let parks = 0;
    await expect(
      applyPlan(tenant.tenantId, 'test', applyBody(p), new Date(), {
        maxTransactionItems: 20,
        afterStep: (step) => {
          if (step === 'park' && ++parks === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect((await getApplyJournal(tenant.tenantId, p.planId))?.status).toBe('applying');
    // Mid-way: no job moved, nothing double-booked (parked items still count as booked).
    expect(await board()).toEqual(original);
    const response = await tenant.call('POST', '/v1/dispatch/reassign', applyBody(p));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.applied).toHaveLength(p.changes.length);
    await expectBoardIsPlan(p);
    const claims = await listClaims(tenant.tenantId, date, date);
    expect(claims.filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);
  }, 300_000);

  it('a retry that rolls back a run still alive (a double click, a short client timeout): that run parks nothing more and leaves nothing parked', async () => {
    const now = await board();
    const back = [...original].filter(([jobId, tech]) => now.get(jobId) !== tech).map(([jobId, technicianId]) => ({ jobId, technicianId }));
    await applyPlan(tenant.tenantId, 'test', { date, assignments: back }, new Date());
    const p = await plan();
    let parks = 0;
    // After the live run's first park, a retry of the same plan recovers the journal it finds (what
    // applyPlan does first): rolled back. The live run goes on parking meanwhile.
    await expect(
      applyPlan(tenant.tenantId, 'test', applyBody(p), new Date(), {
        maxTransactionItems: 20,
        afterStep: async (step) => {
          if (step !== 'park' || ++parks !== 1) return;
          const journal = await getApplyJournal(tenant.tenantId, p.planId);
          expect(journal?.status).toBe('applying');
          expect(await recoverApply(journal!, new Date())).toBeUndefined();
        },
      }),
    ).rejects.toThrow(/changed while the changes were applied/);
    expect((await getApplyJournal(tenant.tenantId, p.planId))?.status).toBe('rolled_back');
    expect((await listClaims(tenant.tenantId, date, date)).filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);
    expect(await board()).toEqual(original);
    // The client's next retry applies the plan whole.
    const response = await tenant.call('POST', '/v1/dispatch/reassign', applyBody(p));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    await expectBoardIsPlan(p);
    expect((await listClaims(tenant.tenantId, date, date)).filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);
  }, 180_000);

  it('after a crash while finalizing, the retry rolls forward to the whole plan', async () => {
    const now = await board();
    const back = [...original].filter(([jobId, tech]) => now.get(jobId) !== tech).map(([jobId, technicianId]) => ({ jobId, technicianId }));
    await applyPlan(tenant.tenantId, 'test', { date, assignments: back }, new Date());
    expect(await board()).toEqual(original);
    const p = await plan();
    let finals = 0;
    await expect(
      applyPlan(tenant.tenantId, 'test', applyBody(p), new Date(), {
        maxTransactionItems: 20,
        afterStep: (step) => {
          if (step === 'finalize' && ++finals === 1) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect((await getApplyJournal(tenant.tenantId, p.planId))?.status).toBe('prepared');
    await board(); // still no slot held twice
    const response = await tenant.call('POST', '/v1/dispatch/reassign', applyBody(p));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.applied).toHaveLength(p.changes.length);
    await expectBoardIsPlan(p);
    expect((await getApplyJournal(tenant.tenantId, p.planId))?.status).toBe('applied');
    const claims = await listClaims(tenant.tenantId, date, date);
    expect(claims.filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);
  }, 300_000);

  it('with nobody retrying, the recovery sweep rolls a plan that died while parking back, and one that died while finalizing forward', async () => {
    const afterTheRunDied = () => new Date(Date.now() + 3 * 60_000);
    const crashAt = (when: 'park' | 'finalize') => {
      let n = 0;
      return (step: 'park' | 'finalize') => {
        if (step === when && ++n === (when === 'park' ? 2 : 1)) throw new Error('simulated crash');
      };
    };
    // Back to the far-first day, then a plan whose apply dies while parking.
    const now = await board();
    const back = [...original].filter(([jobId, tech]) => now.get(jobId) !== tech).map(([jobId, technicianId]) => ({ jobId, technicianId }));
    await applyPlan(tenant.tenantId, 'test', { date, assignments: back }, new Date());
    const first = await plan();
    await expect(applyPlan(tenant.tenantId, 'test', applyBody(first), new Date(), { maxTransactionItems: 20, afterStep: crashAt('park') })).rejects.toThrow(
      'simulated crash',
    );
    // Not yet: the run may still be going.
    expect(await recoverStalledApplies(new Date(), { tenantId: tenant.tenantId })).toEqual({});
    expect(await recoverStalledApplies(afterTheRunDied(), { tenantId: tenant.tenantId })).toEqual({ rolled_back: 1 });
    expect((await getApplyJournal(tenant.tenantId, first.planId))?.status).toBe('rolled_back');
    expect(await board()).toEqual(original);
    expect((await listClaims(tenant.tenantId, date, date)).filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);

    // The same day planned again; this apply dies after everything is parked.
    const second = await plan();
    await expect(
      applyPlan(tenant.tenantId, 'test', applyBody(second), new Date(), { maxTransactionItems: 20, afterStep: crashAt('finalize') }),
    ).rejects.toThrow('simulated crash');
    expect(await recoverStalledApplies(afterTheRunDied(), { tenantId: tenant.tenantId })).toEqual({ applied: 1 });
    expect((await getApplyJournal(tenant.tenantId, second.planId))?.status).toBe('applied');
    await expectBoardIsPlan(second);
    expect((await listClaims(tenant.tenantId, date, date)).filter((c) => c.holdId?.startsWith('park-'))).toEqual([]);
    // Ended plans leave the sweep's list.
    expect(await recoverStalledApplies(afterTheRunDied(), { tenantId: tenant.tenantId })).toEqual({});
  }, 180_000);
});
