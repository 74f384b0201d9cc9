/**
 * When the NotifyWorker claims a ledger row before sending (issue 19: a lost doorbell recovered in a
 * minute, never a text sent twice; two sweeps at once text once), pure parts: the common message
 * sends without a claim (no write added), a message of a ring the row does not hold is dropped
 * (nothing written), every message that may meet another one claims; the bounds agree with the registry.
 */
import { describe, expect, it } from 'vitest';
import { FIRST_REQUEUE_AFTER_MS, howToTake, IN_FLIGHT_BOUND_MS, REQUEUE_AFTER_MS } from '../../functions/notify/store';
import { lambdaByName, schedules } from '../../functions/registry';

const at = new Date('2026-12-01T15:00:00.000Z');
const dueIn = (ms: number) => new Date(at.getTime() + ms).toISOString();

describe('the worker’s claim', () => {
  it('a row its writer just queued and rang sends without a claim; a late doorbell, a requeued, taken or pending row claims', () => {
    const fresh = { status: 'queued' as const, requeues: 0, dueAt: dueIn(FIRST_REQUEUE_AFTER_MS - 1_000), ring: 'writer' };
    expect(howToTake(fresh, 'writer', at)).toBe('send');
    // Queued by a sweep from pending: due again 15 minutes on, its one message.
    expect(howToTake({ status: 'queued', requeues: 0, dueAt: dueIn(REQUEUE_AFTER_MS), ring: 'sweep' }, 'sweep', at)).toBe('send');
    // Late: a sweep may queue it again before this worker is done.
    expect(howToTake({ ...fresh, dueAt: dueIn(IN_FLIGHT_BOUND_MS) }, 'writer', at)).toBe('claim');
    expect(howToTake({ ...fresh, dueAt: dueIn(-1) }, 'writer', at)).toBe('claim');
    // Queued again: the requeue and the late original meet.
    expect(howToTake({ ...fresh, requeues: 1, dueAt: dueIn(REQUEUE_AFTER_MS) }, 'writer', at)).toBe('claim');
    // Another message took it.
    expect(howToTake({ ...fresh, takenBy: 'message-1' }, 'writer', at)).toBe('claim');
    // A sweep's message read before the sweep marked the row; a deferred row.
    expect(howToTake({ status: 'pending', dueAt: dueIn(-1) }, 'sweep', at)).toBe('claim');
    expect(howToTake({ status: 'pending', dueAt: dueIn(REQUEUE_AFTER_MS), ring: 'sweep' }, 'sweep', at)).toBe('claim');
  });

  it('two sweeps at once: the message of the sweep whose mark lost is dropped, nothing written; a late one with another ring claims', () => {
    const marked = { status: 'queued' as const, requeues: 0, dueAt: dueIn(REQUEUE_AFTER_MS), ring: 'sweep-a' };
    expect(howToTake(marked, 'sweep-a', at)).toBe('send');
    expect(howToTake(marked, 'sweep-b', at)).toBe('drop');
    // A message from before rings meets a row a sweep rang since, and the other way round.
    expect(howToTake(marked, undefined, at)).toBe('drop');
    expect(howToTake({ status: 'queued', requeues: 0, dueAt: dueIn(REQUEUE_AFTER_MS) }, 'sweep-b', at)).toBe('drop');
    // Rows and messages from before rings: as before.
    expect(howToTake({ status: 'queued', requeues: 0, dueAt: dueIn(REQUEUE_AFTER_MS) }, undefined, at)).toBe('send');
    // Near or past the deadline the row's own message may be gone: another ring's takes it (claimRow
    // takes it only once the deadline has passed, or while no other ring queued it).
    expect(howToTake({ ...marked, dueAt: dueIn(IN_FLIGHT_BOUND_MS) }, 'sweep-b', at)).toBe('claim');
    expect(howToTake({ ...marked, dueAt: dueIn(-1) }, 'sweep-b', at)).toBe('claim');
  });

  it('a worker is done within the in-flight bound, and the first deadline leaves room for the claim-free path and lands within two sweep ticks', () => {
    expect(IN_FLIGHT_BOUND_MS).toBeGreaterThan(lambdaByName('NotifyWorker').timeoutSeconds! * 1_000);
    expect(FIRST_REQUEUE_AFTER_MS).toBeGreaterThan(IN_FLIGHT_BOUND_MS);
    expect(schedules.find((s) => s.lambda === 'MinuteSweeps')?.expression).toBe('rate(1 minute)');
    expect(FIRST_REQUEUE_AFTER_MS).toBeLessThanOrEqual(60_000);
    expect(REQUEUE_AFTER_MS).toBeGreaterThan(IN_FLIGHT_BOUND_MS);
  });
});
