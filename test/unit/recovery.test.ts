/**
 * The recovery sweep's decisions (booking/recovery.ts) and the CRM outbox's default schedule
 * (crm/sync-policy.ts): pure, no AWS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmSyncBackoffSeconds, crmSyncGivesUp, crmSyncSchedule } from '../../functions/crm/sync-policy';
import { decideRecovery, MAX_RECOVERY_RUNS, type RecoveryFacts, TRAIL_DEADLINE_MS } from '../../functions/booking/recovery';
import { BOOKING_STATUSES } from '../../functions/booking/schemas';
import { TenantSchema } from '../../functions/tenant/model';
import { FOLLOW_UP_TAKEOVER_MS } from '../../functions/booking/follow-up-store';
import { lambdas } from '../../functions/registry';
import { LAMBDA_DEFAULTS } from '../../lib/function-definition';

const at = new Date('2026-12-01T15:00:00Z');
const sec = (offsetMs: number) => Math.floor((at.getTime() + offsetMs) / 1000);
const facts = (over: Partial<RecoveryFacts>): RecoveryFacts => ({ status: 'received', recoveryRuns: 0, inReview: false, ...over });

describe('decideRecovery', () => {
  it('final bookings leave the index; so do bookings waiting for a person with their slot committed', () => {
    for (const status of ['confirmed', 'rejected', 'dismissed', 'cancelled'] as const) {
      expect(decideRecovery('b1', facts({ status }), at).action).toBe('settled');
    }
    expect(decideRecovery('b1', facts({ status: 'pending_approval', holdId: 'h' }), at).action).toBe('settled');
    expect(decideRecovery('b1', facts({ status: 'pending_confirmation', holdId: 'h', hold: { status: 'BOOKED', bookingId: 'b1' } }), at).action).toBe(
      'settled',
    );
  });

  it('a confirmed booking whose job trail has not closed waits for the trail deadline, then goes to a person unless one already looks', () => {
    const changed = new Date(at.getTime() - 60_000).toISOString();
    const open = facts({ status: 'confirmed', trail: { closed: false, lastChangeAt: changed } });
    expect(decideRecovery('b1', open, at)).toEqual({
      action: 'later',
      dueAt: new Date(Date.parse(changed) + TRAIL_DEADLINE_MS).toISOString(),
      why: 'its job trail has not closed yet',
    });
    const late = new Date(Date.parse(changed) + TRAIL_DEADLINE_MS);
    expect(decideRecovery('b1', open, late)).toMatchObject({ action: 'trail_unfinished', reason: expect.stringContaining('job trail did not finish') });
    // The trail's own failure path already opened an item, or the trail closed: nothing more.
    expect(decideRecovery('b1', { ...open, inReview: true }, late).action).toBe('settled');
    expect(decideRecovery('b1', facts({ status: 'confirmed', trail: { closed: true, lastChangeAt: changed } }), late).action).toBe('settled');
  });

  it('a received booking whose run is alive waits; a dead run is re-driven, then handed to a person', () => {
    const live = decideRecovery('b1', facts({ leaseUntil: at.getTime() + 10_000 }), at);
    expect(live).toMatchObject({ action: 'later' });
    expect(decideRecovery('b1', facts({ leaseUntil: at.getTime() - 1 }), at)).toEqual({ action: 'redrive' });
    const spent = decideRecovery(
      'b1',
      facts({ recoveryRuns: MAX_RECOVERY_RUNS, holdId: 'h', hold: { status: 'HELD', bookingId: 'b1', expiresAt: sec(60_000) } }),
      at,
    );
    expect(spent).toMatchObject({ action: 'stuck', statusReason: 'recovery_failed', releaseHold: true });
  });

  it('pending_confirmation: a live hold waits for its expiry; an expired or lost one goes to a person and is released if still ours', () => {
    const live = decideRecovery(
      'b1',
      facts({ status: 'pending_confirmation', holdId: 'h', hold: { status: 'HELD', bookingId: 'b1', expiresAt: sec(60_000) } }),
      at,
    );
    expect(live).toEqual({ action: 'later', dueAt: new Date(sec(60_000) * 1000 + 1_000).toISOString(), why: 'hold still live' });
    const expired = decideRecovery(
      'b1',
      facts({ status: 'pending_confirmation', holdId: 'h', hold: { status: 'HELD', bookingId: 'b1', expiresAt: sec(-1_000) } }),
      at,
    );
    expect(expired).toMatchObject({ action: 'stuck', statusReason: 'hold_expired', releaseHold: true });
    const taken = decideRecovery('b1', facts({ status: 'pending_confirmation', holdId: 'h', hold: { status: 'BOOKED', bookingId: 'other' } }), at);
    expect(taken).toMatchObject({ action: 'stuck', releaseHold: false });
    const gone = decideRecovery('b1', facts({ status: 'pending_confirmation', holdId: 'h' }), at);
    expect(gone).toMatchObject({ action: 'stuck', releaseHold: false });
  });

  it('pending_crm_sync: pending outbox work is looked at later; none is queued again unless a person already has it', () => {
    expect(decideRecovery('b1', facts({ status: 'pending_crm_sync', crmSyncPending: {} }), at).action).toBe('later');
    expect(decideRecovery('b1', facts({ status: 'pending_crm_sync' }), at)).toEqual({ action: 'requeue_crm' });
    expect(decideRecovery('b1', facts({ status: 'pending_crm_sync', inReview: true }), at).action).toBe('settled');
  });

  it('never leaves a non-final booking without a next step (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BOOKING_STATUSES),
        fc.option(
          fc.record({
            status: fc.constantFrom('HELD' as const, 'BOOKED' as const, 'RELEASED' as const),
            expiresAt: fc.integer({ min: sec(-3_600_000), max: sec(3_600_000) }),
            bookingId: fc.constantFrom('b1', 'other'),
          }),
          { nil: undefined },
        ),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        (status, hold, recoveryRuns, inReview) => {
          const decision = decideRecovery('b1', facts({ status, holdId: hold ? 'h' : undefined, hold, recoveryRuns, inReview }), at);
          if (decision.action === 'later') expect(Date.parse(decision.dueAt)).toBeGreaterThan(at.getTime());
          if (decision.action === 'settled' && status === 'received') throw new Error('a received booking is never settled');
          if (decision.action === 'stuck' && decision.releaseHold) expect(hold?.status).toBe('HELD');
        },
      ),
    );
  });
});

describe('CRM outbox schedule', () => {
  it('by default retries for two hours, backing off from 30 s to 15 min', () => {
    const schedule = crmSyncSchedule(
      TenantSchema.parse({ tenantId: 'acme', name: 'Acme', timeZone: 'America/Chicago', arrivalWindows: [{ start: '08:00', end: '10:00' }] }),
    );
    expect(schedule).toEqual({ baseSeconds: 30, maxSeconds: 900, retryForSeconds: 7_200 });
    const first = '2026-12-01T15:00:00.000Z';
    expect(crmSyncGivesUp(first, new Date('2026-12-01T16:00:00Z'), schedule)).toBe(false);
    expect(crmSyncGivesUp(first, new Date('2026-12-01T17:00:00Z'), schedule)).toBe(true);
    expect(crmSyncGivesUp(undefined, new Date('2027-01-01T00:00:00Z'), schedule)).toBe(false);
    // Attempts before giving up: at least an hour of retries, so a 2-minute outage never reaches a person.
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < schedule.retryForSeconds) elapsed += crmSyncBackoffSeconds(++attempts, schedule);
    expect(attempts).toBeGreaterThanOrEqual(8);
  });
});

describe("a change's follow-ups (booking/follow-up-store.ts)", () => {
  it('are taken over only when no run of any function can still be doing them: the takeover outlasts every timeout', () => {
    const longest = Math.max(...lambdas.map((spec) => spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds));
    expect(FOLLOW_UP_TAKEOVER_MS).toBeGreaterThan(longest * 1000);
    // Lambda's own limit: a function given more would still be stopped at 15 minutes.
    expect(FOLLOW_UP_TAKEOVER_MS).toBeGreaterThan(15 * 60_000);
  });
});
