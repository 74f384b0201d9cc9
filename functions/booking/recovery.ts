/**
 * What the recovery sweep does with a booking that is due (pure): a booking is indexed for recovery
 * from its creation (sparse GSI `byDue`, partition `RECOVER`, due a little after the run's lease)
 * and leaves the index once it is settled: final, waiting for a person with its slot committed, or
 * handed to a person with a review item. Nothing else has to remember to take it out.
 */
import type { BookingStatus } from './schemas';

export const RECOVERY_PARTITION = 'RECOVER';
/** First look: the route's lease (35 s) has run out, with a margin. */
export const RECOVERY_FIRST_LOOK_MS = 2 * 60_000;
/** Re-drives of the workflow before a booking that is still `received` goes to a person. */
export const MAX_RECOVERY_RUNS = 2;
/** How soon to look again at a pending_crm_sync booking whose outbox work is still pending. */
export const CRM_SYNC_RECHECK_MS = 30 * 60_000;
/**
 * A confirmed booking's job trail (Express, at most 290 s a run) has closed by this long after the
 * booking last changed, or a person is told (issue 19 item 4: Express runs send no execution-status
 * events, so this look, not an ExecutionsFailed/TimedOut alarm, catches a trail that died uncaught:
 * timed out, a runtime error, its own failure path failing).
 */
export const TRAIL_DEADLINE_MS = 15 * 60_000;

export function recoveryIndexEntry(createdAt: Date): { duePk: string; dueAt: string } {
  return { duePk: RECOVERY_PARTITION, dueAt: new Date(createdAt.getTime() + RECOVERY_FIRST_LOOK_MS).toISOString() };
}

const FINAL: ReadonlySet<BookingStatus> = new Set(['confirmed', 'rejected', 'dismissed', 'cancelled']);

export interface RecoveryFacts {
  status: BookingStatus;
  holdId?: string;
  /** The booking's hold as stored (undefined: none or gone). */
  hold?: { status: 'HELD' | 'BOOKED' | 'RELEASED'; expiresAt?: number; bookingId?: string };
  /** Epoch ms until which a live run owns the booking's reservation (absent: nobody). */
  leaseUntil?: number;
  recoveryRuns: number;
  /** Outbox work still pending for this booking (crm/outbox-store.ts), and when it is due. */
  crmSyncPending?: { dueAt?: string };
  /** An open review item already tells a person about this booking. */
  inReview: boolean;
  /** The job trail: whether it closed (CloseTrail), and when the booking last changed (ISO). */
  trail?: { closed: boolean; lastChangeAt: string };
}

export type RecoveryDecision =
  | { action: 'settled'; why: string }
  | { action: 'later'; dueAt: string; why: string }
  | { action: 'redrive' }
  | { action: 'stuck'; reason: string; statusReason: string; releaseHold: boolean }
  | { action: 'requeue_crm' }
  | { action: 'trail_unfinished'; reason: string };

/** The hold is this booking's and still worth something: committed, or held and unexpired. */
function holdState(facts: RecoveryFacts, bookingId: string, at: Date): 'booked' | 'live' | 'expired' | 'lost' {
  const hold = facts.hold;
  if (!hold || (hold.bookingId && hold.bookingId !== bookingId)) return 'lost';
  if (hold.status === 'BOOKED') return hold.bookingId === bookingId ? 'booked' : 'lost';
  if (hold.status === 'HELD') return (hold.expiresAt ?? 0) * 1000 > at.getTime() ? 'live' : 'expired';
  return 'lost';
}

export function decideRecovery(bookingId: string, facts: RecoveryFacts, at: Date): RecoveryDecision {
  if (facts.status === 'confirmed' && facts.trail && !facts.trail.closed && !facts.inReview) {
    const deadline = Date.parse(facts.trail.lastChangeAt) + TRAIL_DEADLINE_MS;
    if (at.getTime() < deadline) return { action: 'later', dueAt: new Date(deadline).toISOString(), why: 'its job trail has not closed yet' };
    return {
      action: 'trail_unfinished',
      reason: `The job trail did not finish within ${TRAIL_DEADLINE_MS / 60_000} minutes (no technician assignment or notice may have gone out): check the booking's timeline and run the missing steps by hand`,
    };
  }
  if (FINAL.has(facts.status)) return { action: 'settled', why: facts.status };
  const hold = facts.holdId ? holdState(facts, bookingId, at) : undefined;
  const releaseHold = hold === 'live' || hold === 'expired';
  switch (facts.status) {
    case 'received': {
      if (facts.leaseUntil && facts.leaseUntil > at.getTime()) {
        return { action: 'later', dueAt: new Date(facts.leaseUntil + 30_000).toISOString(), why: 'a run owns it' };
      }
      if (facts.recoveryRuns < MAX_RECOVERY_RUNS) return { action: 'redrive' };
      return {
        action: 'stuck',
        reason: `The booking workflow did not finish after ${facts.recoveryRuns} recovery runs: call the customer and book it by hand`,
        statusReason: 'recovery_failed',
        releaseHold,
      };
    }
    case 'pending_approval':
      // Waits for a dispatcher with its slot committed (CommitSlot runs before this status is set).
      return { action: 'settled', why: 'waits for a dispatcher' };
    case 'pending_confirmation': {
      if (!facts.holdId || hold === 'booked') return { action: 'settled', why: 'waits for dispatch' };
      if (hold === 'live' && facts.hold?.expiresAt) {
        return { action: 'later', dueAt: new Date(facts.hold.expiresAt * 1000 + 1_000).toISOString(), why: 'hold still live' };
      }
      return {
        action: 'stuck',
        reason: 'The booking lost its slot before it was committed (the hold expired): call the customer and reschedule it into a window',
        statusReason: 'hold_expired',
        releaseHold,
      };
    }
    case 'pending_crm_sync': {
      if (facts.crmSyncPending) {
        const recheck = at.getTime() + CRM_SYNC_RECHECK_MS;
        const due = facts.crmSyncPending.dueAt ? Math.max(Date.parse(facts.crmSyncPending.dueAt), recheck) : recheck;
        return { action: 'later', dueAt: new Date(due).toISOString(), why: 'outbox work pending' };
      }
      // The outbox gave up and a person knows (crm_write_failed), or there is no work at all: queue it again.
      return facts.inReview ? { action: 'settled', why: 'in review' } : { action: 'requeue_crm' };
    }
    default:
      return { action: 'settled', why: facts.status };
  }
}
