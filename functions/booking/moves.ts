/**
 * The windows a booked job could move to: what its reschedule would get. The job's own place (its
 * window, route stop and daily tokens: holdWindow's `leaving`) counts as given back, as the
 * reschedule that takes one of these windows counts it; the window it is in is never offered (with
 * its place given back it looks open); a member's job may take the member reserve (isMemberMove).
 * Every path that offers a booked job new windows asks here (a refused reschedule's or move hold's
 * alternatives, the customer's R by text, dispatch's reschedule suggestion, availability with
 * `bookingId`).
 */
import { alternativesFor, type WindowChoice } from '../capacity/engine';
import { normalizePostalCode } from '../capacity/availability';
import { isMember } from '../renewals/member';
import { ApiError } from '../shared/errors';
import type { JobType, Tenant } from '../tenant/model';
import { CHANGEABLE } from './changeable';
import { type BookingRecord, getBookingRecord } from './store';

type MovingJob = Pick<BookingRecord, 'tenantId' | 'customerId' | 'holdId' | 'request' | 'window'>;

/** A move of this booking looks for emergency windows when the job is an emergency (by the request or its type). */
export function isEmergencyMove(booking: Pick<BookingRecord, 'request'>, jobType: JobType): boolean {
  return Boolean(booking.request.emergency || jobType.emergency);
}

/**
 * A move of this booking may take the tenant's member reserve when its customer is a member now
 * (renewals/member.ts): the booking's customer, whoever asks (a reschedule, a hold or availability
 * for the move, the customer's R by text, dispatch).
 */
export function isMemberMove(booking: Pick<BookingRecord, 'tenantId' | 'customerId'>): Promise<boolean> {
  return isMember(booking.tenantId, booking.customerId);
}

/**
 * The window a move never offers: the one the job is in, unless the move names another technician
 * (the same window with someone else is a real move).
 */
export function whereItIs(booking: Pick<BookingRecord, 'window'>, technicianId?: string): { date: string; start: string } | undefined {
  const window = booking.window;
  if (!window || (technicianId && technicianId !== window.technicianId)) return undefined;
  return { date: window.date, start: window.start };
}

export async function windowsToMoveTo(args: {
  tenant: Tenant;
  jobType: JobType;
  booking: MovingJob;
  now: Date;
  count?: number;
  /** Only windows this technician can take (a move to a named technician). */
  technicianId?: string;
  /** Nearest this window first (the one asked for); else the next ones from now. */
  near?: { date: string; start: string };
  /** Never this window either (the one just refused). */
  except?: { date: string; start: string };
  /** The caller read it already (isMemberMove); read here when not given. */
  member?: boolean;
}): Promise<WindowChoice[]> {
  const { booking, jobType } = args;
  const current = whereItIs(booking, args.technicianId);
  return alternativesFor({
    tenant: args.tenant,
    jobType,
    postalCode: booking.request.address.postalCode,
    now: args.now,
    emergency: isEmergencyMove(booking, jobType),
    member: args.member ?? (await isMemberMove(booking)),
    count: args.count,
    technicianId: args.technicianId,
    near: args.near,
    except: [args.except, current].filter((w) => w !== undefined),
    ...(booking.holdId ? { leaving: new Set([booking.holdId]) } : {}),
  });
}

/**
 * The booked job a hold or an availability question is for (`bookingId`): one of this tenant's
 * (another's is unknown) that can still be moved; `jobTypeId` and `postalCode`, when given, must be
 * its. `prefix` names the fields as the request has them (`query.` on a query string).
 */
export async function bookingToMove(
  tenantId: string,
  ask: { bookingId: string; jobTypeId?: string; postalCode?: string },
  prefix = '',
): Promise<BookingRecord & { holdId: string }> {
  const booking = await getBookingRecord(tenantId, ask.bookingId);
  if (!booking) throw new ApiError('invalid_request', `Unknown booking "${ask.bookingId}"`, `${prefix}bookingId`);
  if (!CHANGEABLE.includes(booking.status) || !booking.holdId) {
    throw new ApiError('conflict', `A ${booking.status} booking cannot be moved`, `${prefix}bookingId`);
  }
  if (ask.jobTypeId !== undefined && booking.jobTypeId !== ask.jobTypeId) {
    throw new ApiError('invalid_request', `Booking ${booking.bookingId} is a ${booking.jobTypeId} job: ask for that job type`, `${prefix}jobTypeId`);
  }
  const postalCode = booking.request.address.postalCode;
  if (ask.postalCode !== undefined && normalizePostalCode(postalCode) !== normalizePostalCode(ask.postalCode)) {
    throw new ApiError('invalid_request', `Booking ${booking.bookingId} is at ${postalCode}: ask for that postal code`, `${prefix}postalCode`);
  }
  return { ...booking, holdId: booking.holdId };
}
