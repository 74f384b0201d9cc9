/**
 * The bookings route's time budget (issue 12, item 6): POST /v1/bookings answers inside its Lambda's
 * time (29 s, inside API Gateway's 30 s), never as a bare 500 from a timeout. When the booking
 * workflow has not finished with `ANSWER_MARGIN_MS` left (timed by the Lambda context's remaining
 * time), the route answers 202 with the booking id, its status now and its status URL
 * (`Location: /v1/bookings/{id}`). The workflow goes on: an Express run continues server-side when
 * its caller stops waiting (locally the interpreter keeps running in the same process), and a booking
 * that never settles is re-driven or sent to review by the recovery sweep (booking/recovery.ts).
 * POST /v1/holds uses the same budget: a hold it cannot claim in time is a 503 with Retry-After.
 */
import type { Context } from 'aws-lambda';
import type { RouteResponse } from '../shared/http';
import type { AdmissionPermit } from '../shared/admission';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getBookingRecord, toPublicBooking } from './store';

/** Time kept back to read the booking and answer 202 before the Lambda's own deadline. */
export const ANSWER_MARGIN_MS = 3_000;
/** How long the 202 answer may spend reading the booking's current status. */
const STATUS_READ_MS = 1_000;
/** What a 202's Retry-After suggests before the caller looks at the status URL. */
const POLL_AFTER_SECONDS = 2;

export interface BookingBudget {
  /** Milliseconds left before the route must answer (0 when already spent). */
  remainingMs(): number;
}

/** The budget of one request: its Lambda context's remaining time, less the answer margin. */
export function bookingBudget(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): BookingBudget {
  return {
    remainingMs: () => (context?.getRemainingTimeInMillis ? Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS) : Number.POSITIVE_INFINITY),
  };
}

/**
 * Refuses a request with no budget left before anything is written for it (an overloaded instance
 * that took long to reach this point): 503 with Retry-After instead of a booking it cannot finish.
 */
export function requireBudget(budget: BookingBudget): void {
  if (budget.remainingMs() > 0) return;
  throw new ApiError('service_unavailable', 'The service is at capacity; retry after the time in Retry-After', undefined, undefined, {
    'retry-after': String(POLL_AFTER_SECONDS),
  });
}

/** 202: the booking exists and its workflow is still running; where to look for the outcome. */
export async function acceptedForLater(tenantId: string, bookingId: string): Promise<RouteResponse> {
  const statusUrl = `/v1/bookings/${bookingId}`;
  const record = await Promise.race([
    getBookingRecord(tenantId, bookingId).catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), STATUS_READ_MS).unref()),
  ]);
  const booking = record ? toPublicBooking(record) : { bookingId, status: 'received' as const };
  return {
    statusCode: 202,
    body: { ...booking, statusUrl, message: 'The booking is still being processed; its status URL has the outcome' },
    headers: { location: statusUrl, 'retry-after': String(POLL_AFTER_SECONDS) },
  };
}

/**
 * Waits for `work` (the booking's run) until the budget is spent; then answers with `late()` (the
 * 202) and lets the work finish in the background: `settledLate` gets its outcome (so the
 * reservation can store the final answer), and the admission permit stays taken until it settles.
 */
export async function answerWithinBudget(
  work: Promise<RouteResponse>,
  options: {
    budget: BookingBudget;
    late: () => Promise<RouteResponse>;
    settledLate: (outcome: { response: RouteResponse } | { error: unknown }) => Promise<void>;
    permit?: AdmissionPermit;
  },
): Promise<RouteResponse> {
  const remaining = options.budget.remainingMs();
  if (!Number.isFinite(remaining)) return work;
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), remaining);
  });
  try {
    const first = await Promise.race([work, outOfTime]);
    if (first !== 'late') return first;
  } finally {
    clearTimeout(timer);
  }
  const settled = work.then(
    (response) => options.settledLate({ response }),
    (error: unknown) => options.settledLate({ error }),
  );
  options.permit?.holdUntil(settled.catch((error: unknown) => logger.error('late booking run could not record its outcome', { error: error as Error })));
  return options.late();
}
