/**
 * Worker NotifyWorker (notify queue): decides whether, when and where a due message goes (opt-outs,
 * quiet hours, channel), fills the tenant's template (a missing variable is a review item, never a
 * blank), and sends it through the tenant's provider (local outbox, Twilio SMS, SES email).
 * Partial batch responses: one bad message never fails its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { getBookingRecord } from '../booking/store';
import { getCustomer } from '../recognise/store';
import { membershipMessageSubject } from '../renewals/store';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { deadLetterPolicy } from '../registry';
import { openReviewItem } from '../review/store';
import { decideDelivery, recipientOf } from './delivery';
import { composeMessage, messageVariables, NOTIFICATION_KINDS } from './ledger';
import { providerFor } from './providers';
import { MessageRejectedError } from './providers/types';
import { deferRow, recordSent, settleRow } from './store';

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
    row.technicianId || TRAIL_KINDS.has(row.kind) || row.kind === 'technician_changed' || row.kind === 'delay_alert' ? listTechnicians(row.tenantId) : Promise.resolve([]),
  ]);
  if (!tenant || !customer) throw new Error('Tenant or customer missing');
  const at = now();
  const subject = { type: 'booking', id: row.bookingId };

  // Whether, when and where: opt-outs, quiet hours (company time zone), the customer's channels.
  const decision = decideDelivery({
    kind: row.kind, now: at, timeZone: tenant.timeZone, companyQuietHours: tenant.messaging.quietHours, customer,
  });
  if (decision.action === 'suppress') {
    await settleRow(row, 'suppressed', decision.reason, at);
    return;
  }
  if (decision.action === 'defer') {
    await deferRow(row, decision.until, decision.reason, at);
    return;
  }

  const window = booking.window ?? { date: booking.request.window?.date ?? 'to be confirmed', start: booking.request.window?.start ?? '', end: '' };
  const vars = messageVariables({
    customerName: customer.name,
    jobTypeName: jobType?.name,
    companyName: tenant.name,
    window,
    job: {
      ...booking.messageVars,
      ...(TRAIL_KINDS.has(row.kind) ? { details: jobDetails(booking, customer, technicians) } : {}),
      ...(row.kind === 'technician_changed' || row.kind === 'delay_alert' ? { technicianName: technicians.find((t) => t.technicianId === booking.window?.technicianId)?.name } : {}),
      ...(row.kind === 'delay_alert' && 'delayMinutes' in booking ? { delayMinutes: String(booking.delayMinutes ?? '') } : {}),
    },
  });
  const template = tenant.messaging.templates[row.kind];
  let text: string;
  try {
    text = composeMessage(row.kind, tenant.messaging.templates, vars);
  } catch (error) {
    // Never a blank or half-filled message: the row fails and a person fixes the template.
    await settleRow(row, 'failed', (error as Error).message, at);
    await openReviewItem(row.tenantId, {
      kind: 'notification_failed',
      reason: `The ${row.kind} template could not be filled: ${(error as Error).message}`,
      subject, payload: { kind: row.kind, template },
    }, at);
    return;
  }

  // Staff messages go to the technician or dispatch by SMS; customer messages by their channel.
  const channel = decision.channel;
  const to = row.technicianId
    ? technicians.find((t) => t.technicianId === row.technicianId)?.phone
    : recipientOf(row.kind) === 'dispatch'
      ? tenant.dispatch.phone
      : recipientOf(row.kind) === 'manager'
        ? tenant.dispatch.onCallManagerPhone
        : channel === 'email'
          ? customer.email
          : customer.phoneE164;
  if (!to) throw new Error(`No ${channel} address for the recipient of ${row.kind}`);

  const provider = await providerFor(tenant.messaging, channel);
  try {
    const { providerMessageId } = await provider.send({ channel, to, text, subject: channel === 'email' ? `${tenant.name}: ${row.kind.replace(/_/g, ' ')}` : undefined });
    await recordSent(row, { channel, to, text, provider: provider.name, providerMessageId }, at);
  } catch (error) {
    if (error instanceof MessageRejectedError) {
      await settleRow(row, 'failed', error.message, at);
      await openReviewItem(row.tenantId, { kind: 'notification_failed', reason: `${row.kind} was refused: ${error.message}`, subject, payload: { kind: row.kind, provider: provider.name } }, at);
      return;
    }
    // Worth another try: SQS redelivers; on the last receive a person hears of it before the DLQ.
    if (Number(record.attributes?.ApproximateReceiveCount ?? 1) >= deadLetterPolicy.maxReceiveCount) {
      await openReviewItem(row.tenantId, {
        kind: 'notification_failed',
        reason: `${row.kind} could not be sent after ${deadLetterPolicy.maxReceiveCount} tries: ${(error as Error).message}`,
        subject, payload: { kind: row.kind, provider: provider.name, redrive: 'notify DLQ' },
      }, at);
    }
    throw error;
  }
}

/** A failed message is retried by SQS; the log says which and why (ids and kinds only, never an address). */
async function sendOneLogged(record: SQSRecord): Promise<void> {
  try {
    await sendOne(record);
  } catch (error) {
    let subject: Record<string, unknown> = {};
    try {
      const row = MessageSchema.parse(JSON.parse(record.body));
      subject = { tenantId: row.tenantId, bookingId: row.bookingId, kind: row.kind };
    } catch {
      subject = { messageId: record.messageId };
    }
    logger.warn('notify: message not sent, SQS will retry it', { ...subject, receiveCount: record.attributes?.ApproximateReceiveCount, error: (error as Error).name, cause: (error as Error).message });
    throw error;
  }
}

export const handler = async (event: SQSEvent) => processPartialResponse(event, sendOneLogged, processor);
