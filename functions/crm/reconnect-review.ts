/**
 * A CRM connection that only the owner can mend is never a silent loss: Jobber refusing the stored
 * refresh token (it rotates on every refresh, so a process killed after Jobber answered and before
 * the new token was stored leaves a dead one; an uninstalled app does the same) opens one
 * `setup_required` review item about the connection, and a working connection resolves it.
 */
import { openReviewItem, resolveReviewItemsFor } from '../review/store';

const subjectOf = (adapter: string) => ({ type: 'crm', id: adapter });

/** Opened once per dead connection (the caller decides "once": crm/adapters/jobber-token-store.ts markJobberRefused). */
export async function reportReconnectNeeded(tenantId: string, adapter: 'jobber', detail: string, at: Date): Promise<void> {
  await openReviewItem(
    tenantId,
    {
      kind: 'setup_required',
      reason: `Jobber refused the connection's refresh token (${detail.slice(0, 200)}): CRM writes to Jobber are stopped. Reconnect Jobber in Settings, then redrive the bookings' CRM review items.`,
      subject: subjectOf(adapter),
      payload: { adapter, action: 'reconnect' },
    },
    at,
  );
}

/** The connection works again (the owner reconnected): its open reconnect items are resolved. */
export async function resolveReconnectNeeded(tenantId: string, adapter: 'jobber', at: Date): Promise<void> {
  await resolveReviewItemsFor(tenantId, subjectOf(adapter), 'setup_required', 'system', `${adapter} reconnected`, at);
}
