/**
 * Applying one job event from the field (use case of the StatusEventsWorker, status-events.handler.ts):
 * through the transition table with a conditional write on the job version, then the state's
 * downstream actions (CRM fields through the mapping table, messages, customer facts).
 * - duplicate (event id seen), stale (not after the last applied event) or invalid (the table does
 *   not allow it): a no-op, noted on the booking's timeline;
 * - a version race lost to another event: decided again on the fresh job (at most MAX_VERSION_RACES);
 * - a redelivered event that was applied but whose actions did not all finish: the actions run again
 *   (each is idempotent) until `jobEffectsEventId` says they are done;
 * - a later event applied while the actions ran: what the current state cancels is cancelled again;
 * - a `delayed` report: recorded on the job, and dispatch alerted when the next job is at risk.
 */
import { appendTimeline, getBookingRecord } from '../booking/store';
import { loadDispatchDay } from '../dispatch/day';
import { computeSuggestions } from '../dispatch/suggestions';
import { addLedgerRows } from '../notify/queue-now';
import { getCustomer } from '../recognise/store';
import { logger } from '../shared/logger';
import { getJobType, getTenant } from '../tenant/store';
import { cancelLedgerKinds, runJobEffects, WORKER_NODE } from './actions';
import { planJobEffects } from './plan';
import { DELAY_EVENT, type StatusEventMessage } from './schemas';
import { commitJobEvent, lifecycleOf, markEffectsDone, recordDelay } from './store';
import { applyJobEvent, type JobEvent, type LifecycleState } from './transitions';

/** Booking statuses a job can run from (a rejected or dismissed request never became a job). */
const NOT_A_JOB = new Set(['received', 'rejected', 'dismissed']);
/** A job in one of these states cannot run late any more. */
const FINISHED: ReadonlySet<string> = new Set(['completed', 'invoiced', 'paid', 'cancelled', 'no_show']);
const MAX_VERSION_RACES = 5;

export type ApplyResult = { outcome: 'applied' | 'duplicate' | 'stale' | 'invalid' | 'no_booking' | 'reapplied_effects'; state?: string; reason?: string };

/** Applies one message of the status-events queue. */
export async function applyStatusEvent(message: StatusEventMessage, at: Date): Promise<ApplyResult> {
  if (message.event.type === DELAY_EVENT) return applyDelayReport(message, at);
  const { tenantId, bookingId, event } = message;
  for (let attempt = 0; attempt < MAX_VERSION_RACES; attempt++) {
    const booking = await getBookingRecord(tenantId, bookingId);
    if (!booking) {
      logger.warn('status-events: no such booking, dropping the event', { tenantId, bookingId, eventId: event.eventId });
      return { outcome: 'no_booking' };
    }
    const job = lifecycleOf(booking);
    const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
    if (!tenant) throw new Error(`Tenant ${tenantId} is missing`);

    if (NOT_A_JOB.has(booking.status)) {
      await appendTimeline(
        tenantId,
        bookingId,
        WORKER_NODE,
        'ignored_invalid',
        { eventId: event.eventId, type: event.type, reason: `booking is ${booking.status}` },
        at,
      );
      return { outcome: 'invalid', reason: `booking is ${booking.status}` };
    }
    const decision = applyJobEvent(job, event as JobEvent);
    const customer = booking.customerId ? await getCustomer(tenantId, booking.customerId) : undefined;
    const channel = customer?.communicationPreferences.channels.includes('sms') === false && customer.email ? 'email' : 'sms';
    const planFor = (state: LifecycleState, b = booking) => planJobEffects({ state, event, booking: b, tenant, jobType, channel });

    if (decision.outcome === 'duplicate') {
      // The last applied event whose actions did not all finish (a crash, a failed CRM write): run them again.
      if (booking.lastEventId === event.eventId && booking.jobEffectsEventId !== event.eventId) {
        const plan = planFor(job.state);
        await runJobEffects({ tenant, booking, state: job.state, event, plan, jobType, at });
        await markEffectsDone(tenantId, bookingId, event.eventId);
        return { outcome: 'reapplied_effects', state: job.state };
      }
      return { outcome: 'duplicate', state: job.state, reason: decision.reason };
    }
    if (decision.outcome !== 'applied') {
      await appendTimeline(
        tenantId,
        bookingId,
        WORKER_NODE,
        `ignored_${decision.outcome}`,
        { eventId: event.eventId, type: event.type, state: job.state, reason: decision.reason },
        at,
      );
      return { outcome: decision.outcome, state: job.state, reason: decision.reason };
    }

    const plan = planFor(decision.next.state);
    if (!(await commitJobEvent(tenantId, bookingId, job.version, decision.next, plan.fields, at))) continue; // another event won: decide again
    await appendTimeline(
      tenantId,
      bookingId,
      WORKER_NODE,
      decision.next.state,
      { eventId: event.eventId, from: decision.from, version: decision.next.version, source: message.source },
      at,
    );
    const fresh = (await getBookingRecord(tenantId, bookingId)) ?? booking;
    const effects = await runJobEffects({ tenant, booking: fresh, state: decision.next.state, event, plan, jobType, at });
    // A later event may have been applied (and run its cancellations) while these actions ran, e.g.
    // paid overtaking invoiced: cancel again what the job's current state cancels.
    const latest = await getBookingRecord(tenantId, bookingId);
    if (latest && (latest.jobVersion ?? 0) > decision.next.version) {
      const current = lifecycleOf(latest).state;
      const kinds = planFor(current, latest).cancelKinds;
      if (kinds.length) await cancelLedgerKinds(tenantId, bookingId, kinds, at);
    }
    await markEffectsDone(tenantId, bookingId, event.eventId);
    logger.info('job event applied', { tenantId, bookingId, eventId: event.eventId, state: decision.next.state, ...effects });
    return { outcome: 'applied', state: decision.next.state };
  }
  throw new Error(`Job ${bookingId} kept changing under event ${event.eventId}; retrying later`);
}

/** A `delayed` report: recorded on the job (latest wins) for dispatch; the job's state is unchanged. */
async function applyDelayReport(message: StatusEventMessage, at: Date): Promise<ApplyResult> {
  const { tenantId, bookingId, event } = message;
  const booking = await getBookingRecord(tenantId, bookingId);
  if (!booking) return { outcome: 'no_booking' };
  const state = lifecycleOf(booking).state;
  if (NOT_A_JOB.has(booking.status) || booking.status === 'cancelled' || FINISHED.has(state)) {
    const reason = `a ${NOT_A_JOB.has(booking.status) || booking.status === 'cancelled' ? booking.status : state} job cannot run late`;
    await appendTimeline(tenantId, bookingId, WORKER_NODE, 'ignored_invalid', { eventId: event.eventId, type: event.type, reason }, at);
    return { outcome: 'invalid', state, reason };
  }
  const delayMinutes = event.data.delayMinutes ?? 0;
  const outcome = await recordDelay(tenantId, bookingId, { eventId: event.eventId, occurredAt: event.occurredAt, delayMinutes, reason: event.data.reason }, at);
  if (outcome === 'kept') {
    const fresh = await getBookingRecord(tenantId, bookingId);
    if (fresh?.delayEventId === event.eventId) return { outcome: 'duplicate', state, reason: `event ${event.eventId} was already applied` };
    const reason = `delay reported at ${event.occurredAt} is not after the last report (${fresh?.delayReportedAt})`;
    await appendTimeline(tenantId, bookingId, WORKER_NODE, 'ignored_stale', { eventId: event.eventId, type: event.type, reason }, at);
    return { outcome: 'stale', state, reason };
  }
  await appendTimeline(
    tenantId,
    bookingId,
    WORKER_NODE,
    delayMinutes > 0 ? 'running_late' : 'back_on_time',
    {
      eventId: event.eventId,
      delayMinutes,
      ...(event.data.reason ? { reason: event.data.reason } : {}),
      source: message.source,
    },
    at,
  );
  if (delayMinutes > 0 && booking.window) await alertDispatchIfAtRisk(tenantId, bookingId, booking.window.date, event, at);
  logger.info('job delay recorded', { tenantId, bookingId, eventId: event.eventId, delayMinutes });
  return { outcome: 'applied', state };
}

/**
 * Dispatch hears of a delay that puts the technician's next job at risk (the suggestions say so)
 * at once, rather than only when someone looks at the board. One alert per report: the ledger
 * row's version is the report's minute, so a redelivered event adds nothing.
 */
async function alertDispatchIfAtRisk(tenantId: string, bookingId: string, date: string, event: StatusEventMessage['event'], at: Date): Promise<void> {
  const suggestions = await computeSuggestions(await loadDispatchDay(tenantId, date), at, { maxMoves: 1 });
  if (!suggestions.some((s) => s.reason.lateBookingId === bookingId)) return;
  const version = Math.floor(Date.parse(event.occurredAt) / 60_000);
  await addLedgerRows(tenantId, bookingId, [{ kind: 'delay_alert', channel: 'sms', dueAt: at.toISOString(), version }], { at });
}
