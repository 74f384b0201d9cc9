/** RecogniseCustomer's work (recognise/recognise-customer.handler.ts): match the booking's caller to a customer. */
import { ulid } from 'ulid';
import { requireBookingRecord, updateBooking } from '../booking/store';
import { openReviewItem } from '../review/store';
import { InvariantError, TransientError } from '../shared/errors';
import type { WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { memberPlan } from '../renewals/member';
import { normalizeAddress } from './address';
import { decideMatch, type CallerFacts } from './match';
import { normalizeEmail, normalizePhone } from './phone';
import { createCustomer, emptyProfile, enrichCustomer, findCandidates, setCustomerLanguage } from './store';

type Outcome = {
  customerId: string;
  outcome: 'matched' | 'created' | 'suspected_duplicate';
  /** Whether the customer is a member now (a new customer never is). */
  member: boolean;
  candidateId?: string;
  reason?: string;
  matchedOn?: string[];
};

async function recognise(tenantId: string, caller: CallerFacts, at: Date, attempt = 0): Promise<Outcome> {
  const found = await findCandidates(tenantId, { phoneE164: caller.phoneE164, email: caller.email, addressKey: normalizeAddress(caller.address) });
  const decision = decideMatch(caller, found);
  if (decision.kind === 'match') {
    await enrichCustomer(tenantId, decision.customer.customerId, { phoneE164: caller.phoneE164, email: caller.email, address: caller.address }, at);
    return { customerId: decision.customer.customerId, outcome: 'matched', member: memberPlan(decision.customer) !== undefined, matchedOn: decision.matchedOn };
  }
  const customerId = ulid(at.getTime());
  const result = await createCustomer(
    {
      tenantId,
      customerId,
      name: caller.name,
      phoneE164: caller.phoneE164,
      email: caller.email,
      addresses: [caller.address],
      ...emptyProfile(),
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    },
    // The claims another customer holds stay theirs; the new record books without them.
    { phone: !found.byPhone, email: Boolean(caller.email) && !found.byEmail },
  );
  if (!result.created) {
    // Someone created a customer with this phone/email meanwhile: recognise again against it.
    if (attempt >= 2) throw new TransientError('Customer claims kept changing under concurrent bookings');
    return recognise(tenantId, caller, at, attempt + 1);
  }
  if (decision.kind === 'uncertain') {
    return { customerId, outcome: 'suspected_duplicate', member: false, candidateId: decision.candidate.customerId, reason: decision.reason };
  }
  return { customerId, outcome: 'created', member: false };
}

export async function recogniseBookingCustomer({ tenantId, bookingId }: WorkflowState) {
  const booking = await requireBookingRecord(tenantId, bookingId);
  // Re-entry (a retried request): the customer was already settled.
  if (booking.customerId) return { customerId: booking.customerId, matched: true };

  const at = now();
  const { customer, address } = booking.request;
  const phoneE164 = normalizePhone(customer.phone, address.country);
  if (!phoneE164) throw new InvariantError('The booking phone number is not a valid number');
  const caller: CallerFacts = { name: customer.name, phoneE164, email: normalizeEmail(customer.email), address };

  const result = await recognise(tenantId, caller, at);
  if (result.outcome === 'suspected_duplicate') {
    await openReviewItem(
      tenantId,
      {
        kind: 'suspected_duplicate',
        reason: `Possible duplicate customer (${result.reason}): booked against a new record; merge or keep apart`,
        subject: { type: 'customer', id: result.customerId },
        payload: { bookingId, newCustomerId: result.customerId, candidateCustomerId: result.candidateId, match: result.reason },
      },
      at,
    );
  }
  // The bot heard which language the caller speaks: their messages go out in it.
  if (customer.language) await setCustomerLanguage(tenantId, result.customerId, customer.language, at);
  const detail = {
    customerId: result.customerId,
    ...(result.matchedOn ? { matchedOn: result.matchedOn } : {}),
    ...(result.candidateId ? { candidateCustomerId: result.candidateId } : {}),
  };
  await updateBooking(tenantId, bookingId, { customerId: result.customerId }, { at, timeline: { node: 'RecogniseCustomer', outcome: result.outcome, detail } });
  // The membership travels on: CheckCapacity and SoftHold decide with it without reading the customer.
  return { customerId: result.customerId, matched: result.outcome === 'matched', member: result.member };
}
