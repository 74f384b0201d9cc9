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
import { claimNeed, getNeed, needClaimPut, releaseNeed, takeOverNeed } from './need-store';
import { BOOKING_LEASE_MS } from './reservation-store';
import type { CreateBookingRequest } from './schemas';
import { getBookingRecord, type BookingRecord } from './store';

export type NeedOutcome = { claimed: true } | { claimed: false; duplicateOf: string; record?: BookingRecord };

type NeedArgs = { tenant: Tenant; jobType: JobType; request: CreateBookingRequest; bookingId: string; at: Date };

/** The need identities the request claims (none without a phone) and how long a claim lasts. */
function needOf({ tenant, jobType, request }: Pick<NeedArgs, 'tenant' | 'jobType' | 'request'>): { identities: string[]; ttlSeconds: number } {
  const phoneE164 = normalizePhone(request.customer.phone, request.address.country);
  const identities = phoneE164
    ? needIdentities({ trade: jobType.trade, emergency: Boolean(request.emergency || jobType.emergency), phoneE164, address: request.address })
    : [];
  return { identities, ttlSeconds: (tenant.bookingHorizonDays + 1) * 86_400 };
}

/**
 * The request's need claims as conditional Puts, for a new request's one transaction
 * (reservation-store.ts reserveBookingWith): when all of them hold, the need is `bookingId`'s, as
 * claimBookingNeed would have made it; when one does not, claimBookingNeed settles it.
 */
export function needClaimWrites(args: NeedArgs): Array<{ Put: ReturnType<typeof needClaimPut> }> {
  const { identities, ttlSeconds } = needOf(args);
  return identities.map((identity) => ({ Put: needClaimPut(args.tenant.tenantId, identity, args.bookingId, args.at, ttlSeconds) }));
}

/** Claims the request's need for `bookingId`, or names the open booking that already serves it. */
export async function claimBookingNeed(args: NeedArgs): Promise<NeedOutcome> {
  const { tenant, bookingId, at } = args;
  const { identities, ttlSeconds } = needOf(args);
  if (!identities.length) return { claimed: true };
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
