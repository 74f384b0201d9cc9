/**
 * Worker StatusEventsWorker (status-events queue): applies job events from the field through the
 * transition table, with a conditional write on the job version, then runs the state's downstream
 * actions (CRM fields through the mapping table, messages, customer facts).
 * - duplicate (event id seen), stale (not after the last applied event) or invalid (the table does
 *   not allow it): a no-op, noted on the booking's timeline;
 * - a redelivered event that was applied but whose actions did not all finish: the actions run again
 *   (each is idempotent) until `jobEffectsEventId` says they are done;
 * - last receive (ApproximateReceiveCount at the DLQ limit): a review item with the error first,
 *   then the message fails once more and moves to the DLQ; its redrive re-sends the message.
 * Partial batch responses (Powertools batch): one job never holds up its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { appendTimeline, getBookingRecord } from '../booking/store';
import { findOpenReviewItems, openReviewItem, resolveReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { readableError, reviewedRecordHandler } from '../shared/worker';
import { getCustomer } from '../recognise/store';
import { getJobType, getTenant } from '../tenant/store';
import { cancelLedgerKinds, runJobEffects, WORKER_NODE } from './actions';
import { planJobEffects } from './plan';
import { loadDispatchDay } from '../dispatch/day';
import { computeSuggestions } from '../dispatch/suggestions';
import { addLedgerRows } from '../notify/store';
import { DELAY_EVENT, StatusEventMessageSchema, type StatusEventMessage } from './schemas';
import { commitJobEvent, lifecycleOf, markEffectsDone, recordDelay } from './store';
import { applyJobEvent, type JobEvent, type LifecycleState } from './transitions';

const processor = new BatchProcessor(EventType.SQS);
/** Booking statuses a job can run from (a rejected or dismissed request never became a job). */
const NOT_A_JOB = new Set(['received', 'rejected', 'dismissed']);
/** A job in one of these states cannot run late any more. */
const FINISHED: ReadonlySet<string> = new Set(['completed', 'invoiced', 'paid', 'cancelled', 'no_show']);
const MAX_VERSION_RACES = 5;

export type ApplyResult = { outcome: 'applied' | 'duplicate' | 'stale' | 'invalid' | 'no_booking' | 'reapplied_effects'; state?: string; reason?: string };

/** Applies one message. Exported for tests and tools that drive the worker's logic directly. */
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
  await addLedgerRows(tenantId, bookingId, [{ kind: 'delay_alert', channel: 'sms', dueAt: at.toISOString(), version }]);
}

async function openFailureItem(message: StatusEventMessage, error: Error, attempts: number, at: Date): Promise<void> {
  const subject = { type: 'booking', id: message.bookingId };
  if ((await findOpenReviewItems(message.tenantId, subject, 'workflow_failed')).some((item) => item.payload?.eventId === message.event.eventId)) return;
  await openReviewItem(
    message.tenantId,
    {
      kind: 'workflow_failed',
      reason: `${error.name}: ${error.message} — job event ${message.event.eventId} (${message.event.type}) failed ${attempts} times; it is in the status-events DLQ`,
      subject,
      payload: { node: WORKER_NODE, eventId: message.event.eventId, type: message.event.type, error: error.name, cause: error.message, attempts },
      redrive: { type: 'message', queue: 'status-events', body: message as unknown as Record<string, unknown> },
    },
    at,
  );
}

async function processRecord(record: SQSRecord): Promise<void> {
  const message = StatusEventMessageSchema.parse(JSON.parse(record.body));
  const at = now();
  const result = await applyStatusEvent(message, at);
  if (result.outcome === 'applied' || result.outcome === 'reapplied_effects') {
    // A redriven event that now went through closes its review item.
    const open = await findOpenReviewItems(message.tenantId, { type: 'booking', id: message.bookingId }, 'workflow_failed');
    for (const item of open.filter((i) => i.payload?.node === WORKER_NODE && i.payload?.eventId === message.event.eventId)) {
      await resolveReviewItem(message.tenantId, item.reviewItemId, WORKER_NODE, `Job event ${message.event.eventId} applied on redrive`, at);
    }
  }
}

/**
 * Whatever throws, the record's last receive opens the review item first (shared/worker.ts); a body
 * that is not a job event (it can never apply) is reviewed at once and kept in the item for redrive.
 */
const processRecordReviewed = reviewedRecordHandler(processRecord, {
  worker: 'status-events',
  isFinal: (error) => error.name === 'ZodError' || error instanceof SyntaxError,
  review: async ({ record, error, attempts, final, subject }) => {
    if (!subject) throw error; // nothing names a tenant: the DLQ (and its alarm) keeps it
    const parsed = StatusEventMessageSchema.safeParse(JSON.parse(record.body));
    if (parsed.success) return openFailureItem(parsed.data, error, attempts, now());
    await openReviewItem(
      subject.tenantId,
      {
        kind: 'workflow_failed',
        reason: `${final ? 'A job event that is not valid' : 'A job event'} for booking ${subject.bookingId} cannot be applied: ${readableError(error)}`,
        subject: { type: 'booking', id: subject.bookingId },
        payload: { node: WORKER_NODE, error: error.name, attempts },
        redrive: { type: 'message', queue: 'status-events', body: JSON.parse(record.body) as Record<string, unknown> },
      },
      now(),
    );
  },
});

// One record at a time: events of one job in one batch apply in arrival order without version races.
export const handler = async (event: SQSEvent) => processPartialResponse(event, processRecordReviewed, processor, { processInParallel: false });
