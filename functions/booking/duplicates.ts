/**
 * One job per need (issue 15, item 3), pure: what makes two booking requests the same need, and
 * when an earlier booking still stands for it.
 * A need is a trade at a customer: the caller's phone OR the service address (a returning customer
 * calling from a new number is still the same need), for routine work or for an emergency (a burst
 * pipe is not a repeat of next week's drain visit). An earlier booking stands while it is open: not
 * rejected, dismissed or cancelled, no finished job (completed, invoiced, paid, no-show), and its
 * visit is today or later in the company's zone (a booking without a window yet, e.g. waiting for
 * dispatch, stands until it gets one). The horizon is therefore the booking horizon itself (tenant
 * `bookingHorizonDays`, default 14): no booking is ever further out than that.
 */
import { normalizeAddress } from '../recognise/address';
import type { BookingRecord } from './store';

/** Statuses whose booking can never be the need's job. */
const CLOSED_STATUSES: ReadonlySet<string> = new Set(['rejected', 'dismissed', 'cancelled']);
/** Job lifecycle states after which the visit is over. */
const FINISHED_JOBS: ReadonlySet<string> = new Set(['completed', 'invoiced', 'paid', 'cancelled', 'no_show']);

export interface NeedFacts {
  trade: string;
  emergency: boolean;
  phoneE164: string;
  address: Parameters<typeof normalizeAddress>[0];
}

/** The identities a request claims: one per way the customer can be recognised. */
export function needIdentities(facts: NeedFacts): string[] {
  const urgency = facts.emergency ? 'emergency' : 'routine';
  const trade = encodeURIComponent(facts.trade.toLowerCase());
  return [`${trade}#${urgency}#PHONE#${facts.phoneE164}`, `${trade}#${urgency}#ADDRESS#${normalizeAddress(facts.address)}`];
}

/** Does `record` still stand for its need on local date `today` (YYYY-MM-DD)? */
export function bookingStillOpen(record: Pick<BookingRecord, 'status' | 'window' | 'jobState'>, today: string): boolean {
  if (CLOSED_STATUSES.has(record.status)) return false;
  if (record.jobState && FINISHED_JOBS.has(record.jobState)) return false;
  return !record.window || record.window.date >= today;
}
