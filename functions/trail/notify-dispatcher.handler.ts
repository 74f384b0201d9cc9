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

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('NotifyDispatcher', async ({ tenantId, bookingId }) => {
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant) throw new InvariantError('Tenant missing');
  const emergency = Boolean(booking.request.emergency || jobType?.emergency);
  const rows: PlannedNotification[] = [];
  if (tenant.dispatch.phone) rows.push({ kind: 'dispatcher_alert', channel: 'sms', dueAt: at.toISOString() });
  if (emergency && tenant.dispatch.onCallManagerPhone) rows.push({ kind: 'manager_alert', channel: 'sms', dueAt: at.toISOString() });
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
