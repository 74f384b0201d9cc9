/**
 * Trail node MaterialsCheck. Condition: the job type needs parts. Action: the parts go on the job as
 * a pick list for the technician. (No inventory is modelled yet, so nothing is flagged for ordering.)
 */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';
import { InvariantError, type NodeRaises } from '../shared/errors';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('MaterialsCheck', async ({ tenantId, bookingId }) => {
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  const materials = (await getJobType(tenantId, booking.jobTypeId))?.materials ?? [];
  if (!materials.length) {
    await appendTimeline(tenantId, bookingId, 'MaterialsCheck', 'none', { reason: 'the job type needs no parts' }, at);
    return { parts: 0 };
  }
  await updateBooking(tenantId, bookingId, { materials: materials.map((m) => ({ ...m, status: 'to_pick' as const })) }, { at });
  await appendTimeline(tenantId, bookingId, 'MaterialsCheck', 'listed', { parts: materials.length }, at);
  return { parts: materials.length };
});
