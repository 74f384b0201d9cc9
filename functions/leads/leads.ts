/**
 * Pure lead decisions: which unbooked answers make a lead (and with which reason), which
 * technicians of a neighbouring territory could go, and which waiting lead a freed slot goes to.
 */
import { coversPostalCode, isQualified } from '../capacity/availability';
import { travelMinutes } from '../dispatch/geo';
import type { JobType, Technician } from '../tenant/model';
import type { LeadReason, LeadRecord } from './schemas';

/**
 * Booking rejections that are demand we could not serve. Not a lead: a hold problem (the bot's), and
 * an asked window someone else just took (the 409 carries the nearest open windows, which the bot
 * offers while the caller is still on the line; with none open the reason is fully_booked). A storm
 * for one window otherwise made a callback item for every caller who simply picked another time.
 */
const REASON_OF: Record<string, LeadReason> = {
  out_of_area: 'out_of_area',
  no_qualified_technician: 'no_qualified_technician',
  fully_booked: 'fully_booked',
};

/** The lead reason for a rejected booking's statusReason, or undefined when it is no lead. */
export function leadReasonOf(statusReason: string | undefined): LeadReason | undefined {
  return statusReason && Object.hasOwn(REASON_OF, statusReason) ? REASON_OF[statusReason] : undefined;
}

/** A neighbouring technician is at most this far (driving minutes) from the caller's postal code. */
export const NEIGHBOUR_MAX_MINUTES = 45;

/**
 * Active technicians qualified for the job who do not cover the postal code but work close to it,
 * nearest first (driving minutes from the nearest code they cover), with that code.
 */
export function neighbouringTechnicians(
  technicians: Technician[],
  jobType: JobType,
  postalCode: string,
  limit = 2,
): Array<{ technician: Technician; nearestPostalCode: string; travelMinutes: number }> {
  return technicians
    .filter((t) => t.active && isQualified(t, jobType) && !coversPostalCode(t, postalCode))
    .map((technician) => {
      const [nearestPostalCode, minutes] = technician.postalCodes
        .map((code) => [code, travelMinutes(code, postalCode)] as const)
        .reduce((best, next) => (next[1] < best[1] ? next : best));
      return { technician, nearestPostalCode, travelMinutes: minutes };
    })
    .filter((n) => n.travelMinutes <= NEIGHBOUR_MAX_MINUTES)
    .sort((a, b) => a.travelMinutes - b.travelMinutes || a.technician.technicianId.localeCompare(b.technician.technicianId))
    .slice(0, limit);
}

/** Leads that may be offered a freed slot: waitlisted, of the slot's trade, earliest waitlisted first. */
export function waitingLeadsFor(leads: LeadRecord[], trade: string): LeadRecord[] {
  return leads
    .filter((lead) => lead.status === 'waitlisted' && lead.trade === trade && lead.waitlistedAt)
    .sort((a, b) => a.waitlistedAt!.localeCompare(b.waitlistedAt!) || a.leadId.localeCompare(b.leadId));
}

/**
 * What the sweep does with a hold that kept its caller, once the hold is due: `lead` when it ran
 * out unbooked (or is gone: the TTL deletes only expired holds; booked and released ones lose their
 * `expiresAt`), `later` while it is still live (a hold is only ever extended by a re-claim),
 * `none` when it was booked, tied to a booking (that request owns the caller), or released by the bot.
 */
export function hungUpDecision(
  hold: { status: 'HELD' | 'BOOKED' | 'RELEASED'; expiresAt?: number; bookingId?: string } | undefined,
  at: Date,
): { action: 'lead' } | { action: 'later'; dueAt: string } | { action: 'none'; why: string } {
  if (!hold) return { action: 'lead' };
  if (hold.status === 'BOOKED') return { action: 'none', why: 'booked' };
  if (hold.status === 'RELEASED') return { action: 'none', why: 'released' };
  if (hold.bookingId) return { action: 'none', why: 'tied to a booking' };
  const expiresMs = (hold.expiresAt ?? 0) * 1000;
  return expiresMs > at.getTime() ? { action: 'later', dueAt: new Date(expiresMs + 5_000).toISOString() } : { action: 'lead' };
}
