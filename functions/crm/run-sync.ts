/**
 * CrmSyncWorker's work (crm/sync.handler.ts takes the crm-sync queue's batches): writes a kept booking
 * to the CRM once the CRM is back; a message naming `leadId` instead writes a lead without a booking
 * (a hung-up caller, triage to a person) as state `lead`, the same way (lease, backoff, review item). The message is a doorbell; the outbox row (crm/outbox-store.ts) is the record of the work.
 * - success: the CRM has the booking exactly once (a booking already synced is never written
 *   again), the booking goes pending_crm_sync -> confirmed with its external ids, the outbox row is
 *   done, and any open crm_write_failed review item about it is resolved (how a redrive closes it);
 * - CRM still down: the row counts the attempt and is due again after a growing backoff (the
 *   tenant's `crmSync` schedule, at least the CRM's Retry-After); a new doorbell is sent with that
 *   delay (SQS allows 15 minutes; longer waits are rung by the recovery sweep) and this message is
 *   done, so retries are bounded by the schedule's time, not by the queue's receive count;
 * - retries spent (`retryForMinutes` after the first failure): a crm_write_failed review item, the
 *   row is handed to a person (its redrive rings again);
 * - CRM refuses the data or credentials: review item at once (retrying cannot help).
 * A failure of the worker itself (a throw) is retried by SQS and ends in the DLQ as before.
 * Partial batch responses (Powertools batch): one booking never holds up its neighbours.
 */
import { appendTimeline, getBookingRecord, updateBooking } from '../booking/store';
import { getLead } from '../leads/store';
import { findOpenReviewItems, openReviewItem, resolveReviewItemsFor } from '../review/store';
import { logger } from '../shared/logger';
import { recordCrmSyncLag } from '../shared/metrics';
import { now } from '../shared/time';
import { readableError } from '../shared/worker';
import { getTenant } from '../tenant/store';
import type { UnavailableWithRetry } from './adapters/http';
import {
  type CrmSyncMessage,
  crmSyncSubject,
  crmSyncWorkOf,
  DOORBELL_GRACE_SECONDS,
  enqueueCrmSync,
  MAX_DOORBELL_DELAY_SECONDS,
  recordCrmSyncFailure,
  ringCrmSync,
  settleCrmSyncWork,
} from './outbox-store';
import { acquireCrmSyncLease, releaseCrmSyncLease } from './store';
import { crmFailureKind, crmSyncSchedule, decideCrmFailure } from './sync-policy';
import { crmStateOf, leadCrmState, writeBookingToCrm, writeLeadToCrm } from './write';

/** Something a person must look at: one open item per booking (or lead), with the error first in its reason. */
export async function openCrmReviewItem(message: CrmSyncMessage, error: Error, attempts: number, at: Date, firstError?: string): Promise<void> {
  const subject = crmSyncSubject(message);
  if ((await findOpenReviewItems(message.tenantId, subject, 'crm_write_failed')).length) return;
  const kind = crmFailureKind(error);
  const rejected = kind === 'refused';
  await openReviewItem(
    message.tenantId,
    {
      kind: 'crm_write_failed',
      reason: rejected
        ? `${error.name}: ${error.message} — the CRM refused the ${subject.type}; fix the cause, then redrive`
        : kind === 'unavailable'
          ? `${error.name}: ${error.message} — the CRM stayed unreachable through ${attempts} attempts; redrive once it is back`
          : `${readableError(error)} — the crm-sync worker failed this write (${attempts} receives); fix the cause, then redrive`,
      subject,
      payload: {
        node: 'CrmSyncWorker',
        error: error.name,
        cause: error.message,
        attempts,
        ...((firstError ?? message.firstError) ? { firstError: firstError ?? message.firstError } : {}),
      },
      redrive: {
        type: 'message',
        queue: 'crm-sync',
        body: {
          tenantId: message.tenantId,
          ...(message.leadId ? { leadId: message.leadId } : { bookingId: message.bookingId }),
          ...(message.state ? { state: message.state } : {}),
        },
      },
    },
    at,
  );
  if (message.bookingId) {
    await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', rejected ? 'rejected' : 'gave_up', { error: error.name, attempts }, at);
  }
}

async function settleSynced(message: CrmSyncMessage, externalIds: Record<string, string>, at: Date): Promise<void> {
  await settleCrmSyncWork(message, 'done', at);
  if (!message.bookingId) {
    await resolveReviewItemsFor(message.tenantId, crmSyncSubject(message), 'crm_write_failed', 'CrmSyncWorker', 'The CRM write went through on retry', at);
    return;
  }
  const confirmed = await updateBooking(
    message.tenantId,
    message.bookingId,
    { status: 'confirmed', statusReason: 'crm_synced_after_outage' },
    { onlyFrom: ['pending_crm_sync'], at },
  );
  const resolved = await resolveReviewItemsFor(
    message.tenantId,
    { type: 'booking', id: message.bookingId },
    'crm_write_failed',
    'CrmSyncWorker',
    'The CRM write went through on retry',
    at,
  );
  if (confirmed || resolved.length) {
    await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', 'synced', { externalIds, confirmed, resolvedReviewItems: resolved.length }, at);
  }
}

/**
 * What one delivery does for its record: the booking (its job state, from the message or what the
 * booking is now), or a lead without a booking (state `lead`). `covered`: the external ids when the
 * write is done already; `notYet`: the record is not ready to write (come back shortly, uncounted).
 */
interface SyncAttempt {
  covered?: Record<string, string>;
  notYet?: boolean;
  write: (at: Date) => Promise<{ externalIds: Record<string, string> }>;
}

async function attemptFor(message: CrmSyncMessage): Promise<SyncAttempt | undefined> {
  if (message.leadId) {
    const lead = await getLead(message.tenantId, message.leadId);
    if (!lead) return undefined;
    // Covered: the lead's record already says what the lead is now (crm/write.ts leadCrmState).
    const covered =
      lead.crm?.syncedAt && (lead.crm.state ?? 'lead') === leadCrmState(lead) && (!message.requestedAt || lead.crm.syncedAt >= message.requestedAt);
    return { covered: covered ? lead.crm!.externalIds : undefined, write: (at) => writeLeadToCrm(message.tenantId, message.leadId!, at) };
  }
  const bookingId = message.bookingId!;
  const booking = await getBookingRecord(message.tenantId, bookingId);
  if (!booking) return undefined;
  const state = message.state ?? crmStateOf(booking);
  // Written already (an earlier delivery, a redrive of a message that did go through, or a later
  // write of the same state, which read the booking fresh): never twice.
  const covered = booking.crm?.syncedAt && booking.crm.state === state && (!message.requestedAt || booking.crm.syncedAt >= message.requestedAt);
  return {
    covered: covered ? booking.crm!.externalIds : undefined,
    // The workflow has not settled the booking yet (this message raced it).
    notYet: booking.status === 'received',
    write: (at) => writeBookingToCrm(message.tenantId, bookingId, at, { node: 'CrmSyncWorker', state }),
  };
}

/**
 * One delivery of a crm-sync message: `deliveryId` (the SQS message id) holds the record's write
 * lease; `sentAt` (epoch ms) is when the doorbell was sent, for the lag metric when the message
 * names no `requestedAt`.
 */
export async function runCrmSync(message: CrmSyncMessage, delivery: { deliveryId: string; sentAt?: number }): Promise<void> {
  const at = now();
  const subject = crmSyncSubject(message);
  if (!(await attemptFor(message))) {
    logger.warn(`crm-sync: no such ${subject.type}, dropping the message`, { tenantId: message.tenantId, [`${subject.type}Id`]: subject.id });
    return;
  }
  const leased = await acquireCrmSyncLease(message, delivery.deliveryId, at);
  try {
    // Another delivery is writing this record right now: its outcome settles or reschedules the row.
    if (!leased) return;
    // Read after taking the lease: what the last holder wrote is visible now.
    const attempt = (await attemptFor(message))!;
    if (attempt.covered) {
      await settleSynced(message, attempt.covered, at);
      return;
    }
    if (attempt.notYet) {
      await enqueueCrmSync(message, 30);
      return;
    }
    try {
      const result = await attempt.write(at);
      await settleSynced(message, result.externalIds, at);
      // How long the CRM lagged the record: from when the write was first wanted to now.
      const wanted = message.requestedAt ? Date.parse(message.requestedAt) : Number(delivery.sentAt);
      if (Number.isFinite(wanted)) recordCrmSyncLag(now().getTime() - wanted);
    } catch (error) {
      await failedAttempt(message, error as Error, at);
    }
  } finally {
    if (leased) await releaseCrmSyncLease(message, delivery.deliveryId);
  }
}

/** One failed write, as crm/sync-policy.ts decides: a person now, again after the backoff, or SQS's redelivery (the worker's own fault). */
async function failedAttempt(message: CrmSyncMessage, failure: Error, at: Date): Promise<void> {
  const before = await crmSyncWorkOf(message);
  const pending = before?.status === 'pending';
  const decision = decideCrmFailure(failure, {
    site: 'crm-sync',
    at,
    schedule: crmSyncSchedule(await getTenant(message.tenantId)),
    attempt: (pending ? (before.attempts ?? 0) : 0) + 1,
    firstFailedAt: pending ? before.firstFailedAt : undefined,
    retryAfterSeconds: (failure as UnavailableWithRetry).retryAfterSeconds,
  });
  if (decision.action === 'redeliver') throw failure; // SQS retries it (and the DLQ keeps it)
  if (decision.action === 'review') {
    const attempts = decision.why === 'refused' ? 1 : (pending ? (before.attempts ?? 0) : 0) + 1;
    await openCrmReviewItem(message, failure, attempts, at, decision.why === 'refused' ? undefined : before?.firstError);
    await settleCrmSyncWork(message, 'gave_up', at);
    return;
  }
  const { attempt, waitSeconds: wait } = decision;
  const nextAt = new Date(at.getTime() + wait * 1000);
  // A doorbell SQS can deliver (<= 15 min) rings itself; the row is due after it plus a grace, so
  // only a lost one is rung by the sweep. A longer wait is rung by the sweep when it is due.
  const ringsItself = wait <= MAX_DOORBELL_DELAY_SECONDS;
  await recordCrmSyncFailure(
    message,
    `${failure.name}: ${failure.message}`,
    at,
    ringsItself ? new Date(nextAt.getTime() + DOORBELL_GRACE_SECONDS * 1000) : nextAt,
    nextAt,
  );
  if (ringsItself) await ringCrmSync(message, wait);
  if (message.bookingId) {
    await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', 'retry_later', { error: failure.name, attempt, retryInSeconds: wait }, at);
  }
}
