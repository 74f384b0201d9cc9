/**
 * A booking written to a CRM without the ids the CRM files it under (ServiceTitan's job type,
 * campaign, business unit) is never a silent drop: one open `setup_required` review item per booking
 * names each id to map (GET /v1/config/crm/options lists them; PUT /v1/config/crm-mapping `ids`).
 */
import { findOpenReviewItems, openReviewItem } from '../review/store';
import type { MissingVendorId } from './vendor-ids';

export async function reportMissingMapping(tenantId: string, bookingId: string, adapter: string, missing: MissingVendorId[], at: Date): Promise<void> {
  const subject = { type: 'booking', id: bookingId };
  // A retried or later-state write of the same booking finds the item already open.
  if ((await findOpenReviewItems(tenantId, subject, 'setup_required')).length) return;
  await openReviewItem(
    tenantId,
    {
      kind: 'setup_required',
      reason: `CRM mapping missing (${adapter}): ${missing.map((m) => m.message).join('; ')}. Pick them in "Connect your CRM", then redrive or fix the booking in the CRM.`,
      subject,
      payload: { adapter, missing },
    },
    at,
  );
}
