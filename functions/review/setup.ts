/**
 * `setup_required` review items: work that needs a provider the tenant has not set up in AWS
 * (functions/tenant/setup.ts). One open item per tenant and area, however many messages or charges
 * hit it, so the queue says "set up SMS" once, not a thousand times.
 */
import type { SetupArea } from '../tenant/setup';
import { findOpenReviewItems, openReviewItem } from './store';

export function setupSubject(field: SetupArea) {
  return { type: 'setup', id: field };
}

export async function openSetupItem(tenantId: string, field: SetupArea, reason: string, at: Date = new Date()): Promise<void> {
  const subject = setupSubject(field);
  if ((await findOpenReviewItems(tenantId, subject, 'setup_required')).length) return;
  await openReviewItem(tenantId, { kind: 'setup_required', reason, subject, payload: { field } }, at);
}
