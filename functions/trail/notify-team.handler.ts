/**
 * Trail node NotifyTeam (issue 19: was NotifyTechnician and NotifyDispatcher, two Lambdas): the job,
 * with full context, to the assigned technician's phone, and dispatch hears of every new job (an
 * emergency also reaches the on-call manager). It writes the messages' ledger rows, each naming the
 * ids of the booking's customer, job type and technician so the NotifyWorker reads them in its one
 * request (notify/store.ts readMessageSubject), and, as they are due now, queues them itself
 * (notify/queue-now.ts): the technician has the job seconds after the booking, not at the sweeper's
 * next tick (the sweeper stays the safety net); both timeline entries go to CloseTrail's one booking
 * write (trail/facts.ts TrailWrite). Each message keeps its own exception path: one that cannot be planned (no
 * technician) does not stop the other, and CloseTrail makes it a review item under its own step name
 * (NotifyTechnician, NotifyDispatcher) from this node's `failures`. With no dispatch contact
 * configured the skip is recorded on the timeline, never silent. A transient error fails the node
 * (its Task retries it; every write is idempotent).
 */
import { requireBookingRecord, type TimelineNote } from '../booking/store';
import type { PlannedNotification } from '../notify/plan';
import { addLedgerRows } from '../notify/queue-now';
import { partiesOf } from '../notify/store';
import { InvariantError, type NodeRaises, RetryableError } from '../shared/errors';
import { TRAIL_STEP_CATCH, workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { type TrailFacts, type TrailWrite, trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

/** The two messages' own step names: timeline entries and review items keep them. */
export const TEAM_MESSAGES = ['NotifyTechnician', 'NotifyDispatcher'] as const;
type TeamMessage = (typeof TEAM_MESSAGES)[number];

interface Planned {
  rows: PlannedNotification[];
  note: TimelineNote;
  result: Record<string, unknown>;
}

export const handler = workflowNode('NotifyTeam', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  const facts = trailFactsOf(state);
  // AssignTechnician's facts name the technician, schedule version and contacts; without them, the booking does.
  const booking = facts ? undefined : await requireBookingRecord(tenantId, bookingId);
  const plans: Record<TeamMessage, () => Promise<Planned>> = {
    NotifyTechnician: async () => {
      const technicianId = facts ? facts.technicianId : booking?.window?.technicianId;
      if (!technicianId) throw new InvariantError('The booking has no technician to notify');
      const version = facts ? facts.scheduleVersion : booking?.scheduleVersion;
      return {
        rows: [{ kind: 'technician_job', channel: 'sms', dueAt: at.toISOString(), technicianId, version }],
        note: { node: 'NotifyTechnician', outcome: 'queued', detail: { technicianId } },
        result: { technicianId },
      };
    },
    NotifyDispatcher: async () => {
      const dispatch = facts ?? (await readDispatchFacts(tenantId, booking!));
      const rows: PlannedNotification[] = [];
      if (dispatch.dispatchPhone) rows.push({ kind: 'dispatcher_alert', channel: 'sms', dueAt: at.toISOString() });
      if (dispatch.emergency && dispatch.onCallManagerPhone) rows.push({ kind: 'manager_alert', channel: 'sms', dueAt: at.toISOString() });
      return rows.length
        ? {
            rows,
            note: { node: 'NotifyDispatcher', outcome: 'queued', detail: { kinds: rows.map((r) => r.kind) } },
            result: { notified: rows.map((r) => r.kind) },
          }
        : {
            rows,
            note: { node: 'NotifyDispatcher', outcome: 'skipped', detail: { reason: 'no dispatch contact configured (PUT /v1/config/company dispatch)' } },
            result: { notified: [] },
          };
    },
  };
  const settled = await Promise.allSettled(TEAM_MESSAGES.map((message) => plans[message]()));
  // Worth another try (the store, a throttle): the whole node again, as the ASL retries it.
  for (const outcome of settled) if (outcome.status === 'rejected' && outcome.reason instanceof RetryableError) throw outcome.reason;
  const planned = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const results: Record<string, unknown> = {};
  const failures: Record<string, { Error: string; Cause: string }> = {};
  for (const [index, outcome] of settled.entries()) {
    const message = TEAM_MESSAGES[index]!;
    if (outcome.status === 'fulfilled') results[message] = outcome.value.result;
    else failures[message] = { Error: (outcome.reason as Error).name, Cause: JSON.stringify({ errorMessage: (outcome.reason as Error).message }) };
  }
  const rows = planned.flatMap((p) => p.rows);
  // The ids the worker reads with each row (never the caller's details).
  const parties = partiesOf(
    facts
      ? { customerId: facts.customerId, jobTypeId: facts.jobTypeId, technicianId: facts.technicianId }
      : { customerId: booking?.customerId, jobTypeId: booking?.jobTypeId, technicianId: booking?.window?.technicianId },
  );
  // Due now: written `queued` and rung on the notify queue here (notify/queue-now.ts), the sweeper the
  // safety net. A retried node finds its rows written and queues nothing again; a doorbell rung twice
  // is still one message (the worker claims the row before it sends).
  await addLedgerRows(tenantId, bookingId, rows, { at, ...(parties ? { parties } : {}) });
  // Both timeline entries go in CloseTrail's booking write.
  const write: TrailWrite = { notes: planned.map((p) => ({ ...p.note, at: at.toISOString() })) };
  return { ...results, ...(Object.keys(failures).length ? { failures } : {}), ...(planned.length ? { write } : {}) };
});

/** What the dispatcher's message decides on, read when the trail's state does not carry it. */
async function readDispatchFacts(
  tenantId: string,
  booking: Awaited<ReturnType<typeof requireBookingRecord>>,
): Promise<Pick<TrailFacts, 'emergency' | 'dispatchPhone' | 'onCallManagerPhone'>> {
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant) throw new InvariantError('Tenant missing');
  return {
    emergency: Boolean(booking.request.emergency || jobType?.emergency),
    dispatchPhone: Boolean(tenant.dispatch.phone),
    onCallManagerPhone: Boolean(tenant.dispatch.onCallManagerPhone),
  };
}
