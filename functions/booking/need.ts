/**
 * One job per need (issue 15, item 3): before a booking is made, its need (a trade at the caller's
 * phone or service address, routine or emergency: booking/duplicates.ts) is claimed for it. A need
 * another open booking already serves makes this request a repeat: POST /v1/bookings answers 200
 * with that booking and `duplicateOf`, unless the request says `allowDuplicate: true` (a second
 * job). Claims are conditional writes (booking/need-store.ts), so two concurrent requests with
 * different Idempotency-Keys for one need book once.
 */
import { localDate } from '../capacity/availability';
import { normalizePhone } from '../recognise/phone';
import type { JobType, Tenant } from '../tenant/model';
import { bookingStillOpen, needIdentities } from './duplicates';
import { claimNeed, getNeed, releaseNeed, takeOverNeed } from './need-store';
import { BOOKING_LEASE_MS } from './reservation-store';
import type { CreateBookingRequest } from './schemas';
import { getBookingRecord, type BookingRecord } from './store';

export type NeedOutcome = { claimed: true } | { claimed: false; duplicateOf: string; record?: BookingRecord };

/** Claims the request's need for `bookingId`, or names the open booking that already serves it. */
export async function claimBookingNeed(args: {
  tenant: Tenant;
  jobType: JobType;
  request: CreateBookingRequest;
  bookingId: string;
  at: Date;
}): Promise<NeedOutcome> {
  const { tenant, jobType, request, bookingId, at } = args;
  const phoneE164 = normalizePhone(request.customer.phone, request.address.country);
  if (!phoneE164) return { claimed: true };
  const identities = needIdentities({ trade: jobType.trade, emergency: Boolean(request.emergency || jobType.emergency), phoneE164, address: request.address });
  const ttlSeconds = (tenant.bookingHorizonDays + 1) * 86_400;
  const today = localDate(at, tenant.timeZone);
  const taken: string[] = [];
  for (const identity of identities) {
    let holder: { bookingId: string; record?: BookingRecord } | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      if (await claimNeed(tenant.tenantId, identity, bookingId, at, ttlSeconds)) {
        holder = undefined;
        taken.push(identity);
        break;
      }
      const claim = await getNeed(tenant.tenantId, identity);
      if (!claim) continue; // expired and deleted meanwhile: claim again
      const record = await getBookingRecord(tenant.tenantId, claim.bookingId);
      // A holder with no booking record after a run's lease never made its booking (it crashed first).
      const stands = record ? bookingStillOpen(record, today) : Date.parse(claim.createdAt) + BOOKING_LEASE_MS > at.getTime();
      if (stands) {
        holder = { bookingId: claim.bookingId, record };
        break;
      }
      if (await takeOverNeed(tenant.tenantId, identity, claim.bookingId, bookingId, at, ttlSeconds)) {
        holder = undefined;
        taken.push(identity);
        break;
      }
    }
    if (holder) {
      await Promise.all(taken.map((own) => releaseNeed(tenant.tenantId, own, bookingId)));
      return { claimed: false, duplicateOf: holder.bookingId, ...(holder.record ? { record: holder.record } : {}) };
    }
    if (!taken.includes(identity)) throw new Error('Could not settle the need claim under contention');
  }
  return { claimed: true };
}
