/**
 * Trail node MaterialsCheck. Condition: the job type needs parts. Action: the parts go on the job as
 * a pick list for the technician. (No inventory is modelled yet, so nothing is flagged for ordering.)
 * It decides and writes nothing (issue 19): the pick list and its timeline entry go in CloseTrail's
 * one booking write (trail/facts.ts TrailWrite).
 */
import { requireBookingRecord } from '../booking/store';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { type TrailWrite, trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('MaterialsCheck', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now().toISOString();
  // AssignTechnician's facts carry the job type's parts; without them, read.
  const materials = trailFactsOf(state)?.materials ?? (await readMaterials(tenantId, bookingId));
  if (!materials.length) {
    const write: TrailWrite = { notes: [{ node: 'MaterialsCheck', outcome: 'none', detail: { reason: 'the job type needs no parts' }, at }] };
    return { parts: 0, write };
  }
  const write: TrailWrite = {
    fields: { materials: materials.map((m) => ({ ...m, status: 'to_pick' as const })) },
    notes: [{ node: 'MaterialsCheck', outcome: 'listed', detail: { parts: materials.length }, at }],
  };
  return { parts: materials.length, write };
});

async function readMaterials(tenantId: string, bookingId: string) {
  const booking = await requireBookingRecord(tenantId, bookingId);
  return (await getJobType(tenantId, booking.jobTypeId))?.materials ?? [];
}
