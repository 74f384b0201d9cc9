/**
 * API key scopes. A key carries a list; a route names the scopes any one of which lets a caller in.
 * - `bookings`: book and read bookings; `review`: work the review queue; `reports`: read reports;
 * - `admin`: administer the tenant (its keys, configuration);
 * - `ops`: operate the deployment's shared queues (depths, DLQ redrive): they hold every tenant's
 *   messages, so a tenant admin key does not have it; the single-company demo key does;
 * - `platform`: the deployment's operator (agency): create tenants and administer any of them.
 */
import { ApiError } from './errors';
import type { TenantContext } from './http';

export const SCOPES = ['bookings', 'review', 'reports', 'admin', 'ops', 'platform'] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(tenant: TenantContext, anyOf: readonly Scope[]): boolean {
  return anyOf.some((scope) => tenant.scopes.includes(scope)) || tenant.scopes.includes('platform');
}

/** 403 naming the scopes that would do; a platform key passes every check. */
export function requireScope(tenant: TenantContext, anyOf: readonly Scope[]): void {
  if (!hasScope(tenant, anyOf)) {
    throw new ApiError('forbidden', `This API key lacks the scope for this: one of ${anyOf.join(', ')} is needed`);
  }
}
