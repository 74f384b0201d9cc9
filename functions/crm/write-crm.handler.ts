/**
 * Booking node WriteCrm: customer upsert, job record and deal stage through the tenant's mapping
 * table and adapter, with source fields and the transcript as a note. A CRM that is down
 * (CrmUnavailableError) goes to the Catch path, which keeps the booking as pending_crm_sync and puts
 * the write in the crm-sync outbox; a CRM that refuses it goes to review at once.
 */
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { writeBookingToCrm } from './write';

export const handler = workflowNode('WriteCrm', async ({ tenantId, bookingId }) => {
  const result = await writeBookingToCrm(tenantId, bookingId, now(), { node: 'WriteCrm' });
  return { status: 'written' as const, externalIds: result.externalIds };
});
