/** RecogniseCustomer's work (recognise/recognise-customer.handler.ts): match the booking's caller to a customer. */
import { ulid } from 'ulid';
import type { BookingFacts } from '../booking/facts';
import { type BookingRecord, bookingKeys, bookingUpdate, requireBookingRecord } from '../booking/store';
import { reviewItemWrites } from '../review/store';
import { InvariantError, TransientError } from '../shared/errors';
import type { WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { memberPlan } from '../renewals/member';
import { normalizeAddress } from './address';
import { decideMatch, type CallerFacts } from './match';
import { normalizeEmail, normalizePhone } from './phone';
import { createCustomer, type CustomerWriteAlso, emptyProfile, enrichCustomer, findCandidates, getCustomersWith } from './store';

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

/** What the run read already: the claims' owners the route read and those customers, read with the booking. */
type KnownClaims = NonNullable<Parameters<typeof findCandidates>[2]>;

async function recognise(tenantId: string, caller: CallerFacts, at: Date, alsoFor: AlsoWrites, attempt = 0, known?: KnownClaims): Promise<Outcome> {
  const found = await findCandidates(tenantId, { phoneE164: caller.phoneE164, email: caller.email, addressKey: normalizeAddress(caller.address) }, known);
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
    // (Read afresh: the claims the run carried are what was there before.)
    if (attempt >= 2) throw new TransientError('Customer claims kept changing under concurrent bookings');
    return recognise(tenantId, caller, at, alsoFor, attempt + 1);
  }
  return outcome;
}

/**
 * The booking, and when the run carries whom the caller's claims named (booking/facts.ts) those
 * customers with it in one request (issue 19: the claims are not read again).
 */
async function bookingAndClaims(state: WorkflowState): Promise<{ booking: BookingRecord; known?: KnownClaims; claims?: BookingFacts['claims'] }> {
  const { tenantId, bookingId } = state;
  // (Read from the state by type only: booking/facts.ts's readers would bring the tenant model into this node.)
  const claims = (state.facts as Partial<BookingFacts> | undefined)?.claims;
  if (!claims) return { booking: await requireBookingRecord(tenantId, bookingId) };
  const owners = [claims.phone, claims.email].filter((id): id is string => Boolean(id));
  const { customers, items } = await getCustomersWith(tenantId, owners, [bookingKeys.booking(tenantId, bookingId)]);
  const booking = items[0] as BookingRecord | undefined;
  if (!booking) throw new InvariantError(`Booking ${bookingId} does not exist`);
  return { booking, claims, known: { phoneId: claims.phone ?? undefined, emailId: claims.email ?? undefined, customers } };
}

export async function recogniseBookingCustomer(state: WorkflowState) {
  const { tenantId, bookingId } = state;
  const { booking, known, claims } = await bookingAndClaims(state);
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
  // The claims the run carries are this caller's (the route read them for this request): an email the claims were not read for reads them all.
  const knownForCaller = known && (caller.email === undefined || claims?.email !== undefined) ? known : undefined;

  const result = await recognise(
    tenantId,
    caller,
    at,
    (outcome) => [
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
    ],
    0,
    knownForCaller,
  );
  // The membership travels on: CheckCapacity and SoftHold decide with it without reading the customer.
  return { customerId: result.customerId, matched: result.outcome === 'matched', member: result.member };
}
