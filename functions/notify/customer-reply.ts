/**
 * Two-way SMS, the pure part: what a customer's text reply asks for, which of their bookings it is
 * about, and what follows from the conversation so far. No AWS here: notify/two-way.ts acts on it.
 *
 * Keywords (case, accents, spaces and trailing punctuation do not matter):
 *   C, YES, Y, CONFIRM            confirm the visit (YES after CANCEL: confirm the cancel)
 *   R, RESCHEDULE                 offer the next three windows; the reply 1/2/3 books one
 *   CX, CANCELAR, CANCEL VISIT    ask to confirm (YES cancels, NO keeps the visit); CANCEL too
 *                                 when Twilio did not take it as an opt-out (see carrierCommand)
 *   PAY                           the payment link of the latest unpaid invoice
 *   STOP family / START family    carrier opt-out / opt-in (CTIA); HELP / INFO: who we are
 *   ESPAÑOL, ESPANOL / ENGLISH    the language of the customer's messages
 * Anything else is a `customer_reply` for dispatch.
 */
import { zonedDate } from '../shared/zoned-time';
import type { BookingRecord } from '../booking/store';

export type ReplyCommand =
  | { kind: 'confirm' }
  | { kind: 'decline' }
  | { kind: 'reschedule' }
  | { kind: 'choose'; choice: number }
  | { kind: 'cancel' }
  | { kind: 'pay' }
  /** `word`: the keyword as texted (normalised); CANCEL taken as an opt-out by the carrier asks a person to call. */
  | { kind: 'opt_out'; word?: string }
  | { kind: 'opt_in' }
  | { kind: 'help' }
  | { kind: 'language'; language: 'en' | 'es' }
  | { kind: 'free_text' };

/** CTIA / Twilio's default opt-out words, less CANCEL (Twilio's default takes it as one too: see carrierCommand). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
/** Words that cancel a visit (after a YES) which no carrier takes as an opt-out: our wording says CX. */
const CANCEL = new Set(['CX', 'CANCELAR', 'CANCEL VISIT', 'CANCEL APPOINTMENT', 'CANCEL MY APPOINTMENT', 'CANCEL MY VISIT']);
/** Twilio's default opt-out keywords (STOP filtering on a number outside a Messaging Service with Advanced Opt-Out). */
const TWILIO_DEFAULT_OPT_OUT = new Set([...OPT_OUT, 'CANCEL']);

/**
 * What Twilio itself already did with a text, before we see it. With Advanced Opt-Out (a Messaging
 * Service), Twilio reports it: `OptOutType` STOP / START / HELP on the webhook, and a text without
 * it was not taken as a keyword (a company that removed CANCEL from its opt-out keywords gets CANCEL
 * as a plain text). Without a Messaging Service, Twilio's default STOP filtering applies and reports
 * nothing: its default keywords, CANCEL among them, opt the sender out (our replies are then
 * blocked). Undefined when Twilio left the text to us.
 */
export function carrierCommand(body: string, optOutType: string | undefined, viaMessagingService: boolean): ReplyCommand | undefined {
  const word = normaliseKeyword(body);
  switch (optOutType?.toUpperCase()) {
    case 'STOP':
      return { kind: 'opt_out', word };
    case 'START':
      return { kind: 'opt_in' };
    case 'HELP':
      return { kind: 'help' };
  }
  if (!viaMessagingService && TWILIO_DEFAULT_OPT_OUT.has(word)) return { kind: 'opt_out', word };
  return undefined;
}
const OPT_IN = new Set(['START', 'UNSTOP']);
const CONFIRM = new Set(['C', 'YES', 'Y', 'CONFIRM', 'CONFIRMED', 'SI']);
const DECLINE = new Set(['NO', 'N']);
const RESCHEDULE = new Set(['R', 'RESCHEDULE']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);
const SPANISH = new Set(['ESPANOL', 'SPANISH']);
const ENGLISH = new Set(['ENGLISH', 'INGLES']);

/** Upper case without accents, spaces squeezed, trailing punctuation dropped ("Español!" -> "ESPANOL"). */
export function normaliseKeyword(body: string): string {
  return body
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\s.!?,;:'"()]+$/g, '')
    .replace(/^[\s.!?,;:'"()#]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What the reply asks for. `choosing` says a numbered choice is awaited (after R). */
export function parseReply(body: string, choosing = false): ReplyCommand {
  const word = normaliseKeyword(body);
  if (OPT_OUT.has(word)) return { kind: 'opt_out', word };
  if (OPT_IN.has(word)) return { kind: 'opt_in' };
  if (word === 'CANCEL' || CANCEL.has(word)) return { kind: 'cancel' };
  if (CONFIRM.has(word)) return { kind: 'confirm' };
  if (DECLINE.has(word)) return { kind: 'decline' };
  if (RESCHEDULE.has(word)) return { kind: 'reschedule' };
  if (word === 'PAY') return { kind: 'pay' };
  if (HELP.has(word)) return { kind: 'help' };
  if (SPANISH.has(word)) return { kind: 'language', language: 'es' };
  if (ENGLISH.has(word)) return { kind: 'language', language: 'en' };
  const number = /^(?:OPTION |OPCION )?([1-9])$/.exec(word);
  if (number && choosing) return { kind: 'choose', choice: Number(number[1]) };
  return { kind: 'free_text' };
}

/** Bookings a customer can still confirm, move or cancel. */
const OPEN_STATUSES = new Set(['confirmed', 'pending_crm_sync', 'pending_confirmation', 'pending_approval']);
const DONE_JOB_STATES = new Set(['completed', 'cancelled', 'no_show', 'invoiced', 'paid']);

/**
 * The booking a reply is about: the latest open one (not ended, not past in the company's zone, job
 * not done); for PAY the latest with an unpaid invoice; for anything else, failing those, the latest
 * booking of all (a reply to a thank-you still lands on its job). `bookings` come newest first.
 */
export function bookingForReply(bookings: BookingRecord[], command: ReplyCommand, now: Date, timeZone: string): { booking?: BookingRecord; open: boolean } {
  const today = zonedDate(now, timeZone);
  if (command.kind === 'pay') {
    const unpaid = bookings.find((b) => b.invoicedAmountCents !== undefined && !b.paidAt);
    return { booking: unpaid, open: Boolean(unpaid) };
  }
  const open = bookings.find((b) => OPEN_STATUSES.has(b.status) && (!b.window || b.window.date >= today) && !DONE_JOB_STATES.has(b.jobState ?? ''));
  if (open) return { booking: open, open: true };
  return { booking: bookings[0], open: false };
}

/** What a conversation waits for: a numbered window after R, or YES/NO after CANCEL. */
export type Awaiting =
  | { step: 'choose_window'; bookingId: string; options: Array<{ date: string; start: string; end: string }> }
  | { step: 'confirm_cancel'; bookingId: string };

/** How long the customer has to answer a question we asked by text. */
export const CONVERSATION_TTL_MINUTES = 120;
