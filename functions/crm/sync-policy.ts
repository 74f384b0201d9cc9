/**
 * The one CRM-sync policy: what a failed CRM write of a kept booking means, and how long to wait
 * before the next try. Every call site asks here (RecordReviewItem for the workflow's WriteCrm,
 * accept/dismiss, booking changes, the crm-sync worker, the status-events worker) and only carries
 * the decision out. Pure: no AWS client, no clock of its own.
 *
 * | failure                                   | inline write (workflow, accept/dismiss, changes) | crm-sync worker (the outbox)              | status-events worker                 |
 * |-------------------------------------------|--------------------------------------------------|-------------------------------------------|--------------------------------------|
 * | refused (CrmRejectedError)                | review now                                       | review now                                | redeliver (see below)                |
 * | unavailable / timed out (CrmUnavailable,  | outbox, first backoff                            | outbox, growing backoff; review when the  | redeliver                            |
 * |   States.Timeout, Sandbox.Timedout, ...)  |                                                  |   schedule is spent                       |                                      |
 * | crashed (anything else)                   | outbox, first backoff                            | redeliver (SQS; last receive -> review)   | redeliver                            |
 *
 * Why the exceptions: a crash inside the crm-sync worker is the worker's own fault, not the CRM's,
 * so SQS redelivery (bounded by the receive count, whose last receive opens the review item) is its
 * retry. A status event's CRM write carries that event's facts (`job.*` of the mapping table), which
 * the outbox's message does not: the event itself is the durable record, so its queue redelivers
 * it (and its last receive opens the review item with the event as the redrive). The ASL's WriteCrm
 * has no Retry on purpose (its comment: the 29 s budget has room for one try; the Catch path ends
 * here, in the outbox).
 */
import { CrmRejectedError, CrmUnavailableError, isErrorOf } from '../shared/errors';
import type { Tenant } from '../tenant/model';

/** SQS caps a visibility timeout at 12 hours: no wait is longer. */
const MAX_WAIT_SECONDS = 12 * 60 * 60;

/** Error types a Lambda or a workflow reports when a call ran out of time (none of them says the CRM refused). */
const TIMEOUT_NAMES = new Set(['States.Timeout', 'Sandbox.Timedout', 'TimeoutError']);

export interface BackoffSettings {
  baseSeconds: number;
  maxSeconds: number;
}

export interface CrmSyncSchedule extends BackoffSettings {
  /** Retries stop (review item) this long after the first failure. */
  retryForSeconds: number;
}

/** The tenant's schedule (TenantSchema `crmSync`; its defaults when the tenant has none). */
export function crmSyncSchedule(tenant: Pick<Tenant, 'crmSync'> | undefined): CrmSyncSchedule {
  const settings = tenant?.crmSync ?? { retryForMinutes: 120, backoffBaseSeconds: 30, backoffMaxSeconds: 900 };
  return { baseSeconds: settings.backoffBaseSeconds, maxSeconds: settings.backoffMaxSeconds, retryForSeconds: settings.retryForMinutes * 60 };
}

/**
 * How long to wait before the next try after `attempt` failures: base * 2^(attempt-1), capped,
 * and never shorter than the CRM's own Retry-After.
 */
export function crmSyncBackoffSeconds(attempt: number, settings: BackoffSettings, retryAfterSeconds?: number): number {
  const n = Math.max(1, Math.floor(attempt) || 1);
  const grown = Math.min(settings.maxSeconds, settings.baseSeconds * 2 ** Math.min(n - 1, 30));
  return Math.min(MAX_WAIT_SECONDS, Math.max(Math.ceil(grown), Math.ceil(retryAfterSeconds ?? 0)));
}

/** Whether the retries are spent: the first failure was at least `retryForSeconds` ago. */
export function crmSyncGivesUp(firstFailedAt: string | undefined, at: Date, schedule: CrmSyncSchedule): boolean {
  if (!firstFailedAt) return false;
  return at.getTime() - Date.parse(firstFailedAt) >= schedule.retryForSeconds * 1000;
}

export type CrmFailureKind = 'refused' | 'unavailable' | 'crashed';

/**
 * What kind of failure this is: the error itself (thrown here) or its name (a workflow's
 * `failures.WriteCrm.Error`, which crossed a Lambda boundary). Only a CRM's refusal is a refusal: a
 * timeout or a crash may or may not have reached the CRM, and the outbox's retry finds a record a
 * lost attempt made (idempotency key, first-attempt time) instead of making a second.
 */
export function crmFailureKind(error: unknown): CrmFailureKind {
  if (isErrorOf(error, CrmRejectedError)) return 'refused';
  const name = typeof error === 'string' ? error : (error as { name?: unknown } | undefined)?.name;
  if (isErrorOf(error, CrmUnavailableError) || (typeof name === 'string' && TIMEOUT_NAMES.has(name))) return 'unavailable';
  return 'crashed';
}

/** Where the failed write was tried: inline (a node or a route), by the crm-sync worker, or by the status-events worker. */
export type CrmWriteSite = 'inline' | 'crm-sync' | 'status-event';

export type CrmFailureDecision =
  /** A person must look now: refused, or the schedule's retries are spent. */
  | { action: 'review'; kind: CrmFailureKind; why: 'refused' | 'retries_spent' }
  /** Keep the write in the crm-sync outbox and try again after `waitSeconds`. */
  | { action: 'outbox'; kind: CrmFailureKind; attempt: number; waitSeconds: number }
  /** Throw: the message that carried this write is redelivered (its last receive opens the review item). */
  | { action: 'redeliver'; kind: CrmFailureKind };

/**
 * The decision for one failed CRM write. `attempt` counts this failure (1 for the first);
 * `firstFailedAt` is when this write first failed (the outbox row's), if it failed before.
 */
export function decideCrmFailure(
  error: unknown,
  facts: { site: CrmWriteSite; at: Date; schedule: CrmSyncSchedule; attempt?: number; firstFailedAt?: string; retryAfterSeconds?: number },
): CrmFailureDecision {
  const kind = crmFailureKind(error);
  if (facts.site === 'status-event') return { action: 'redeliver', kind };
  if (kind === 'refused') return { action: 'review', kind, why: 'refused' };
  if (facts.site === 'crm-sync' && kind === 'crashed') return { action: 'redeliver', kind };
  const attempt = Math.max(1, facts.attempt ?? 1);
  if (crmSyncGivesUp(facts.firstFailedAt, facts.at, facts.schedule)) return { action: 'review', kind, why: 'retries_spent' };
  return { action: 'outbox', kind, attempt, waitSeconds: crmSyncBackoffSeconds(attempt, facts.schedule, facts.retryAfterSeconds) };
}

/** The outbox row's note of the first failure: the error's name and message, bounded. */
export function describeCrmFailure(error: unknown): string {
  const failure = error as { name?: string; message?: string };
  return `${failure?.name ?? 'Error'}: ${failure?.message ?? String(error)}`.slice(0, 1_000);
}
