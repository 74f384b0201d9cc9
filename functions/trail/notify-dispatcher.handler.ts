/**
 * Trail node NotifyDispatcher: dispatch hears of every new job; an emergency also reaches the on-call
 * manager. With no dispatch contact configured the skip is recorded on the timeline, never silent.
 */
import { appendTimeline, requireBookingRecord } from '../booking/store';
import type { PlannedNotification } from '../notify/plan';
import { addLedgerRows } from '../notify/store';
import { InvariantError, type NodeRaises } from '../shared/errors';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { type TrailFacts, trailFactsOf } from './facts';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('NotifyDispatcher', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  // AssignTechnician's facts say whether it is an emergency and which contacts are set; without them, read.
  const facts = trailFactsOf(state) ?? (await readDispatchFacts(tenantId, bookingId));
  const rows: PlannedNotification[] = [];
  if (facts.dispatchPhone) rows.push({ kind: 'dispatcher_alert', channel: 'sms', dueAt: at.toISOString() });
  if (facts.emergency && facts.onCallManagerPhone) rows.push({ kind: 'manager_alert', channel: 'sms', dueAt: at.toISOString() });
  if (!rows.length) {
    await appendTimeline(
      tenantId,
      bookingId,
      'NotifyDispatcher',
      'skipped',
      { reason: 'no dispatch contact configured (PUT /v1/config/company dispatch)' },
      at,
    );
    return { notified: [] };
  }
  await addLedgerRows(tenantId, bookingId, rows);
  await appendTimeline(tenantId, bookingId, 'NotifyDispatcher', 'queued', { kinds: rows.map((r) => r.kind) }, at);
  return { notified: rows.map((r) => r.kind) };
});

/** What NotifyDispatcher decides on, read when the trail's state does not carry it. */
async function readDispatchFacts(tenantId: string, bookingId: string): Promise<Pick<TrailFacts, 'emergency' | 'dispatchPhone' | 'onCallManagerPhone'>> {
  const booking = await requireBookingRecord(tenantId, bookingId);
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant) throw new InvariantError('Tenant missing');
  return {
    emergency: Boolean(booking.request.emergency || jobType?.emergency),
    dispatchPhone: Boolean(tenant.dispatch.phone),
    onCallManagerPhone: Boolean(tenant.dispatch.onCallManagerPhone),
  };
}
