/**
 * Making a booking (POST /v1/bookings; booking/create-booking.handler.ts parses the request). Validates, stores the request as a booking (so it can never be lost), then runs
 * the booking workflow synchronously (Express, StartSyncExecution) and answers with the booking.
 * The Idempotency-Key (or, without one, the body's hash) reserves the booking id before any work
 * (booking/reservation-store.ts): a replay gets the first answer; a retry while the first run is alive gets
 * 409 with the booking id and Retry-After; a retry after that run died resumes the same booking. No
 * request ever makes two bookings. The same key with another body is 422.
 */
import { ulid } from 'ulid';
import { openIntakeReviewItems, planIntake } from '../attribution/intake';
import { recordBookingLead } from '../leads/record';
import { normalizeEmail, normalizePhone } from '../recognise/phone';
import { callerClaimKeys, claimOwnerOf } from '../recognise/store';
import { ApiError } from '../shared/errors';
import { errorBody, type RouteResponse } from '../shared/http';
import { countBooking } from '../shared/metrics';
import { now } from '../shared/time';
import { resolveJobType } from '../triage/booking';
import { readTenantConfigAndJobType } from '../tenant/config-cache';
import { type BookingFacts, type CallerClaims, type RunChanges, snapshotOf } from './facts';
import type { CreateBookingRequest, CreateBookingRequestInput } from './schemas';
import { driveBooking } from './drive';
import {
  bookingRequestHash,
  completeReservation,
  reservationCompletion,
  getReservation,
  releaseReservationLease,
  reserveBooking,
  reserveBookingWith,
  takeOverReservation,
  type BookingReservation,
  type ReserveOutcome,
} from './reservation-store';
import { appendTimeline, type BookingRecord, bookingRecordPuts, createBookingRecord, getBookingRecord, toPublicBooking } from './store';
import { claimBookingNeed, needClaimWrites } from './need';
import { receivedBookingRecord } from './received';
import { requireWithinHorizon } from '../capacity/horizon';
import type { JobType, Tenant } from '../tenant/model';
import { acceptedForLater, answerWithinBudget, type BookingBudget, requireBudget } from './budget';
import type { AdmissionPermit } from '../shared/admission';

/**
 * Checks what zod cannot: facts of the tenant's configuration. The configuration is read fresh for
 * every booking (never a cached copy): the run books against this version (tenant/config-cache.ts).
 * The configuration and the job type come in one BatchGetItem.
 */
async function validateAgainstTenant(
  tenantId: string,
  request: CreateBookingRequest,
): Promise<{ tenant: Tenant; configVersion: string; jobType: JobType; claims?: CallerClaims }> {
  const phoneE164 = normalizePhone(request.customer.phone, request.address.country);
  const email = normalizeEmail(request.customer.email);
  // The caller's phone and email claims come in the same (consistent) request: RecogniseCustomer
  // reads the customers they name with the booking, not the claims again (booking/facts.ts).
  const claimKeys = phoneE164 ? callerClaimKeys(tenantId, { phoneE164, email }) : [];
  const { config, jobType, also } = await readTenantConfigAndJobType(tenantId, request.jobTypeId, claimKeys);
  if (!config) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  const { tenant } = config;
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${request.jobTypeId}"`, 'jobTypeId');
  if (!phoneE164) {
    throw new ApiError('invalid_request', 'customer.phone: not a valid phone number', 'customer.phone');
  }
  const claims: CallerClaims = { phone: claimOwnerOf(also[0]) ?? null, ...(email ? { email: claimOwnerOf(also[1]) ?? null } : {}) };
  if (request.window && !tenant.arrivalWindows.some((w) => w.start === request.window!.start)) {
    const starts = tenant.arrivalWindows.map((w) => w.start).join(', ');
    throw new ApiError('invalid_request', `window.start must be one of the arrival windows: ${starts}`, 'window.start');
  }
  if (request.window) requireWithinHorizon(tenant, now(), request.window.date, 'window.date');
  return { tenant, configVersion: config.version, jobType, claims };
}

/** How long a repeat request waits for the booking it repeats to leave `received` (a concurrent first run). */
const REPEAT_WAIT_MS = 10_000;

/**
 * One job per need (booking/need.ts): undefined when this request's need is now `bookingId`'s; else
 * the answer for a repeat, 200 with the open booking that serves the need and `duplicateOf`, and
 * the repeat noted on that booking's timeline (the console shows it there).
 */
async function repeatAnswer(args: {
  tenant: Tenant;
  jobType: JobType;
  request: CreateBookingRequest;
  bookingId: string;
  budget: BookingBudget;
}): Promise<RouteResponse | undefined> {
  const { tenant, request, budget } = args;
  const outcome = await claimBookingNeed({ ...args, at: now() });
  if (outcome.claimed) return undefined;
  const tenantId = tenant.tenantId;
  // A concurrent first request may still be making its booking: wait (within the budget) for its outcome.
  const waitUntil = Date.now() + Math.min(REPEAT_WAIT_MS, Math.max(0, budget.remainingMs() - 2_000));
  let record = outcome.record;
  while ((!record || record.status === 'received') && Date.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    record = await getBookingRecord(tenantId, outcome.duplicateOf);
  }
  if (!record) {
    throw new ApiError(
      'request_in_progress',
      'The same request is being booked right now; retry shortly',
      undefined,
      { bookingId: outcome.duplicateOf },
      { 'retry-after': '2' },
    );
  }
  const at = now();
  await appendTimeline(tenantId, record.bookingId, 'DuplicateCheck', 'repeat_request', { channel: request.channel, at: at.toISOString() }, at);
  return {
    statusCode: 200,
    body: { ...toPublicBooking(record), duplicateOf: record.bookingId },
    headers: { location: `/v1/bookings/${record.bookingId}` },
  };
}

/** The booking as this request first stores it, its summary pre-filled from the job type, the source's settings, attribution flags (attribution/intake.ts). */
function receivedBooking(
  tenantId: string,
  bookingId: string,
  key: string,
  request: CreateBookingRequest,
  checked: { tenant: Tenant; jobType: JobType },
  at: Date,
): BookingRecord {
  const intake = planIntake(checked.tenant, checked.jobType, request, at);
  return receivedBookingRecord({ tenantId, bookingId, request, at, reservationKey: key, intake });
}

/**
 * Makes (or, resumed, finishes) the booking `bookingId` and answers with it. A fresh run stores the
 * request as a booking first (so it can never be lost), then runs the workflow. A resumed run (the
 * first one died) creates the record if the crash came before it, re-runs the workflow only while
 * the booking is still `received`, and otherwise answers with what the booking became.
 */
async function runBooking(
  tenantId: string,
  bookingId: string,
  key: string,
  request: CreateBookingRequest,
  resumed: boolean,
  checked: { tenant: Tenant; configVersion: string; jobType: JobType; claims?: CallerClaims },
  /** The booking as this run stored it already (a new request's one transaction): not read, not made again. */
  stored?: BookingRecord,
): Promise<RouteResponse> {
  let made: BookingRecord | undefined = stored ?? (resumed ? await getBookingRecord(tenantId, bookingId) : undefined);
  if (!made) {
    made = receivedBooking(tenantId, bookingId, key, request, checked, now());
    await createBookingRecord(made);
  }
  let answered: RunChanges | undefined;
  if (made.status === 'received') {
    // The run carries what this request read (booking/facts.ts): its nodes do not read it again.
    const facts: BookingFacts = {
      configVersion: checked.configVersion,
      jobType: checked.jobType,
      booking: snapshotOf(made),
      ...(checked.claims ? { claims: checked.claims } : {}),
    };
    ({ booking: answered } = await driveBooking(tenantId, bookingId, { resumed, by: resumed ? 'CreateBooking:resume' : 'CreateBooking', facts }));
  }

  // A committed run ends with the fields it wrote as its last write left them (issue 19: not read
  // again); any other end reads it. The fields the run does not change (request, flags, attribution)
  // are the ones this request stored.
  const record = answered ? ({ ...made, ...answered } as BookingRecord) : await getBookingRecord(tenantId, bookingId);
  await openIntakeReviewItems(tenantId, record!, now());
  const booking = toPublicBooking(record!);
  if (booking.status === 'rejected') {
    // The caller is kept as a lead (CRM, callback item, waitlist): functions/leads/record.ts.
    const lead = await recordBookingLead(tenantId, record!, now());
    const error = new ApiError('window_unavailable', `No technician can take this booking (${booking.statusReason})`, 'window', {
      booking: lead ? { ...booking, leadId: lead.leadId } : booking,
      alternatives: booking.alternatives ?? [],
      ...(lead ? { leadId: lead.leadId } : {}),
    });
    return { statusCode: error.statusCode, body: errorBody(error) };
  }
  // A customer with open leads (an earlier unbooked call) was served by the booking's CRM write (leads/settle.ts), whatever this route answers.
  return { statusCode: 201, body: booking, headers: { location: `/v1/bookings/${bookingId}` } };
}

/**
 * A request whose key is already reserved: the stored answer when the first run finished; 409 with
 * the booking id and Retry-After while a run is alive; undefined when this request took over a dead
 * run's reservation and must resume the same booking.
 */
async function answerOf(tenantId: string, key: string, reservation: BookingReservation): Promise<RouteResponse | undefined> {
  let current: BookingReservation | undefined = reservation;
  for (let attempt = 0; attempt < 2 && current; attempt++) {
    if (current.status === 'completed' && current.response) return current.response as RouteResponse;
    const at = now();
    if (current.lockedUntil < at.getTime() && (await takeOverReservation(tenantId, key, at))) return undefined;
    current = await getReservation(tenantId, key);
  }
  if (current?.status === 'completed' && current.response) return current.response as RouteResponse;
  const retryAfter = Math.max(1, Math.ceil(((current?.lockedUntil ?? 0) - now().getTime()) / 1000));
  const error = new ApiError('request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly', 'Idempotency-Key', {
    bookingId: reservation.bookingId,
    status: `/v1/bookings/${reservation.bookingId}`,
  });
  return { statusCode: error.statusCode, body: errorBody(error), headers: { 'retry-after': String(Math.min(retryAfter, 35)) } };
}

/**
 * POST /v1/bookings' use case: reserve the booking id for the key (or the request's hash), then make
 * (or resume, or replay) the booking and answer within the request's budget.
 */
export async function createBooking(args: {
  tenantId: string;
  body: CreateBookingRequestInput;
  /** The caller's Idempotency-Key, already checked for shape. */
  headerKey: string | undefined;
  budget: BookingBudget;
  permit: AdmissionPermit;
}): Promise<RouteResponse> {
  const { tenantId, body, headerKey, budget, permit } = args;
  // Without a job type, triage decides it from what the caller said (or answers 400 with its reasons).
  const request = await resolveJobType(tenantId, body);
  const checked = await validateAgainstTenant(tenantId, request);
  const { tenant, jobType } = checked;

  const requestHash = bookingRequestHash(request);
  // Without a key, the request itself is the key: a replayed submission books nothing new.
  const key = headerKey ?? `request:${requestHash}`;
  // Nothing is written for a request that has no time left to finish (booking/budget.ts).
  requireBudget(budget);
  const at = now();
  const newBookingId = ulid(at.getTime());
  // A new request's first writes in one transaction: the reservation, its need claims and the booking.
  // When any of them is taken (a replay, a repeat of a need, a race), nothing is written and the
  // steps below settle it one write at a time, as they always did.
  const stored = receivedBooking(tenantId, newBookingId, key, request, checked, at);
  const needClaims = request.allowDuplicate ? [] : needClaimWrites({ tenant, jobType, request, bookingId: newBookingId, at });
  // A failure here leaves nothing to give back: unknown whether it was applied, and if not, the key may be another run's.
  const first = await reserveBookingWith(tenantId, key, requestHash, newBookingId, at, [...needClaims, ...bookingRecordPuts(stored)]);
  const fresh = first.reserved;
  const reserved: ReserveOutcome = fresh
    ? { reserved: true, reservation: first.reservation }
    : await reserveBooking(tenantId, key, requestHash, newBookingId, now(), first.keyTaken);
  const { bookingId } = reserved.reservation;
  // This request's own reservation, read back (a write of it applied whose answer was lost): go on as its run.
  const own = !reserved.reserved && reserved.reservation.bookingId === newBookingId;
  if (!reserved.reserved && !own) {
    if (reserved.reservation.requestHash !== requestHash) {
      throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body', 'Idempotency-Key');
    }
    const answered = await answerOf(tenantId, key, reserved.reservation);
    if (answered) return answered;
  }
  try {
    // The same need already booked under another key (a retry, a call back): answer with that booking.
    const repeat = request.allowDuplicate || fresh ? undefined : await repeatAnswer({ tenant, jobType, request, bookingId, budget });
    if (repeat) {
      // The stored answer and the admission places given back: one transaction.
      await permit.releaseWith([reservationCompletion(tenantId, key, repeat)]);
      countBooking('duplicate');
      return repeat;
    }
    // Out of time, the route answers 202 with the status URL and the run goes on (booking/budget.ts).
    const run = runBooking(tenantId, bookingId, key, request, !reserved.reserved, checked, fresh ? stored : undefined);
    const response = await answerWithinBudget(run, {
      budget,
      permit,
      late: () => acceptedForLater(tenantId, bookingId),
      settledLate: (outcome) => ('response' in outcome ? completeReservation(tenantId, key, outcome.response) : releaseReservationLease(tenantId, key)),
    });
    if (response.statusCode === 202) return response;
    // The stored answer and the admission places given back: one transaction (withAdmission's release then does nothing).
    await permit.releaseWith([reservationCompletion(tenantId, key, response)]);
    countBooking(response.statusCode === 201 ? String((response.body as { status?: unknown }).status) : 'rejected');
    return response;
  } catch (error) {
    // This run could not answer: the next retry may resume at once instead of waiting out the lease.
    await releaseReservationLease(tenantId, key).catch(() => undefined);
    throw error;
  }
}
