/**
 * Two-way SMS, the use case (the inbound webhook, notify/inbound-sms.handler.ts, calls it once the
 * provider's signature checked out): one customer text in, acted on once per provider message id,
 * answered with the catalogue's wording in the customer's language. Confirm, reschedule and cancel
 * go through the same booking paths as the API (claims move, messages follow); anything we do not
 * act on becomes a `customer_reply` review item with an alert to the dispatcher. Every text in and
 * every answer out is kept on the booking (its activity shows the thread).
 */
import { cancelBooking, rescheduleBooking } from '../booking/changes';
import { windowsToMoveTo } from '../booking/moves';
import { appendTimeline, type BookingRecord, listBookingsByPhone, updateBooking } from '../booking/store';
import { formatPhoneNational } from '../recognise/phone';
import { type CustomerRecord, findCustomerIdByPhone, getCustomer, setCustomerLanguage, setMessagingOptOut } from '../recognise/store';
import { openReviewItem } from '../review/store';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { Tenant } from '../tenant/model';
import { getJobType } from '../tenant/store';
import { composeMessage, type MessageLanguage, messageVariables, type NotificationKind, renderMessage } from './catalogue';
import { invoiceDescription, invoicePaymentLink } from '../renewals/payment-link';
import { type Awaiting, bookingForReply, CONVERSATION_TTL_MINUTES, carrierCommand, normaliseKeyword, parseReply, type ReplyCommand } from './customer-reply';
import { addLedgerRows } from './queue-now';
import {
  addThreadEntry,
  claimInbound,
  clearAwaiting,
  completeInbound,
  getAwaiting,
  noteInboundForDispatch,
  type ReplyAnswer,
  releaseInbound,
  setAwaiting,
} from './reply-store';
import { formatWindow } from './variables';

/** Who made a change by text, as booking records show it. */
export const BY_CUSTOMER_SMS = 'customer (text reply)';

export interface InboundText {
  tenant: Tenant;
  /** The customer's phone, E.164. */
  from: string;
  /** The tenant number the customer texted. */
  to: string;
  body: string;
  messageSid: string;
  at: Date;
  /** Twilio's `OptOutType` (STOP, START, HELP): what Advanced Opt-Out already did with the text. */
  optOutType?: string;
  /** The number is in a Twilio Messaging Service (`MessagingServiceSid` on the webhook). */
  viaMessagingService?: boolean;
}

/** The answer to a reply; `replayed` when the provider delivered the same message again. */
export type ReplyOutcome = ReplyAnswer & { replayed?: boolean };

export async function handleCustomerReply(text: InboundText): Promise<ReplyOutcome> {
  const { tenant, messageSid, at } = text;
  const claim = await claimInbound(tenant.tenantId, messageSid, at);
  if (claim.state === 'done') return { ...claim.answer, replayed: true };
  if (claim.state === 'in_progress') return { action: 'in_progress', replayed: true };
  try {
    const answer = await actOnReply(text);
    await completeInbound(tenant.tenantId, messageSid, answer);
    return answer;
  } catch (error) {
    await releaseInbound(tenant.tenantId, messageSid);
    throw error;
  }
}

interface Conversation {
  text: InboundText;
  customer?: CustomerRecord;
  language: MessageLanguage;
  booking?: BookingRecord;
}

async function actOnReply(text: InboundText): Promise<ReplyAnswer> {
  const { tenant, from, at } = text;
  const tenantId = tenant.tenantId;
  const customerId = await findCustomerIdByPhone(tenantId, from);
  const [customer, awaiting, bookings] = await Promise.all([
    customerId ? getCustomer(tenantId, customerId) : undefined,
    getAwaiting(tenantId, from, at),
    listBookingsByPhone(tenantId, from),
  ]);
  const command = carrierCommand(text.body, text.optOutType, text.viaMessagingService ?? false) ?? parseReply(text.body, awaiting?.step === 'choose_window');
  const awaited = awaiting ? bookings.find((b) => b.bookingId === awaiting.bookingId) : undefined;
  const { booking, open } = awaited ? { booking: awaited, open: true } : bookingForReply(bookings, command, at, tenant.timeZone);
  const conversation: Conversation = {
    text,
    customer,
    language: command.kind === 'language' ? command.language : (customer?.language ?? 'en'),
    booking,
  };
  const answer = await decide(conversation, command, awaiting, open);
  logger.info('customer reply handled', { tenantId, bookingId: booking?.bookingId, action: answer.action, command: command.kind });

  // The thread and one timeline sentence on the booking the reply was about.
  const threadBooking = answer.bookingId ?? booking?.bookingId;
  if (threadBooking) {
    await addThreadEntry(
      tenantId,
      threadBooking,
      { at: at.toISOString(), direction: 'in', text: text.body, action: answer.action, messageSid: text.messageSid },
      text.messageSid,
    );
    if (answer.text) await addThreadEntry(tenantId, threadBooking, { at: at.toISOString(), direction: 'out', text: answer.text }, text.messageSid);
    await appendTimeline(tenantId, threadBooking, 'CustomerReply', answer.action, { messageSid: text.messageSid }, at);
  }
  return { ...answer, ...(threadBooking ? { bookingId: threadBooking } : {}) };
}

async function decide(c: Conversation, command: ReplyCommand, awaiting: Awaiting | undefined, open: boolean): Promise<ReplyAnswer> {
  const { tenant, from, at } = c.text;
  const tenantId = tenant.tenantId;
  const customerId = c.customer?.customerId;
  const booking = open ? c.booking : undefined;

  switch (command.kind) {
    case 'opt_out':
    case 'opt_in': {
      // Carrier keywords: the provider answers them itself (Twilio's opt-out handling).
      if (customerId) await setMessagingOptOut(tenantId, customerId, command.kind === 'opt_out', at);
      if (command.kind === 'opt_in') return { action: 'opted_in' };
      await clearAwaiting(tenantId, from);
      // CANCEL that the carrier took as an opt-out: we cannot ask "cancel the visit?" by text any more.
      if (command.word === 'CANCEL' && booking) return carrierCancel(c, booking);
      return { action: 'opted_out' };
    }
    case 'help':
      return { action: 'help', text: await answer(c, 'reply_help') };
    case 'language': {
      if (customerId) await setCustomerLanguage(tenantId, customerId, command.language, at);
      return { action: 'language_set', text: await answer(c, 'reply_language') };
    }
    case 'confirm': {
      // YES is also a carrier opt-in word: a customer who had opted out is back in.
      if (customerId && c.customer?.communicationPreferences.optedOut) await setMessagingOptOut(tenantId, customerId, false, at);
      if (awaiting?.step === 'confirm_cancel') return cancelByText(c, awaiting.bookingId);
      if (!booking) return { action: 'no_booking', text: await answer(c, 'reply_no_booking') };
      const committed = booking.status === 'confirmed' || booking.status === 'pending_crm_sync';
      await updateBooking(tenantId, booking.bookingId, { customerConfirmedAt: at.toISOString() }, { at });
      return { action: 'customer_confirmed', text: await answer(c, committed ? 'reply_confirmed' : 'reply_confirm_pending') };
    }
    case 'decline':
      if (awaiting?.step === 'confirm_cancel') {
        await clearAwaiting(tenantId, from);
        return { action: 'kept', text: await answer(c, 'reply_kept') };
      }
      return forDispatch(c);
    case 'reschedule':
      if (!booking) return { action: 'no_booking', text: await answer(c, 'reply_no_booking') };
      return offerWindows(c, booking);
    case 'choose': {
      if (awaiting?.step !== 'choose_window' || !c.booking) return forDispatch(c);
      const option = awaiting.options[command.choice - 1];
      if (!option) return offerWindows(c, c.booking);
      try {
        await rescheduleBooking(
          tenantId,
          awaiting.bookingId,
          { window: { date: option.date, start: option.start }, reason: 'the customer chose a new time by text' },
          BY_CUSTOMER_SMS,
          at,
        );
      } catch (error) {
        // Taken meanwhile (or the booking changed): offer what is open now.
        if (!(error instanceof ApiError)) throw error;
        return offerWindows(c, c.booking);
      }
      await clearAwaiting(tenantId, from);
      // The reschedule's own message (reschedule_confirmation) tells the customer the new time.
      return { action: 'rescheduled' };
    }
    case 'cancel': {
      if (!booking) {
        // With nothing to cancel, CANCEL keeps its carrier meaning: stop texting me.
        if (normaliseKeyword(c.text.body) !== 'CANCEL') return { action: 'no_booking', text: await answer(c, 'reply_no_booking') };
        if (customerId) await setMessagingOptOut(tenantId, customerId, true, at);
        return { action: 'opted_out' };
      }
      await setAwaiting(tenantId, from, { step: 'confirm_cancel', bookingId: booking.bookingId }, at, CONVERSATION_TTL_MINUTES);
      return { action: 'cancel_asked', text: await answer(c, 'reply_cancel_confirm') };
    }
    case 'pay':
      return payByText(c);
    default:
      return forDispatch(c);
  }
}

async function cancelByText(c: Conversation, bookingId: string): Promise<ReplyAnswer> {
  const { tenant, from, at } = c.text;
  await clearAwaiting(tenant.tenantId, from);
  try {
    await cancelBooking(tenant.tenantId, bookingId, 'The customer cancelled by text', BY_CUSTOMER_SMS, at);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return forDispatch(c, `asked by text to cancel, but the booking could not be cancelled: ${error.message}`);
  }
  // The cancel's own message (cancellation) tells the customer.
  return { action: 'cancelled', bookingId };
}

/**
 * The customer texted CANCEL and the carrier (Twilio) took it as an opt-out: the opt-out is recorded
 * as the carrier did, the visit stays as it is, and a person calls (a customer_reply review item on
 * the booking and an alert to the dispatcher). Nothing is texted back: the carrier blocks it.
 */
async function carrierCancel(c: Conversation, booking: BookingRecord): Promise<ReplyAnswer> {
  const { tenant, from, body, messageSid, at } = c.text;
  const name = c.customer?.name ?? booking.request.customer.name ?? from;
  await openReviewItem(
    tenant.tenantId,
    {
      kind: 'customer_reply',
      reason: `${name} texted CANCEL, which the carrier treats as an opt-out (no more texts reach them): call them to cancel or keep the job`,
      subject: { type: 'booking', id: booking.bookingId },
      payload: { text: body, from, messageSid, why: 'carrier_opt_out' },
    },
    at,
  );
  await alertDispatcher(tenant.tenantId, booking, body, at);
  return { action: 'opted_out_cancel_review' };
}

/** The dispatcher's text about a customer's reply (customer_reply_alert, quoting it) on the booking. */
async function alertDispatcher(tenantId: string, booking: BookingRecord, body: string, at: Date): Promise<void> {
  // The alert quotes the reply: the latest one is a fact the booking's messages may use.
  await updateBooking(tenantId, booking.bookingId, { messageVars: { ...booking.messageVars, replyText: body.slice(0, 300) } }, { at });
  await addLedgerRows(tenantId, booking.bookingId, [{ kind: 'customer_reply_alert', channel: 'sms', dueAt: at.toISOString(), version: at.getTime() }], { at });
}

const OFFERED = 3;

async function offerWindows(c: Conversation, booking: BookingRecord): Promise<ReplyAnswer> {
  const { tenant, from, at } = c.text;
  const jobType = await getJobType(tenant.tenantId, booking.jobTypeId);
  // What its reschedule would get: the job's own window, stop and daily place count as given back (never the window it is in).
  const options = jobType ? await windowsToMoveTo({ tenant, jobType, booking, now: at, count: OFFERED }) : [];
  if (!options.length) return forDispatch(c, 'asked by text to reschedule; no open window could be offered', 'reply_no_windows');
  await setAwaiting(tenant.tenantId, from, { step: 'choose_window', bookingId: booking.bookingId, options }, at, CONVERSATION_TTL_MINUTES);
  const listed = options.map((w, i) => `${i + 1}) ${formatWindow(w, tenant.timeZone, c.language).window}`).join(' ');
  return { action: 'reschedule_offered', text: await answer(c, 'reply_reschedule_options', { options: listed }) };
}

async function payByText(c: Conversation): Promise<ReplyAnswer> {
  const booking = c.booking;
  if (!booking || booking.invoicedAmountCents === undefined || booking.paidAt) {
    return { action: 'nothing_to_pay', text: await answer(c, 'reply_nothing_to_pay') };
  }
  const { tenant, at } = c.text;
  const jobType = await getJobType(tenant.tenantId, booking.jobTypeId);
  const link = await invoicePaymentLink(tenant, booking, invoiceDescription(tenant.name, jobType?.name), at);
  if (!link.ok) {
    // Honest: no link now; a person sends it (review item + alert to the dispatcher).
    return forDispatch(c, `asked by text to pay; no payment link could be made (${link.reason}: ${link.message})`, 'reply_payment_unavailable');
  }
  return { action: 'payment_link_sent', text: await answer(c, 'reply_payment_link', { paymentUrl: link.url }, booking.invoicedAmountCents) };
}

/**
 * A reply we do not act on: a `customer_reply` review item (the console's inbox) and an alert to the
 * dispatcher (about the booking, or, from a number with no booking, about the message itself); the
 * customer hears that a person will answer.
 */
async function forDispatch(c: Conversation, why?: string, kind: NotificationKind = 'reply_received'): Promise<ReplyAnswer> {
  const { tenant, from, body, messageSid, at } = c.text;
  const tenantId = tenant.tenantId;
  const booking = c.booking;
  const name = c.customer?.name ?? booking?.request.customer.name ?? from;
  await openReviewItem(
    tenantId,
    {
      kind: 'customer_reply',
      reason: `${name} texted: "${body.slice(0, 300)}"${why ? ` (${why})` : ''}`,
      subject: booking
        ? { type: 'booking', id: booking.bookingId }
        : c.customer
          ? { type: 'customer', id: c.customer.customerId }
          : { type: 'phone', id: from },
      payload: { text: body, from, messageSid, ...(why ? { why } : {}) },
    },
    at,
  );
  if (booking) await alertDispatcher(tenantId, booking, body, at);
  else {
    // A number with no booking: the alert's subject is the inbound message itself.
    const subjectId = await noteInboundForDispatch(tenantId, messageSid, {
      from,
      text: body.slice(0, 300),
      ...(c.customer ? { customerId: c.customer.customerId } : {}),
    });
    await addLedgerRows(tenantId, subjectId, [{ kind: 'customer_reply_alert', channel: 'sms', dueAt: at.toISOString() }], { at });
  }
  return { action: 'customer_reply', text: await answer(c, kind) };
}

/** A phone as people write it in the company's country: (512) 555-0100. */
function forPeople(phone: string | undefined, country: string): string | undefined {
  return phone ? formatPhoneNational(phone, country) : undefined;
}

/** The catalogue's answer (or the tenant's template for it), about the conversation's booking. */
async function answer(c: Conversation, kind: NotificationKind, job: Record<string, string> = {}, amountCents?: number): Promise<string> {
  const { tenant } = c.text;
  const booking = c.booking;
  const jobType = booking ? await getJobType(tenant.tenantId, booking.jobTypeId) : undefined;
  const vars = messageVariables({
    language: c.language,
    timeZone: tenant.timeZone,
    customerName: c.customer?.name ?? booking?.request.customer.name ?? (c.language === 'es' ? 'cliente' : 'there'),
    companyName: tenant.name,
    jobTypeName: jobType?.name,
    window: booking?.window ?? null,
    amountCents,
    job: { companyPhone: forPeople(tenant.dispatch.phone, tenant.country), ...job },
  });
  try {
    return await composeMessage(kind, tenant.messaging.templates, vars, c.language);
  } catch (error) {
    // A tenant template that cannot be filled must not leave the customer without an answer.
    logger.warn('reply template could not be filled; the catalogue wording was sent', { kind, error: (error as Error).message });
    return renderMessage(kind, vars, c.language);
  }
}
