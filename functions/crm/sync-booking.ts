/**
 * A CRM write a person's decision or a booking change makes (accept, dismiss, reschedule, cancel,
 * reassignment): written now, or, when it fails, whatever crm/sync-policy.ts decides: the crm-sync
 * outbox (the CRM down, out of time, a crash) or a crm_write_failed review item (the CRM refused).
 * The change itself stands either way.
 */
import { appendTimeline } from '../booking/store';
import { openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { getTenantPart } from '../tenant/store';
import type { JobState } from './mapping';
import { enqueueCrmSync } from './outbox-store';
import { crmSyncSchedule, decideCrmFailure, describeCrmFailure } from './sync-policy';
import { writeBookingToCrm } from './write';

export type CrmSyncOutcome = 'written' | 'outbox' | 'review';

export async function syncBookingToCrm(
  tenantId: string,
  bookingId: string,
  state: JobState,
  node: string,
  at: Date,
  /** Runs before the write is queued (accept marks the booking pending_crm_sync). */
  options: { beforeOutbox?: () => Promise<unknown> } = {},
): Promise<CrmSyncOutcome> {
  try {
    await writeBookingToCrm(tenantId, bookingId, at, { node, state });
    return 'written';
  } catch (error) {
    const failure = error as Error;
    // The tenant's own retry schedule (its first wait too); the default when its settings cannot be read now.
    const settings = await getTenantPart(tenantId, ['crmSync']).catch(() => undefined);
    const decision = decideCrmFailure(failure, { site: 'inline', at, schedule: crmSyncSchedule(settings) });
    if (decision.action === 'outbox') {
      logger.warn('CRM update deferred to the outbox', { tenantId, bookingId, node, error: failure.name });
      await options.beforeOutbox?.();
      await enqueueCrmSync({ tenantId, bookingId, state, firstError: describeCrmFailure(failure) }, decision.waitSeconds);
      await appendTimeline(tenantId, bookingId, node, 'queued_for_crm_sync', { state, error: failure.name }, at);
      return 'outbox';
    }
    if (decision.action === 'redeliver') throw error;
    await openReviewItem(
      tenantId,
      {
        kind: 'crm_write_failed',
        reason: `${failure.name}: ${failure.message} — the CRM refused the ${state} update`,
        subject: { type: 'booking', id: bookingId },
        payload: { node, state, error: failure.name, cause: failure.message },
        redrive: { type: 'message', queue: 'crm-sync', body: { tenantId, bookingId, state } },
      },
      at,
    );
    return 'review';
  }
}
