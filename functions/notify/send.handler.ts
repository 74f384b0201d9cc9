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

const TRAIL_KINDS = new Set(['technician_job', 'dispatcher_alert', 'manager_alert']);

/**
 * Full context for the people doing the job: summary, access notes, notes, what the customer said,
 * service history and equipment. Goes in the message, never in logs.
 */
function jobDetails(
  booking: { summary?: string; request?: { accessNotes?: string; notes?: string; transcript?: Array<{ role: string; text: string }> }; window?: { technicianId?: string } | null },
  customer: { serviceHistory?: unknown[]; equipment?: Array<{ kind: string; make?: string; model?: string }> },
  technicians: Array<{ technicianId: string; name: string }>,
): string {
  const said = booking.request?.transcript?.find((turn) => turn.role === 'customer')?.text;
  const technician = technicians.find((t) => t.technicianId === booking.window?.technicianId)?.name;
  const equipment = (customer.equipment ?? []).map((e) => [e.kind, e.make, e.model].filter(Boolean).join(' '));
  return [
    booking.summary && `Summary: ${booking.summary}.`,
    booking.request?.accessNotes && `Access: ${booking.request.accessNotes}`,
    booking.request?.notes && `Notes: ${booking.request.notes}`,
    said && `Customer said: "${said.slice(0, 160)}"`,
    `History: ${customer.serviceHistory?.length ?? 0} past visits.`,
    equipment.length ? `Equipment: ${equipment.join(', ')}.` : undefined,
    technician && `Technician: ${technician}.`,
  ]
    .filter(Boolean)
    .join(' ');
}

async function sendOne(record: SQSRecord): Promise<void> {
  const row = MessageSchema.parse(JSON.parse(record.body));
  // A membership's messages (renewal notices, win-back) have the membership as their subject.
  const booking = (await getBookingRecord(row.tenantId, row.bookingId)) ?? (await membershipMessageSubject(row.tenantId, row.bookingId));
  if (!booking?.customerId) throw new Error(`Booking ${row.bookingId} cannot be notified yet`);
  const [tenant, customer, jobType, technicians] = await Promise.all([
    getTenant(row.tenantId),
    getCustomer(row.tenantId, booking.customerId),
    getJobType(row.tenantId, booking.jobTypeId),
    row.technicianId || TRAIL_KINDS.has(row.kind) ? listTechnicians(row.tenantId) : Promise.resolve([]),
  ]);
  if (!tenant || !customer) throw new Error('Tenant or customer missing');
  const window = booking.window ?? { date: booking.request.window?.date ?? 'to be confirmed', start: booking.request.window?.start ?? '', end: '' };
  const text = renderMessage(row.kind, {
    firstName: customer.name.split(/\s+/)[0] ?? customer.name,
    jobTypeName: jobType?.name ?? 'service',
    companyName: tenant.name,
    ...window,
    job: { ...booking.messageVars, ...(TRAIL_KINDS.has(row.kind) ? { details: jobDetails(booking, customer, technicians) } : {}) },
  });
  // Technician messages go to the technician, dispatch alerts to dispatch, everything else to the customer.
  const to = row.technicianId
    ? technicians.find((t) => t.technicianId === row.technicianId)?.phone
    : row.kind === 'dispatcher_alert'
      ? tenant.dispatch.phone
      : row.kind === 'manager_alert'
        ? tenant.dispatch.onCallManagerPhone
        : customer.phoneE164;
  if (!to) throw new Error(`No phone for the recipient of ${row.kind}`);
  await recordSent(row, { channel: 'sms', to, text }, now());
}

export const handler = async (event: SQSEvent) => processPartialResponse(event, sendOne, processor);
