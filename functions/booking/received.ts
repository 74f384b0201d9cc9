import type { planIntake } from '../attribution/intake';
import { recoveryIndexEntry } from './recovery';
import type { CreateBookingRequest } from './schemas';
import type { BookingRecord } from './store';

/**
 * The booking as the bookings route first stores it: `received`, no window yet, and in the recovery
 * index from creation (a run that dies is found by the sweep). One builder, so tests that start from
 * a stored request store what the route stores.
 */
export function receivedBookingRecord(args: {
  tenantId: string;
  bookingId: string;
  request: CreateBookingRequest;
  at: Date;
  reservationKey?: string;
  intake?: ReturnType<typeof planIntake>;
}): BookingRecord {
  const { request, intake, at } = args;
  return {
    tenantId: args.tenantId,
    bookingId: args.bookingId,
    status: 'received',
    jobTypeId: request.jobTypeId,
    window: null,
    channel: request.channel,
    ...(intake ? { summary: intake.summary } : {}),
    ...(intake?.sourceSettings ? { sourceSettings: intake.sourceSettings } : {}),
    ...(intake?.flags.length ? { flags: intake.flags } : {}),
    attribution: request.attribution,
    request,
    ...(args.reservationKey ? { reservationKey: args.reservationKey } : {}),
    ...recoveryIndexEntry(at),
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
}
