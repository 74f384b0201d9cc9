/**
 * Creating or changing a membership (use case of `PUT /v1/customers/{customerId}/memberships/{id}`):
 * the card belongs to the tenant's processor; a new renewal date starts a fresh cycle; cancelling
 * stops the cadence. The RenewalsScan (run-day.ts) runs what is due.
 */
import { ApiError } from '../shared/errors';
import type * as z from '../shared/zod';
import { paymentSettings } from '../tenant/setup';
import { getTenant } from '../tenant/store';
import type { PutMembershipRequestSchema } from './schemas';
import { getMembership, putMembership, updateMembership, type Membership } from './store';

export type PutMembershipRequest = z.infer<typeof PutMembershipRequestSchema>;

export async function saveMembership(
  tenantId: string,
  customerId: string,
  membershipId: string,
  body: PutMembershipRequest,
  at: Date,
): Promise<{ created: boolean; membership: Membership }> {
  const [existing, tenantRecord] = await Promise.all([getMembership(tenantId, customerId, membershipId), getTenant(tenantId)]);
  // The card belongs to the tenant's processor (the renewals scan charges through it); `none` when it has none yet.
  const processor = (tenantRecord && paymentSettings(tenantRecord)?.provider) ?? 'none';
  const fields = {
    plan: body.plan,
    priceCents: body.priceCents,
    termMonths: body.termMonths,
    renewsOn: body.renewsOn,
    autoRenew: body.autoRenew,
    ...(body.includedVisits !== undefined ? { includedVisits: body.includedVisits } : {}),
    ...(body.paymentToken
      ? { paymentMethod: { provider: processor, token: body.paymentToken, ...(body.paymentCustomerId ? { customerRef: body.paymentCustomerId } : {}) } }
      : {}),
  };
  if (existing) {
    // A new renewal date starts a fresh cycle; cancelling stops the cadence.
    const status = body.status === 'cancelled' ? 'cancelled' : existing.renewsOn !== body.renewsOn ? 'active' : existing.status;
    const chargeAttempts = existing.renewsOn !== body.renewsOn ? 0 : existing.chargeAttempts;
    const updated = await updateMembership(existing, { ...fields, status, chargeAttempts }, at);
    if (!updated) throw new ApiError('conflict', 'The membership changed meanwhile (a renewal ran); read it and try again');
    return { created: false, membership: updated };
  }
  const created: Membership = {
    tenantId,
    membershipId,
    customerId,
    ...fields,
    paymentMethod: fields.paymentMethod ?? { provider: processor, token: 'none' },
    startedOn: at.toISOString().slice(0, 10),
    status: body.status,
    chargeAttempts: 0,
    version: 1,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  await putMembership(created);
  return { created: true, membership: created };
}
