/**
 * Booking node ScheduleNotifications: what the booking's status allows becomes ledger rows. A
 * committed booking gets its confirmation and reminders; one waiting for a person gets "request
 * received"; an emergency also alerts the technicians on call that day.
 */
import { appendTimeline, requireBookingRecord } from '../booking/store';
import { isOnCall, localDate } from '../capacity/availability';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { workflowNode, BOOKING_NODE_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { planForStatus } from './plan';
import { addLedgerRows } from './store';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: BOOKING_NODE_CATCH };

export const handler = workflowNode('ScheduleNotifications', async ({ tenantId, bookingId, capacity }) => {
  const at = now();
  const [booking, tenant] = await Promise.all([requireBookingRecord(tenantId, bookingId), getTenant(tenantId)]);
  if (!tenant) throw new InvariantError('Tenant is missing');
  const date = booking.window?.date ?? localDate(at, tenant.timeZone);
  // Only the on-call technicians of the job's trade: never the HVAC tech for a plumbing emergency.
  const [jobType, technicians] = capacity?.emergency ? await Promise.all([getJobType(tenantId, booking.jobTypeId), listTechnicians(tenantId)]) : [];
  const ofTrade = new Set((technicians ?? []).filter((t) => jobType && t.trades.includes(jobType.trade)).map((t) => t.technicianId));
  const onCallTechnicianIds = capacity?.emergency
    ? [...new Set([...tenant.onCallRotation.filter((r) => ofTrade.has(r.technicianId) && isOnCall(tenant, r.technicianId, date)).map((r) => r.technicianId)])]
    : [];
  const planned = planForStatus({ status: booking.status, window: booking.window, timeZone: tenant.timeZone, now: at, channel: 'sms', onCallTechnicianIds });
  const added = await addLedgerRows(tenantId, bookingId, planned);
  await appendTimeline(tenantId, bookingId, 'ScheduleNotifications', 'scheduled', { kinds: planned.map((p) => p.kind), added }, at);
  return { scheduled: planned.map((p) => p.kind) };
});
