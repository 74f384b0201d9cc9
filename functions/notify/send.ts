/**
 * Sending one notification (use case of the NotifyWorker, send.handler.ts), and the review item for
 * one that failed for good or for the last time.
 */
import { randomUUID } from 'node:crypto';
import type { BookingRecord } from '../booking/store';
import { PAYMENT_REMINDER_KINDS } from '../lifecycle/plan';
import { invoiceDescription, invoicePaymentLink } from '../renewals/payment-link';
import { logger } from '../shared/logger';
import type { Tenant } from '../tenant/model';
import { type CustomerRecord, emptyProfile } from '../recognise/store';
import { membershipMessageSubject } from '../renewals/store';
import type { RedrivePlan } from '../review/schemas';
import { findOpenReviewItems, openReviewItem, resolveReviewItem } from '../review/store';
import { openSetupItem } from '../review/setup';
import { countMessage } from '../shared/metrics';
import { SecretNotSetError } from '../shared/secrets';
import { now } from '../shared/time';
import { readableError, type FailedRecord } from '../shared/worker';
import { SetupRequiredError } from '../tenant/setup';
import { carriesJobDetails, composeMessage, composeSubject, type MessageLanguage, messageVariables, recipientOf } from './catalogue';
import { emailHtml } from './email';
import { decideDelivery } from './delivery';
import { providerFor } from './providers';
import { usesOutbox } from './providers/outbox';
import { MessageRejectedError, MessageUnaddressableError } from './providers/types';
import { NotifyMessageSchema, type NotifyMessage } from './schemas';
import { type InboundAlertFacts, inboundAlertFacts } from './reply-store';
import { claimRow, deferRow, howToTake, readMessageParties, readRowSubject, recordSent, reopenFailedRow, settleRow } from './store';

/** The job details' labels in the reader's language. */
const DETAIL_LABELS = {
  en: {
    summary: 'Summary',
    access: 'Access',
    notes: 'Notes',
    said: 'Customer said',
    history: 'History',
    visits: 'past visits',
    equipment: 'Equipment',
    technician: 'Technician',
  },
  es: {
    summary: 'Resumen',
    access: 'Acceso',
    notes: 'Notas',
    said: 'El cliente dijo',
    history: 'Historial',
    visits: 'visitas anteriores',
    equipment: 'Equipos',
    technician: 'Técnico',
  },
} as const satisfies Record<MessageLanguage, Record<string, string>>;

/**
 * Full context for the people doing the job: summary, access notes, notes, what the customer said,
 * service history and equipment. Goes in the message, never in logs.
 */
function jobDetails(
  booking: {
    summary?: string;
    request?: { accessNotes?: string; notes?: string; transcript?: Array<{ role: string; text: string }> };
    window?: { technicianId?: string } | null;
  },
  customer: { serviceHistory?: unknown[]; equipment?: Array<{ kind: string; make?: string; model?: string }> },
  technicians: Array<{ technicianId: string; name: string }>,
  language: MessageLanguage = 'en',
): string {
  const said = booking.request?.transcript?.find((turn) => turn.role === 'customer')?.text;
  const technician = technicians.find((t) => t.technicianId === booking.window?.technicianId)?.name;
  const equipment = (customer.equipment ?? []).map((e) => [e.kind, e.make, e.model].filter(Boolean).join(' '));
  const l = DETAIL_LABELS[language];
  return [
    booking.summary && `${l.summary}: ${booking.summary}.`,
    booking.request?.accessNotes && `${l.access}: ${booking.request.accessNotes}`,
    booking.request?.notes && `${l.notes}: ${booking.request.notes}`,
    said && `${l.said}: "${said.slice(0, 160)}"`,
    `${l.history}: ${customer.serviceHistory?.length ?? 0} ${l.visits}.`,
    equipment.length ? `${l.equipment}: ${equipment.join(', ')}.` : undefined,
    technician && `${l.technician}: ${technician}.`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The language of a message's recipient (English when they set none). */
function recipientLanguage(
  row: NotifyMessage,
  tenant: Tenant,
  customer: { language?: MessageLanguage },
  technicians: Array<{ technicianId: string; language?: MessageLanguage }>,
): MessageLanguage {
  if (row.technicianId) return technicians.find((t) => t.technicianId === row.technicianId)?.language ?? 'en';
  switch (recipientOf(row.kind)) {
    case 'customer':
      return customer.language ?? 'en';
    case 'dispatch':
      return tenant.dispatch.language ?? 'en';
    case 'manager':
      return tenant.dispatch.onCallManagerLanguage ?? 'en';
    default:
      return 'en';
  }
}

/** The subject of an alert about a text from a number with no booking: the caller as far as known. */
function inboundSubject(facts: InboundAlertFacts | undefined) {
  if (!facts) return undefined;
  const at = new Date().toISOString();
  const caller: CustomerRecord = {
    tenantId: '',
    customerId: '',
    name: 'an unknown number',
    phoneE164: facts.from,
    addresses: [],
    ...emptyProfile(),
    createdAt: at,
    updatedAt: at,
  };
  return {
    ...(facts.customerId ? { customerId: facts.customerId } : {}),
    caller,
    jobTypeId: '',
    window: null,
    request: {} as BookingRecord['request'],
    messageVars: { replyText: facts.text, noBooking: 'yes' },
  };
}

/**
 * A payment reminder carries the open invoice's payment link (made once, stored on the booking).
 * When the provider cannot make one now, the reminder still goes, asking the customer to reply PAY.
 */
async function reminderPaymentUrl(
  tenant: Tenant,
  row: NotifyMessage,
  booking: Partial<BookingRecord>,
  jobTypeName: string | undefined,
  at: Date,
): Promise<string | undefined> {
  if (!PAYMENT_REMINDER_KINDS.includes(row.kind) || !booking.bookingId || booking.messageVars?.paymentUrl) return undefined;
  const link = await invoicePaymentLink(tenant, booking as BookingRecord, invoiceDescription(tenant.name, jobTypeName), at);
  if (link.ok) return link.url;
  if (link.reason !== 'no_invoice') logger.warn('payment reminder sent without a link', { tenantId: tenant.tenantId, kind: row.kind, reason: link.reason });
  return undefined;
}

/**
 * Why a message about a schedule change is no longer to be sent, read from the booking as it is now
 * (undefined: send it). Every text is written from the booking's current details at send time, so a
 * message of an earlier change (its row's `version` below the booking's `scheduleVersion`) would
 * repeat the newer change's text. Per kind:
 * - the customer's "moved": only a newer move of the time replaces it (the booking's `windowVersion`
 *   is above the row's; that text names the technician of the moment). A newer change of the
 *   technician alone does not: its text says "still on <time>", and the customer must still hear that
 *   the time moved. A booking without `windowVersion` (moved before it was recorded) never drops it;
 * - the customer's "new technician": any newer change sent its own text, which names the technician;
 * - neither after the job was cancelled (the customer has the cancellation);
 * - a technician's new-job alert: dropped only when the job has left that technician again (they
 *   would be told of a job that is no longer theirs); while it is still theirs it is their notice;
 * - a technician's "removed" alert: dropped only when the job has come back to that technician.
 * Only these kinds: their writers always set the schedule version (booking/changes.ts
 * announceScheduleChange). A cancellation's version is above the booking's (nothing follows it);
 * reminders, confirmations and the rest never are dropped for this (their `version`, when set, is
 * not always the schedule's: a reply alert's is its time).
 */
export function supersededBy(row: NotifyMessage, booking: Pick<BookingRecord, 'scheduleVersion' | 'windowVersion' | 'window' | 'status'>): string | undefined {
  const moved = row.kind === 'reschedule_confirmation' || row.kind === 'technician_changed';
  // A move's text after the cancellation's would tell the customer the visit still happens.
  if (moved && booking.status === 'cancelled') return 'Not sent: the job was cancelled before this went out; the customer was told of the cancellation.';
  if ((row.version ?? 1) >= (booking.scheduleVersion ?? 1)) return undefined;
  const technicianId = booking.window?.technicianId;
  switch (row.kind) {
    case 'reschedule_confirmation':
      return (booking.windowVersion ?? 0) > (row.version ?? 1)
        ? "Not sent: the visit's time was changed again before this went out; the message about the newer time replaced it."
        : undefined;
    case 'technician_changed':
      return 'Not sent: the job was changed again before this went out; the message about the newer change replaced it.';
    case 'technician_assigned':
      return row.technicianId !== technicianId ? 'Not sent: the job was moved away from this technician again before this went out.' : undefined;
    case 'technician_unassigned':
      return row.technicianId === technicianId ? 'Not sent: the job came back to this technician before this went out.' : undefined;
    default:
      return undefined;
  }
}

/**
 * Sends one due ledger row: whether, when and where it goes (opt-outs, quiet hours, channel), the
 * tenant's template or the catalogue's wording (a missing variable is a review item, never a blank),
 * through the tenant's provider. Throws what is worth another try; MessageUnaddressableError when
 * nobody can receive it.
 */
export async function sendNotification(row: NotifyMessage, options: { messageId?: string } = {}): Promise<void> {
  // One read (issue 19: were six, then two): the row, the booking, the tenant and the parties the
  // message names (its writer's ids); a party it did not name, or no longer the booking's, one more.
  const first = await readRowSubject(row);
  const taken = now();
  const claimant = options.messageId ?? randomUUID();
  if (!first.open) {
    // The sweeper queues a row again when its message seems lost: one that was settled meanwhile is
    // done. Unless a person redrove it from its review item after it failed for good: it opens again.
    if (!(row.redrive && first.failed && (await reopenFailedRow(row, claimant, taken)))) return;
  } else if (first.standing) {
    // A row may have two messages (two sweeps at once, a late doorbell and its requeue): the one whose
    // ring queued the row sends, without a claim in the common case; another ring's is dropped; where
    // the two may meet, one takes the row before anything is sent and the other finds it taken or
    // settled (store.ts howToTake, claimRow).
    const take = howToTake(first.standing, row.ring, taken);
    if (take === 'drop' || (take === 'claim' && !(await claimRow(row, first.standing, claimant, taken)))) return;
  }
  // A newer change of the schedule replaced this message (texts are written from the booking as it is now).
  const superseded = first.booking && supersededBy(row, first.booking);
  if (superseded) {
    await settleRow(row, 'superseded', superseded, now());
    return;
  }
  // A membership's messages (renewal notices, win-back) have the membership as their subject.
  // A text from a number with no booking has the inbound message as its subject (the dispatcher's alert).
  const booking =
    first.booking ?? (await membershipMessageSubject(row.tenantId, row.bookingId)) ?? inboundSubject(await inboundAlertFacts(row.tenantId, row.bookingId));
  if (!booking?.customerId && !(booking && 'caller' in booking)) throw new Error(`Booking ${row.bookingId} cannot be notified yet`);
  const parties = await readMessageParties(
    row.tenantId,
    {
      customerId: booking.customerId,
      jobTypeId: booking.jobTypeId || undefined,
      // The recipient (a technician's message) and the booked technician (named in the text).
      technicianIds: [row.technicianId, booking.window?.technicianId],
    },
    first.prefetched,
  );
  const { tenant } = first;
  const { jobType, technicians } = parties;
  const customer = booking.customerId ? parties.customer : 'caller' in booking ? booking.caller : undefined;
  if (!tenant || !customer) throw new Error('Tenant or customer missing');
  const at = now();
  const subject = { type: 'booking', id: row.bookingId };

  // Whether, when and where: opt-outs, quiet hours (company time zone), the customer's channels.
  const decision = decideDelivery({
    kind: row.kind,
    now: at,
    timeZone: tenant.timeZone,
    companyQuietHours: tenant.messaging.quietHours,
    customer,
  });
  if (decision.action === 'suppress') {
    await settleRow(row, 'suppressed', decision.reason, at);
    return;
  }
  if (decision.action === 'defer') {
    await deferRow(row, decision.until, decision.reason, at);
    return;
  }

  const channel = decision.channel;
  const window =
    booking.window ?? (booking.request.window?.date ? { date: booking.request.window.date, start: booking.request.window.start ?? '', end: '' } : null);
  // Everyone reads their own language: the customer's, the technician's, the dispatcher's, the on-call manager's.
  const language = recipientLanguage(row, tenant, customer, technicians);
  // A membership's subject has only some of a booking's fields.
  const full: Partial<BookingRecord> = booking;
  // The field's word first: the technician the FSM dispatched (or who accepted an emergency page), else the one we assigned.
  const technicianName = full.technicianName ?? technicians.find((t) => t.technicianId === booking.window?.technicianId)?.name;
  const details = carriesJobDetails(row.kind);
  const paymentUrl = await reminderPaymentUrl(tenant, row, full, jobType?.name, at);
  const vars = messageVariables({
    language,
    timeZone: tenant.timeZone,
    currency: tenant.payments?.provider === 'stripe' ? tenant.payments.currency : undefined,
    customerName: customer.name,
    jobTypeName: jobType?.name,
    companyName: tenant.name,
    window,
    address: booking.request.address ?? customer.addresses[0],
    technicianName,
    customerPhone: details || recipientOf(row.kind) !== 'customer' ? customer.phoneE164 : undefined,
    etaIso: full.eta,
    amountCents: full.invoicedAmountCents,
    whatToExpect: jobType?.whatToExpect?.[language] ?? jobType?.whatToExpect?.en,
    prep: jobType?.customerPrep?.[language] ?? jobType?.customerPrep?.en,
    checklist: details ? (full.checklist?.length ? full.checklist.map((c) => c.item) : jobType?.prepChecklist) : undefined,
    parts: details ? jobType?.materials : undefined,
    membership: details && customer.membership.status === 'active' ? (customer.membership.plan ?? 'active') : undefined,
    job: {
      ...(paymentUrl ? { paymentUrl } : {}),
      ...booking.messageVars,
      ...(tenant.reviewUrl ? { reviewUrl: tenant.reviewUrl } : {}),
      ...(tenant.dispatch.phone ? { companyPhone: tenant.dispatch.phone } : {}),
      ...(details
        ? {
            details: jobDetails(booking, customer, technicians, language),
            accessNotes: booking.request.accessNotes,
            notes: booking.request.notes,
          }
        : {}),
      ...(full.delayMinutes !== undefined ? { delayMinutes: String(full.delayMinutes) } : {}),
    },
  });
  const template = tenant.messaging.templates[row.kind];
  let text: string;
  let subjectLine: string | undefined;
  try {
    text = await composeMessage(row.kind, tenant.messaging.templates, vars, language);
    subjectLine = channel === 'email' ? await composeSubject(row.kind, tenant.messaging.templates, vars, language) : undefined;
  } catch (error) {
    // Never a blank or half-filled message: the row fails and a person fixes the template.
    await settleRow(row, 'failed', (error as Error).message, at);
    await openReviewItem(
      row.tenantId,
      {
        kind: 'notification_failed',
        reason: `The ${row.kind} template could not be filled: ${(error as Error).message}`,
        subject,
        payload: { kind: row.kind, template },
        redrive: failedMessageRedrive(row),
      },
      at,
    );
    return;
  }

  // Staff messages go to the technician or dispatch by SMS; customer messages by their channel.
  const to = row.technicianId
    ? technicians.find((t) => t.technicianId === row.technicianId)?.phone
    : recipientOf(row.kind) === 'dispatch'
      ? tenant.dispatch.phone
      : recipientOf(row.kind) === 'manager'
        ? tenant.dispatch.onCallManagerPhone
        : channel === 'email'
          ? customer.email
          : customer.phoneE164;
  if (!to) {
    const who = row.technicianId
      ? `technician ${row.technicianId}`
      : recipientOf(row.kind) === 'customer'
        ? 'the customer'
        : `the ${recipientOf(row.kind)} contact`;
    const where = channel === 'email' ? 'email address' : 'phone number';
    throw new MessageUnaddressableError(`${row.kind} has no recipient: ${who} has no ${where} on file; add one, then redrive`);
  }

  let provider: Awaited<ReturnType<typeof providerFor>>;
  try {
    provider = await providerFor(tenant, channel);
  } catch (error) {
    // In AWS with no provider (or no credential for it) set up: nothing can be sent until a person
    // sets it up. The row fails (no retries into a DLQ) and the tenant gets one setup item per channel.
    if (!(error instanceof SetupRequiredError) && !(error instanceof SecretNotSetError)) throw error;
    const field = error instanceof SetupRequiredError ? error.field : channel === 'sms' ? 'messaging.sms' : 'messaging.email';
    await settleRow(row, 'failed', `setup_required: ${field}`, at);
    countMessage('failed', channel);
    await openSetupItem(row.tenantId, field, error.message, at);
    return;
  }
  try {
    const { providerMessageId } = await provider.send({
      channel,
      to,
      text,
      subject: subjectLine,
      html: channel === 'email' ? emailHtml(text, tenant.name, language) : undefined,
    });
    await recordSent(row, { channel, to, text, ...(subjectLine ? { subject: subjectLine } : {}), language, provider: provider.name, providerMessageId }, at, {
      listInOutbox: usesOutbox(tenant),
    });
    countMessage('sent', channel);
    if (row.redrive) await resolveRedrivenItems(row, at);
  } catch (error) {
    if (error instanceof MessageRejectedError) {
      countMessage('failed', channel);
      await settleRow(row, 'failed', error.message, at);
      await openReviewItem(
        row.tenantId,
        {
          kind: 'notification_failed',
          reason: `${row.kind} was refused: ${error.message}`,
          subject,
          payload: { kind: row.kind, provider: provider.name },
          redrive: failedMessageRedrive(row),
        },
        at,
      );
      return;
    }
    // Worth another try: SQS redelivers; on the last receive a person hears of it before the DLQ.
    throw error;
  }
}

/**
 * What redriving a message that failed for good does (its notification_failed item's plan): the same
 * message marked `redrive`, so the worker opens the failed row again and sends it once the person has
 * mended the cause (a phone added, a template or a number fixed).
 */
function failedMessageRedrive(message: NotifyMessage): RedrivePlan {
  const { tenantId, bookingId, kind, technicianId, version, parties } = message;
  return {
    type: 'message',
    queue: 'notify',
    body: {
      tenantId,
      bookingId,
      kind,
      ...(technicianId ? { technicianId } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(parties ? { parties } : {}),
      redrive: true,
    },
  };
}

/** A redriven message went out: the open notification_failed items about it are resolved (not another message's of the booking). */
async function resolveRedrivenItems(row: NotifyMessage, at: Date): Promise<void> {
  const open = await findOpenReviewItems(row.tenantId, { type: 'booking', id: row.bookingId }, 'notification_failed');
  const about = open.filter((item) => item.payload?.kind === row.kind && (item.payload?.technicianId ?? row.technicianId) === row.technicianId);
  await Promise.all(about.map((item) => resolveReviewItem(row.tenantId, item.reviewItemId, 'NotifyWorker', 'Sent after the redrive', at)));
}

/** The review item for a message that failed for good (or for the last time), with a readable reason. */
export async function reviewFailedMessage({ record, error, attempts, final, subject }: FailedRecord): Promise<void> {
  if (!subject) throw error; // nothing names a tenant: the DLQ (and its alarm) keeps it
  const parsed = NotifyMessageSchema.safeParse(JSON.parse(record.body));
  const kind = parsed.success ? parsed.data.kind : 'message';
  const at = now();
  if (parsed.success && final) await settleRow(parsed.data, 'failed', readableError(error), at);
  const reviewSubject = { type: 'booking', id: subject.bookingId };
  const messageRef = parsed.success ? `${parsed.data.kind}:${parsed.data.technicianId ?? ''}:${parsed.data.version ?? 1}` : record.messageId;
  const open = await findOpenReviewItems(subject.tenantId, reviewSubject, 'notification_failed');
  if (open.some((item) => item.payload?.message === messageRef)) return;
  await openReviewItem(
    subject.tenantId,
    {
      kind: 'notification_failed',
      reason: final ? `${error.message}` : `${kind} for booking ${subject.bookingId} could not be sent after ${attempts} tries: ${readableError(error)}`,
      subject: reviewSubject,
      payload: {
        message: messageRef,
        kind,
        error: error.name,
        attempts,
        ...(parsed.success && parsed.data.technicianId ? { technicianId: parsed.data.technicianId } : {}),
      },
      redrive: !final
        ? { type: 'dlq', queue: 'notify' }
        : parsed.success
          ? failedMessageRedrive(parsed.data)
          : { type: 'message', queue: 'notify', body: JSON.parse(record.body) as Record<string, unknown> },
    },
    at,
  );
}
