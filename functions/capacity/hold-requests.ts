/**
 * Holds through the API: soft-hold a window for the tenant's hold minutes (it expires by itself, no
 * job running), read one, release one. A booking with `holdId` commits exactly that hold.
 */
import { ulid } from 'ulid';
import { ApiError } from '../shared/errors';
import { type BookingBudget as RequestBudget, requireBudget } from '../booking/budget';
import { getJobType, getTenant } from '../tenant/store';
import { holdWindow } from './engine';
import { bookingToMove, emergencyOfMove, isMemberMove, windowsToMoveTo } from '../booking/moves';
import { requireWithinHorizon } from './horizon';
import { getCustomer } from '../recognise/store';
import { normalizePhone } from '../recognise/phone';
import { memberPlan } from '../renewals/member';
import { holdCallerPutItem } from './hold-caller-store';
import { type CreateHoldRequest, type HoldCaller, HoldCallerSchema } from './schemas';

const CALLER_FIELDS = Object.keys(HoldCallerSchema.shape) as Array<keyof HoldCaller>;
import { getHold, type HoldRecord, isHoldLive, releaseHold } from './store';

export function toPublicHold(hold: HoldRecord, at: Date) {
  const expired = hold.status === 'HELD' && !isHoldLive(hold, at);
  return {
    holdId: hold.holdId,
    status: expired ? 'RELEASED' : hold.status,
    ...(hold.expiresAt && hold.status === 'HELD' ? { expiresAt: new Date(hold.expiresAt * 1000).toISOString() } : {}),
    jobTypeId: hold.plan.jobTypeId,
    emergency: hold.emergency,
    window: { date: hold.plan.date, start: hold.plan.start, end: hold.plan.end, technicianId: hold.plan.technicianId },
    ...(hold.bookingId ? { bookingId: hold.bookingId } : {}),
  };
}

/** No deadline (a caller without a Lambda context). */
const NO_BUDGET: RequestBudget = { remainingMs: () => Number.POSITIVE_INFINITY };

/** A new hold, or the refusal (409 window_unavailable with the reason and alternatives). */
export async function createHold(
  tenantId: string,
  body: CreateHoldRequest,
  at: Date,
  budget: RequestBudget = NO_BUDGET,
): Promise<{ hold: ReturnType<typeof toPublicHold> } | { refused: ApiError }> {
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, body.jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${body.jobTypeId}"`, 'jobTypeId');
  if (body.window && ![...tenant.arrivalWindows, ...tenant.afterHoursWindows].some((w) => w.start === body.window!.start)) {
    throw new ApiError('invalid_request', 'window.start must be one of the arrival windows', 'window.start');
  }
  if (body.window) requireWithinHorizon(tenant, at, body.window.date, 'window.date');
  if (body.customer && !normalizePhone(body.customer.phone, body.address?.country ?? 'US')) {
    throw new ApiError('invalid_request', 'customer.phone: not a valid phone number', 'customer.phone');
  }
  const customer = body.customerId ? await getCustomer(tenantId, body.customerId) : undefined;
  if (body.customerId && !customer) throw new ApiError('invalid_request', `Unknown customer "${body.customerId}"`, 'customerId');
  const moving = body.bookingId ? await bookingToMove(tenantId, { ...body, bookingId: body.bookingId }) : undefined;
  // Members first: a recognised member's hold may take the tenant's member reserve, as their availability shows
  // (a move: its booking's customer, as its reschedule counts it).
  const member = moving ? await isMemberMove(moving) : memberPlan(customer) !== undefined;
  const attempt = await holdWindow({
    tenant,
    jobType,
    postalCode: body.postalCode,
    window: body.window,
    // A move: the booking decides, as its reschedule does (a disagreeing `emergency` is refused).
    emergency: moving ? emergencyOfMove(moving, jobType, body.emergency, 'emergency') : body.emergency,
    member,
    holdId: `hold-${ulid()}`,
    source: 'api',
    now: at,
    // A move (issue 21): the job's current hold is given back when its reschedule commits this one,
    // so its own stop and daily tokens are not counted against the new window (as a reschedule's own
    // hold); the hold is the booking's, so only its reschedule can take it.
    // Refused, it offers the windows that job could move to (never where it is).
    ...(moving
      ? {
          leaving: moving.holdId,
          bookingId: moving.bookingId,
          alternatives: () => windowsToMoveTo({ tenant, jobType, booking: moving, now: at, member, near: body.window, except: body.window }),
        }
      : {}),
    // A burst can make claims slow: answer 503 with Retry-After inside the Lambda's time, never a timeout.
    checkTime: () => requireBudget(budget),
    // The caller is written in the hold's claim transaction: a crash can never keep one without the
    // other. Not for a move: its customer has a booking, they are no lead if the hold runs out.
    alongside: (hold) => (moving ? [] : callerItems(tenantId, body, hold, at)),
  });
  if (!attempt.hold) {
    return {
      refused: new ApiError('window_unavailable', `Nothing to hold (${attempt.reason})`, body.window ? 'window' : undefined, {
        reason: attempt.reason,
        alternatives: attempt.alternatives,
      }),
    };
  }
  return { hold: toPublicHold(attempt.hold, at) };
}

/** A hold that names its caller keeps them, so one who hangs up before booking becomes a lead (leads/hung-up.ts). */
function callerItems(tenantId: string, body: CreateHoldRequest, hold: HoldRecord, at: Date) {
  if (!body.customerId && !body.customer) return [];
  const caller: HoldCaller = Object.fromEntries(CALLER_FIELDS.filter((field) => body[field] !== undefined).map((field) => [field, body[field]]));
  return [
    holdCallerPutItem({
      tenantId,
      holdId: hold.holdId,
      jobTypeId: body.jobTypeId,
      postalCode: body.postalCode,
      emergency: hold.emergency,
      caller,
      createdAt: at.toISOString(),
      holdExpiresAt: new Date((hold.expiresAt ?? Math.floor(at.getTime() / 1000)) * 1000).toISOString(),
    }),
  ];
}

export async function releaseHoldById(tenantId: string, id: string) {
  const outcome = await releaseHold(tenantId, id);
  if (outcome === 'unknown') throw new ApiError('not_found', `No hold ${id}`, 'id');
  if (outcome === 'BOOKED') throw new ApiError('conflict', 'This hold is already booked; cancel the booking instead', 'id');
  return { holdId: id, status: 'RELEASED' as const };
}

export async function readHold(tenantId: string, id: string, at: Date) {
  const hold = await getHold(tenantId, id);
  if (!hold) throw new ApiError('not_found', `No hold ${id}`, 'id');
  return toPublicHold(hold, at);
}
