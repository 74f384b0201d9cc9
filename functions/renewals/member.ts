/**
 * Members first (issue 15 item 5): whether a customer is a member now, and of which plan, read from
 * the membership summary recognition keeps on the customer (renewals/store.ts keeps it in step with
 * the membership). The one rule every reader uses: the CRM write context, the technician's and the
 * dispatcher's messages, and availability's member reserve.
 */
import { getCustomer, type CustomerProfileFields } from '../recognise/store';

/** The plan of an active membership (a renewal retry keeps it active); undefined for everyone else. */
export function memberPlan(customer: { membership?: CustomerProfileFields['membership'] } | undefined): string | undefined {
  const membership = customer?.membership;
  return membership?.status === 'active' ? (membership.plan ?? 'membership') : undefined;
}

/** Whether the booking's customer is a member now (availability and holds may give them the member reserve). */
export async function isMember(tenantId: string, customerId: string | undefined): Promise<boolean> {
  if (!customerId) return false;
  return memberPlan(await getCustomer(tenantId, customerId)) !== undefined;
}
