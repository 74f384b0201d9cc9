/**
 * The windows a booked job could move to: what its reschedule would get. The job's own place (its
 * window, route stop and daily tokens: holdWindow's `leaving`) counts as given back, as the
 * reschedule that takes one of these windows counts it; the window it is in is never offered (with
 * its place given back it looks open); a member's job may take the member reserve (isMemberMove).
 * Every path that offers a booked job new windows asks here (a refused reschedule's or move hold's
 * alternatives, the customer's R by text, dispatch's reschedule and move suggestions, availability
 * and holds with `bookingId`).
 */
import { alternativesFor, availableWindows, openWindowsIn, type WindowChoice } from '../capacity/engine';
import { type CapacityClaim, normalizePostalCode } from '../capacity/availability';
import { isMember } from '../renewals/member';
import { ApiError } from '../shared/errors';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { CHANGEABLE } from './changeable';
import { type BookingRecord, getBookingRecord } from './store';

type MovingJob = Pick<BookingRecord, 'tenantId' | 'customerId' | 'holdId' | 'request' | 'window'>;

/** A move of this booking looks for emergency windows when the job is an emergency (by the request or its type). */
export function isEmergencyMove(booking: Pick<BookingRecord, 'request'>, jobType: JobType): boolean {
  return Boolean(booking.request.emergency || jobType.emergency);
}

/**
 * Whether a move of this booking is an emergency's (isEmergencyMove), as its reschedule counts it. A
 * caller's `emergency` for the move (availability or a hold with `bookingId`), when given, must agree:
 * a move neither makes a job an emergency nor takes it out of one. `field` names it as the request has it.
 */
export function emergencyOfMove(booking: Pick<BookingRecord, 'bookingId' | 'request'>, jobType: JobType, asked: boolean | undefined, field: string): boolean {
  const emergency = isEmergencyMove(booking, jobType);
  if (asked !== undefined && asked !== emergency) {
    throw new ApiError(
      'invalid_request',
      emergency
        ? `Booking ${booking.bookingId} is an emergency: its move looks for emergency windows (send ${field}=true or leave it out)`
        : `Booking ${booking.bookingId} is not an emergency: its move cannot take emergency windows (send ${field}=false or leave it out)`,
      field,
    );
  }
  return emergency;
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

/** What every question about a move asks the capacity engine: the job's place, its reserves (emergency, member), its own hold given back. */
async function moveQuestion(args: { tenant: Tenant; jobType: JobType; booking: MovingJob; now: Date; member?: boolean }) {
  const { booking, jobType } = args;
  return {
    tenant: args.tenant,
    jobType,
    postalCode: booking.request.address.postalCode,
    now: args.now,
    emergency: isEmergencyMove(booking, jobType),
    member: args.member ?? (await isMemberMove(booking)),
    ...(booking.holdId ? { leaving: new Set([booking.holdId]) } : {}),
  };
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
  const current = whereItIs(args.booking, args.technicianId);
  return alternativesFor({
    ...(await moveQuestion(args)),
    count: args.count,
    technicianId: args.technicianId,
    near: args.near,
    except: [args.except, current].filter((w) => w !== undefined),
  });
}

/**
 * The other technicians who could take this booked job in `window`: those its reschedule naming them
 * there would claim (the same engine read as holdWindow's, its place given back, its reserves), so
 * dispatch never proposes a move the move refuses.
 */
export async function techniciansToMoveTo(args: {
  tenant: Tenant;
  jobType: JobType;
  booking: MovingJob;
  now: Date;
  window: { date: string; start: string };
  /** The caller read it already (isMemberMove); read here when not given. */
  member?: boolean;
  /** The window's day as the caller read it (a dispatch day): asked on these instead of reading them again. */
  read?: { technicians: Technician[]; claims: CapacityClaim[] };
}): Promise<string[]> {
  const { window, booking, read } = args;
  const question = { ...(await moveQuestion(args)), dates: [window.date] };
  const { open } = read ? openWindowsIn({ ...question, ...read }) : await availableWindows(question);
  const there = open.find((w) => w.date === window.date && w.start === window.start);
  return (there?.candidates ?? []).map((c) => c.technicianId).filter((id) => id !== booking.window?.technicianId);
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
