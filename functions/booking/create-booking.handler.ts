/**
 * POST /v1/bookings. Validates, stores the request as a booking (so it can never be lost), then runs
 * the booking workflow synchronously (Express, StartSyncExecution) and answers with the booking.
 * The Idempotency-Key (or, without one, the body's hash) reserves the booking id before any work
 * (booking/reservation-store.ts): a replay gets the first answer; a retry while the first run is alive gets
 * 409 with the booking id and Retry-After; a retry after that run died resumes the same booking. No
 * request ever makes two bookings. The same key with another body is 422.
 */
import { lambdaByName } from '../registry';
import { AdmissionGate, withAdmission } from '../shared/admission';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { traceHandler } from '../shared/tracer';
import { bookingBudget } from './budget';
import { createBooking } from './create';
import { CreateBookingRequestSchema } from './schemas';

const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Admission control (functions/shared/admission.ts): limits from this route's registry entry. */
const admission = new AdmissionGate('CreateBooking', lambdaByName('CreateBooking').admission!);

export const handler = apiRoute(
  // The caller's key is checked in the admission places' transaction (the route's first write), not read for every request (issue 19).
  { body: CreateBookingRequestSchema, verifiesKey: true },
  withAdmission(admission, async ({ tenant, body, headers, context }, permit) => {
    const budget = bookingBudget(context);
    const headerKey = headers['idempotency-key'];
    if (headerKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(headerKey)) {
      throw new ApiError('invalid_request', 'Idempotency-Key must be 1-128 characters of letters, digits and ._:-', 'Idempotency-Key');
    }
    return createBooking({ tenantId: tenant.tenantId, body, headerKey, budget, permit });
  }),
).use(traceHandler());
