/**
 * Which tenant an admin request acts on, and the "at most your own" rule for keys. The route's
 * declaration (functions/registry.ts) has already let in `admin` (or `platform`) keys; here: its own
 * tenant with `admin`; any tenant, named in the request, with `platform`. A key hands out, rotates
 * and revokes only keys whose scopes it holds itself, so no key gains power through another.
 */
import { ApiError } from '../shared/errors';
import type { TenantContext } from '../shared/http';
import { scopesBeyond, type Scope } from '../shared/scopes';
import { PLATFORM_TENANT_ID } from './platform';

export function adminTenant(caller: TenantContext, requestedTenantId?: string): string {
  if (requestedTenantId && requestedTenantId !== caller.tenantId) {
    if (!caller.scopes.includes('platform')) {
      throw new ApiError('forbidden', 'Only a platform key may administer another tenant', 'tenantId');
    }
    return requestedTenantId;
  }
  return caller.tenantId;
}

/** Creating a key: its scopes are at most the caller's; `platform` stays with the operator's own tenant. */
export function assertGrantable(caller: TenantContext, tenantId: string, scopes: readonly Scope[]): void {
  const beyond = scopesBeyond(caller, scopes);
  if (beyond.length) throw new ApiError('forbidden', `A key cannot grant scopes it lacks: ${beyond.join(', ')}`, 'scopes');
  if (scopes.includes('platform') && tenantId !== PLATFORM_TENANT_ID) {
    throw new ApiError('forbidden', 'The platform scope belongs to the deployment operator, not to a tenant key', 'scopes');
  }
}

/** Rotating or revoking a key: only one whose scopes the caller holds itself (an admin cannot rotate an ops key). */
export function assertManageable(caller: TenantContext, key: { keyId: string; scopes: readonly string[] }): void {
  const beyond = scopesBeyond(caller, key.scopes);
  if (beyond.length) {
    throw new ApiError('forbidden', `This key cannot manage key ${key.keyId}: it has scopes this key lacks (${beyond.join(', ')})`, 'keyId');
  }
}
