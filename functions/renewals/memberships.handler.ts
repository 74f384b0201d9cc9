/**
 * Route Memberships: `GET /v1/customers/{customerId}/memberships` lists a customer's memberships
 * (service agreements); `PUT /v1/customers/{customerId}/memberships/{membershipId}` creates or
 * changes one (plan, price, term, renewal date, auto-renew, card token; or cancels it). The daily
 * RenewalsScan runs their cadence. `bookings` or `admin` scope.
 */
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { getCustomer } from '../recognise/store';
import { MembershipParamsSchema, PutMembershipRequestSchema } from './schemas';
import { saveMembership } from './memberships';
import { listCustomerMemberships, type Membership } from './store';
import { withVisitsUsed } from './visits';

async function toPublic(m: Membership) {
  const { tenantId: _t, paymentMethod: _p, version: _v, createdAt: _c, lastChargeId: _l, ...rest } = await withVisitsUsed(m);
  return rest;
}

const list = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { customerId } = parseWith(MembershipParamsSchema, pathParameters, 'path');
  if (!(await getCustomer(tenant.tenantId, customerId))) throw new ApiError('not_found', `No customer ${customerId}`, 'customerId');
  return { statusCode: 200, body: { items: await Promise.all((await listCustomerMemberships(tenant.tenantId, customerId)).map(toPublic)) } };
});

const put = apiRoute({ body: PutMembershipRequestSchema }, async ({ tenant, pathParameters, body }) => {
  const { customerId, membershipId } = parseWith(MembershipParamsSchema, pathParameters, 'path');
  if (!membershipId) throw new ApiError('invalid_request', 'membershipId is required', 'membershipId');
  if (!(await getCustomer(tenant.tenantId, customerId))) throw new ApiError('not_found', `No customer ${customerId}`, 'customerId');
  const { created, membership } = await saveMembership(tenant.tenantId, customerId, membershipId, body, now());
  return { statusCode: created ? 201 : 200, body: await toPublic(membership) };
});

/** One Lambda for the memberships resource: the Memberships routes (functions/registry.ts), by name. */
export const handler = routeOperations({ listMemberships: list, putMembership: put });
