/** RecogniseCustomer's work (recognise/recognise-customer.handler.ts): match the booking's caller to a customer. */
import { ulid } from 'ulid';
import { bookingUpdate, requireBookingRecord } from '../booking/store';
import { reviewItemWrites } from '../review/store';
import { InvariantError, TransientError } from '../shared/errors';
import type { WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { memberPlan } from '../renewals/member';
import { normalizeAddress } from './address';
import { decideMatch, type CallerFacts } from './match';
import { normalizeEmail, normalizePhone } from './phone';
import { createCustomer, type CustomerWriteAlso, emptyProfile, enrichCustomer, findCandidates } from './store';

type Outcome = {
  customerId: string;
  outcome: 'matched' | 'created' | 'suspected_duplicate';
  /** Whether the customer is a member now (a new customer never is). */
  member: boolean;
  candidateId?: string;
  reason?: string;
  matchedOn?: string[];
};

/**
 * The writes that go with the customer's own (issue 19: one request for the node's writes): the
 * booking's pointer at the customer with its timeline entry, and a suspected duplicate's review item,
 * in the same transaction as the customer's creation or update. So a customer is never created
 * without the booking naming it (a retried run finds `booking.customerId` and stops there), and a
 * suspected duplicate is never left without its review item.
 */
type AlsoWrites = (outcome: Outcome) => CustomerWriteAlso[];

async function recognise(tenantId: string, caller: CallerFacts, at: Date, alsoFor: AlsoWrites, attempt = 0): Promise<Outcome> {
  const found = await findCandidates(tenantId, { phoneE164: caller.phoneE164, email: caller.email, addressKey: normalizeAddress(caller.address) });
  const decision = decideMatch(caller, found);
  if (decision.kind === 'match') {
    const outcome: Outcome = {
      customerId: decision.customer.customerId,
      outcome: 'matched',
      member: memberPlan(decision.customer) !== undefined,
      matchedOn: decision.matchedOn,
    };
    await enrichCustomer(
      decision.customer,
      { phoneE164: caller.phoneE164, email: caller.email, address: caller.address, language: caller.language },
      at,
      alsoFor(outcome),
    );
    return outcome;
  }
  const customerId = ulid(at.getTime());
  const outcome: Outcome =
    decision.kind === 'uncertain'
      ? { customerId, outcome: 'suspected_duplicate', member: false, candidateId: decision.candidate.customerId, reason: decision.reason }
      : { customerId, outcome: 'created', member: false };
  const result = await createCustomer(
    {
      tenantId,
      customerId,
      name: caller.name,
      phoneE164: caller.phoneE164,
      email: caller.email,
      addresses: [caller.address],
      ...emptyProfile(),
      // The bot heard which language the caller speaks: their messages go out in it.
      ...(caller.language ? { language: caller.language } : {}),
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    },
    // The claims another customer holds stay theirs; the new record books without them.
    { phone: !found.byPhone, email: Boolean(caller.email) && !found.byEmail },
    alsoFor(outcome),
  );
  if (!result.created) {
    // Someone created a customer with this phone/email meanwhile: recognise again against it.
    if (attempt >= 2) throw new TransientError('Customer claims kept changing under concurrent bookings');
    return recognise(tenantId, caller, at, alsoFor, attempt + 1);
  }
  return outcome;
}

export async function recogniseBookingCustomer({ tenantId, bookingId }: WorkflowState) {
  const booking = await requireBookingRecord(tenantId, bookingId);
  // Re-entry (a retried request): the customer was already settled.
  if (booking.customerId) return { customerId: booking.customerId, matched: true };

  const at = now();
  const { customer, address } = booking.request;
  const phoneE164 = normalizePhone(customer.phone, address.country);
  if (!phoneE164) throw new InvariantError('The booking phone number is not a valid number');
  const caller: CallerFacts = {
    name: customer.name,
    phoneE164,
    email: normalizeEmail(customer.email),
    address,
    ...(customer.language ? { language: customer.language } : {}),
  };

  const result = await recognise(tenantId, caller, at, (outcome) => [
    {
      Update: bookingUpdate(
        tenantId,
        bookingId,
        { customerId: outcome.customerId },
        {
          at,
          timeline: {
            node: 'RecogniseCustomer',
            outcome: outcome.outcome,
            detail: {
              customerId: outcome.customerId,
              ...(outcome.matchedOn ? { matchedOn: outcome.matchedOn } : {}),
              ...(outcome.candidateId ? { candidateCustomerId: outcome.candidateId } : {}),
            },
          },
        },
      ),
    },
    ...(outcome.outcome === 'suspected_duplicate'
      ? reviewItemWrites(
          tenantId,
          {
            kind: 'suspected_duplicate',
            reason: `Possible duplicate customer (${outcome.reason}): booked against a new record; merge or keep apart`,
            subject: { type: 'customer', id: outcome.customerId },
            payload: { bookingId, newCustomerId: outcome.customerId, candidateCustomerId: outcome.candidateId, match: outcome.reason },
          },
          at,
        ).writes
      : []),
  ]);
  // The membership travels on: CheckCapacity and SoftHold decide with it without reading the customer.
  return { customerId: result.customerId, matched: result.outcome === 'matched', member: result.member };
}
