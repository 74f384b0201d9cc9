/**
 * The windows a booked job could move to: what its reschedule would get. The job's own place (its
 * window, route stop and daily tokens: holdWindow's `leaving`) counts as given back, as the
 * reschedule that takes one of these windows counts it. Every path that offers a booked job new
 * windows asks here (a refused reschedule's alternatives, the customer's R by text).
 */
import { alternativesFor, type WindowChoice } from '../capacity/engine';
import type { JobType, Tenant } from '../tenant/model';
import type { BookingRecord } from './store';

/** A move of this booking looks for emergency windows when the job is an emergency (by the request or its type). */
export function isEmergencyMove(booking: Pick<BookingRecord, 'request'>, jobType: JobType): boolean {
  return Boolean(booking.request.emergency || jobType.emergency);
}

export function windowsToMoveTo(args: {
  tenant: Tenant;
  jobType: JobType;
  booking: Pick<BookingRecord, 'holdId' | 'request'>;
  now: Date;
  count?: number;
  /** Only windows this technician can take (a move to a named technician). */
  technicianId?: string;
  /** Never this window (where the job is now, or the one just refused). */
  except?: { date: string; start: string };
}): Promise<WindowChoice[]> {
  const { booking, jobType } = args;
  return alternativesFor({
    tenant: args.tenant,
    jobType,
    postalCode: booking.request.address.postalCode,
    now: args.now,
    emergency: isEmergencyMove(booking, jobType),
    count: args.count,
    technicianId: args.technicianId,
    except: args.except,
    ...(booking.holdId ? { leaving: new Set([booking.holdId]) } : {}),
  });
}
