/**
 * Route Memberships: `GET /v1/customers/{customerId}/memberships` lists a customer's memberships
 * (service agreements); `PUT /v1/customers/{customerId}/memberships/{membershipId}` creates or
 * changes one (plan, price, term, renewal date, auto-renew, card token; or cancels it). The daily
 * RenewalsScan runs their cadence. `bookings` or `admin` scope.
 */
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { getCustomer } from '../recognise/store';
import { paymentSettings } from '../tenant/setup';
import { getTenant } from '../tenant/store';
import { MembershipParamsSchema, PutMembershipRequestSchema } from './schemas';
import { getMembership, listCustomerMemberships, putMembership, updateMembership, type Membership } from './store';

function toPublic(m: Membership) {
  const { tenantId: _t, paymentMethod: _p, version: _v, createdAt: _c, lastChargeId: _l, ...rest } = m;
  return rest;
}

const list = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { customerId } = parseWith(MembershipParamsSchema, pathParameters, 'path');
  if (!(await getCustomer(tenant.tenantId, customerId))) throw new ApiError('not_found', `No customer ${customerId}`, 'customerId');
  return { statusCode: 200, body: { items: (await listCustomerMemberships(tenant.tenantId, customerId)).map(toPublic) } };
});

const put = apiRoute({ body: PutMembershipRequestSchema }, async ({ tenant, pathParameters, body }) => {
  const { customerId, membershipId } = parseWith(MembershipParamsSchema, pathParameters, 'path');
  if (!membershipId) throw new ApiError('invalid_request', 'membershipId is required', 'membershipId');
  if (!(await getCustomer(tenant.tenantId, customerId))) throw new ApiError('not_found', `No customer ${customerId}`, 'customerId');
  const at = now();
  const [existing, tenantRecord] = await Promise.all([getMembership(tenant.tenantId, customerId, membershipId), getTenant(tenant.tenantId)]);
  // The card belongs to the tenant's processor (the renewals scan charges through it); `none` when it has none yet.
  const processor = (tenantRecord && paymentSettings(tenantRecord)?.provider) ?? 'none';
  const fields = {
    plan: body.plan,
    priceCents: body.priceCents,
    termMonths: body.termMonths,
    renewsOn: body.renewsOn,
    autoRenew: body.autoRenew,
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
    return { statusCode: 200, body: toPublic(updated) };
  }
  const created: Membership = {
    tenantId: tenant.tenantId,
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
  return { statusCode: 201, body: toPublic(created) };
});

/** One Lambda for the memberships resource; API Gateway's route key picks the operation. */
export const handler = async (event: { routeKey?: string }, context: unknown) =>
  ((event.routeKey ?? '').startsWith('PUT') ? put : list)(event as never, context as never);
