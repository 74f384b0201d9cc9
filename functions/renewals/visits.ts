/**
 * Renewals know the visits used: a member's completed job counts against the plan's included
 * visits for the current term (use case of the job lifecycle's `completed` actions). The count
 * lives beside the membership, one item per booking (renewals/store.ts), and the membership's
 * record and its renewal notices read it.
 */
import { countMemberVisits, listCustomerMemberships, recordMemberVisit, type Membership } from './store';

/** Memberships a visit counts against: those in force (a renewal being retried is still in force). */
const IN_FORCE: ReadonlySet<Membership['status']> = new Set(['active', 'past_due']);

/** Counts a completed visit against the customer's membership in force, if any; repeated calls count it once. */
export async function countMemberVisit(
  tenantId: string,
  customerId: string,
  visit: { bookingId: string; date: string; jobType: string },
  at: Date,
): Promise<{ membershipId: string; visitsUsed: number; includedVisits?: number } | undefined> {
  const membership = (await listCustomerMemberships(tenantId, customerId)).find((m) => IN_FORCE.has(m.status));
  if (!membership) return undefined;
  await recordMemberVisit(membership, visit, at);
  const visitsUsed = await countMemberVisits(membership);
  return {
    membershipId: membership.membershipId,
    visitsUsed,
    ...(membership.includedVisits !== undefined ? { includedVisits: membership.includedVisits } : {}),
  };
}

/** A membership as the API shows it: with the visits used this term. */
export async function withVisitsUsed<M extends Membership>(m: M): Promise<M & { visitsUsed: number }> {
  return { ...m, visitsUsed: await countMemberVisits(m) };
}
