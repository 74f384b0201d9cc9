/**
 * When the NotifyWorker claims a ledger row before sending (issue 19: a lost doorbell recovered in a
 * minute, never a text sent twice), pure parts: the common message sends without a claim (no write
 * added), every message that may meet another one claims; the bounds agree with the registry.
 */
import { describe, expect, it } from 'vitest';
import { FIRST_REQUEUE_AFTER_MS, IN_FLIGHT_BOUND_MS, needsClaim, REQUEUE_AFTER_MS } from '../../functions/notify/store';
import { lambdaByName, schedules } from '../../functions/registry';

const at = new Date('2026-12-01T15:00:00.000Z');
const dueIn = (ms: number) => new Date(at.getTime() + ms).toISOString();

describe('the worker’s claim', () => {
  it('a row its writer just queued and rang sends without a claim; a late doorbell, a requeued, taken or pending row claims', () => {
    const fresh = { status: 'queued' as const, requeues: 0, dueAt: dueIn(FIRST_REQUEUE_AFTER_MS - 1_000) };
    expect(needsClaim(fresh, at)).toBe(false);
    // Queued by a sweep from pending: due again 15 minutes on, its one message.
    expect(needsClaim({ status: 'queued', requeues: 0, dueAt: dueIn(REQUEUE_AFTER_MS) }, at)).toBe(false);
    // Late: a sweep may queue it again before this worker is done.
    expect(needsClaim({ ...fresh, dueAt: dueIn(IN_FLIGHT_BOUND_MS) }, at)).toBe(true);
    expect(needsClaim({ ...fresh, dueAt: dueIn(-1) }, at)).toBe(true);
    // Queued again: the requeue and the late original meet.
    expect(needsClaim({ ...fresh, requeues: 1, dueAt: dueIn(REQUEUE_AFTER_MS) }, at)).toBe(true);
    // Another message took it.
    expect(needsClaim({ ...fresh, takenBy: 'message-1' }, at)).toBe(true);
    // A sweep's message read before the sweep marked the row; a deferred row.
    expect(needsClaim({ status: 'pending', dueAt: dueIn(-1) }, at)).toBe(true);
    expect(needsClaim({ status: 'pending', dueAt: dueIn(REQUEUE_AFTER_MS) }, at)).toBe(true);
  });

  it('a worker is done within the in-flight bound, and the first deadline leaves room for the claim-free path and lands within two sweep ticks', () => {
    expect(IN_FLIGHT_BOUND_MS).toBeGreaterThan(lambdaByName('NotifyWorker').timeoutSeconds! * 1_000);
    expect(FIRST_REQUEUE_AFTER_MS).toBeGreaterThan(IN_FLIGHT_BOUND_MS);
    expect(schedules.find((s) => s.lambda === 'MinuteSweeps')?.expression).toBe('rate(1 minute)');
    expect(FIRST_REQUEUE_AFTER_MS).toBeLessThanOrEqual(60_000);
    expect(REQUEUE_AFTER_MS).toBeGreaterThan(IN_FLIGHT_BOUND_MS);
  });
});
