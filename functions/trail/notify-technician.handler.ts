/** Trail node NotifyTechnician: the job, with full context, to the assigned technician's phone. */
import { appendTimeline, requireBookingRecord } from '../booking/store';
import { addLedgerRows } from '../notify/store';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('NotifyTechnician', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  // AssignTechnician's facts name the technician and schedule version; without them, the booking does.
  const facts = trailFactsOf(state);
  const booking = facts ? undefined : await requireBookingRecord(tenantId, bookingId);
  const technicianId = facts ? facts.technicianId : booking?.window?.technicianId;
  if (!technicianId) throw new InvariantError('The booking has no technician to notify');
  const version = facts ? facts.scheduleVersion : booking?.scheduleVersion;
  await addLedgerRows(tenantId, bookingId, [{ kind: 'technician_job', channel: 'sms', dueAt: at.toISOString(), technicianId, version }]);
  await appendTimeline(tenantId, bookingId, 'NotifyTechnician', 'queued', { technicianId }, at);
  return { technicianId };
});
