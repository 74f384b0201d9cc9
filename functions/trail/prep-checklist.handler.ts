/** Trail node PrepChecklist: the job type's internal prep steps become a checklist on the job. */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { type TrailFacts, trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('PrepChecklist', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  // AssignTechnician's facts carry the job type's checklist and what was ticked; without them, read.
  const facts = trailFactsOf(state) ?? (await readChecklistFacts(tenantId, bookingId));
  const items = facts.prepChecklist;
  if (!items.length) {
    await appendTimeline(tenantId, bookingId, 'PrepChecklist', 'none', { reason: 'the job type has no prep checklist' }, at);
    return { items: 0 };
  }
  // Re-entry keeps what was already ticked. One write: the checklist and its timeline entry.
  const done = new Set(facts.checklistDone);
  await updateBooking(
    tenantId,
    bookingId,
    { checklist: items.map((item) => ({ item, done: done.has(item) })) },
    { at, timeline: { node: 'PrepChecklist', outcome: 'created', detail: { items: items.length } } },
  );
  return { items: items.length };
});

/** What PrepChecklist decides on, read when the trail's state does not carry it. */
async function readChecklistFacts(tenantId: string, bookingId: string): Promise<Pick<TrailFacts, 'prepChecklist' | 'checklistDone'>> {
  const booking = await requireBookingRecord(tenantId, bookingId);
  return {
    prepChecklist: (await getJobType(tenantId, booking.jobTypeId))?.prepChecklist ?? [],
    checklistDone: (booking.checklist ?? []).filter((c) => c.done).map((c) => c.item),
  };
}
