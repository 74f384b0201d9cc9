/** Booking node ScheduleNotifications: the confirmation and reminders become ledger rows. */
import { appendTimeline, requireBookingRecord } from '../booking/store';
import { InvariantError } from '../shared/errors';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';
import { planNotifications } from './ledger';
import { addLedgerRows } from './store';

export const handler = workflowNode('ScheduleNotifications', async ({ tenantId, bookingId }) => {
  const at = now();
  const [booking, tenant] = await Promise.all([requireBookingRecord(tenantId, bookingId), getTenant(tenantId)]);
  if (!booking.window || !tenant) throw new InvariantError('Booking has no window or tenant is missing');
  const planned = planNotifications({ window: booking.window, timeZone: tenant.timeZone, now: at, channel: 'sms' });
  const added = await addLedgerRows(tenantId, bookingId, planned);
  await appendTimeline(tenantId, bookingId, 'ScheduleNotifications', 'scheduled', { kinds: planned.map((p) => p.kind), added }, at);
  return { scheduled: planned.map((p) => p.kind) };
});
