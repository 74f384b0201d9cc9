/**
 * Worker NotifyWorker (notify queue): renders a due message and sends it through the tenant's
 * provider. Here the provider is the local outbox (the default); issue 6 adds Twilio and SES behind
 * the same step. Partial batch responses: one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { getBookingRecord } from '../booking/store';
import { getCustomer } from '../recognise/store';
import { membershipMessageSubject } from '../renewals/store';
import { now } from '../shared/time';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { NOTIFICATION_KINDS, renderMessage } from './ledger';
import { recordSent } from './store';

const MessageSchema = z.object({
  tenantId: z.string(),
  bookingId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  technicianId: z.string().optional(),
  version: z.number().int().optional(),
});
const processor = new BatchProcessor(EventType.SQS);

async function sendOne(record: SQSRecord): Promise<void> {
  const row = MessageSchema.parse(JSON.parse(record.body));
  // A membership's messages (renewal notices, win-back) have the membership as their subject.
  const booking = (await getBookingRecord(row.tenantId, row.bookingId)) ?? (await membershipMessageSubject(row.tenantId, row.bookingId));
  if (!booking?.customerId) throw new Error(`Booking ${row.bookingId} cannot be notified yet`);
  const [tenant, customer, jobType, technicians] = await Promise.all([
    getTenant(row.tenantId),
    getCustomer(row.tenantId, booking.customerId),
    getJobType(row.tenantId, booking.jobTypeId),
    row.technicianId ? listTechnicians(row.tenantId) : Promise.resolve([]),
  ]);
  if (!tenant || !customer) throw new Error('Tenant or customer missing');
  const window = booking.window ?? { date: booking.request.window?.date ?? 'to be confirmed', start: booking.request.window?.start ?? '', end: '' };
  const text = renderMessage(row.kind, {
    firstName: customer.name.split(/\s+/)[0] ?? customer.name,
    jobTypeName: jobType?.name ?? 'service',
    companyName: tenant.name,
    ...window,
    job: booking.messageVars,
  });
  // On-call alerts go to the technician; everything else to the customer.
  const to = row.technicianId ? technicians.find((t) => t.technicianId === row.technicianId)?.phone : customer.phoneE164;
  if (!to) throw new Error(`No phone for the recipient of ${row.kind}`);
  await recordSent(row, { channel: 'sms', to, text }, now());
}

export const handler = async (event: SQSEvent) => processPartialResponse(event, sendOne, processor);
