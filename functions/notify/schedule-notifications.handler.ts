/**
 * Booking node ScheduleNotifications: what the booking's status allows becomes ledger rows. A
 * committed booking gets its confirmation and reminders; one waiting for a person gets "request
 * received"; an emergency also alerts the technicians on call that day. What is due now (the
 * confirmation or "request received", an on-call alert) is queued here at once (notify/queue-now.ts),
 * so the customer has the text seconds after the booking answer; the sweeper is the safety net.
 * Idempotent: a row that exists is neither written nor queued again. The rows and the node's
 * timeline entry are one DynamoDB request (issue 19).
 */
import { bookingOf, factsOf, jobTypeOf } from '../booking/facts';
import { isOnCall, localDate } from '../capacity/availability';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { workflowNode, BOOKING_NODE_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { tenantConfig } from '../tenant/config-cache';
import { listTechnicians } from '../tenant/store';
import { planForStatus } from './plan';
import { queueWritten } from './queue-now';
import { scheduleLedgerRows } from './schedule-store';
import { partiesOf } from './store';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('ScheduleNotifications', async (state) => {
  const { tenantId, bookingId, capacity } = state;
  const at = now();
  // CommitSlot's outcome carries the status and window; the run's facts the rest (booking/facts.ts).
  const [booking, tenant] = await Promise.all([bookingOf(state), tenantConfig(tenantId, factsOf(state)?.configVersion)]);
  if (!tenant) throw new InvariantError('Tenant is missing');
  const status = state.commit?.status ?? booking.status;
  const window = state.commit ? (state.commit.window ?? null) : booking.window;
  const date = window?.date ?? localDate(at, tenant.timeZone);
  // Only the on-call technicians of the job's trade: never the HVAC tech for a plumbing emergency.
  const [jobType, technicians] = capacity?.emergency ? await Promise.all([jobTypeOf(state, booking.jobTypeId), listTechnicians(tenantId)]) : [];
  const ofTrade = new Set((technicians ?? []).filter((t) => jobType && t.trades.includes(jobType.trade)).map((t) => t.technicianId));
  const onCallTechnicianIds = capacity?.emergency
    ? [...new Set([...tenant.onCallRotation.filter((r) => ofTrade.has(r.technicianId) && isOnCall(tenant, r.technicianId, date)).map((r) => r.technicianId)])]
    : [];
  const planned = planForStatus({ status, window, timeZone: tenant.timeZone, now: at, channel: 'sms', onCallTechnicianIds });
  // The rows and the timeline entry in one request (notify/schedule-store.ts): the entry says how
  // many rows were added and how many of them go now (their doorbells ring next).
  const kinds = planned.map((p) => p.kind);
  // The ids the worker reads with each row and message (never the caller's details).
  const parties = partiesOf({ customerId: booking.customerId, jobTypeId: booking.jobTypeId, technicianId: window?.technicianId });
  const written = await scheduleLedgerRows(tenantId, bookingId, planned, {
    queuedAt: at,
    ...(parties ? { parties } : {}),
    timeline: {
      node: 'ScheduleNotifications',
      outcome: 'scheduled',
      detail: (added) => ({ kinds, added: added.length, dueNow: added.filter((row) => row.queued).length }),
    },
  });
  await queueWritten(tenantId, bookingId, written, parties, at);
  return { scheduled: kinds };
});
