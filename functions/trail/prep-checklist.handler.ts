/**
 * Trail node PrepChecklist: the job type's internal prep steps become a checklist on the job. It
 * decides and writes nothing (issue 19): the checklist and its timeline entry go in CloseTrail's one
 * booking write (trail/facts.ts TrailWrite).
 */
import { requireBookingRecord } from '../booking/store';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { type TrailFacts, type TrailWrite, trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('PrepChecklist', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now().toISOString();
  // AssignTechnician's facts carry the job type's checklist and what was ticked; without them, read.
  const facts = trailFactsOf(state) ?? (await readChecklistFacts(tenantId, bookingId));
  const items = facts.prepChecklist;
  if (!items.length) {
    const write: TrailWrite = { notes: [{ node: 'PrepChecklist', outcome: 'none', detail: { reason: 'the job type has no prep checklist' }, at }] };
    return { items: 0, write };
  }
  // Re-entry keeps what was already ticked.
  const done = new Set(facts.checklistDone);
  const write: TrailWrite = {
    fields: { checklist: items.map((item) => ({ item, done: done.has(item) })) },
    notes: [{ node: 'PrepChecklist', outcome: 'created', detail: { items: items.length }, at }],
  };
  return { items: items.length, write };
});

/** What PrepChecklist decides on, read when the trail's state does not carry it. */
async function readChecklistFacts(tenantId: string, bookingId: string): Promise<Pick<TrailFacts, 'prepChecklist' | 'checklistDone'>> {
  const booking = await requireBookingRecord(tenantId, bookingId);
  return {
    prepChecklist: (await getJobType(tenantId, booking.jobTypeId))?.prepChecklist ?? [],
    checklistDone: (booking.checklist ?? []).filter((c) => c.done).map((c) => c.item),
  };
}
