/**
 * Which tenant an admin request acts on: its own with the `admin` scope; any tenant, named in the
 * request, with the `platform` scope. Scopes a caller hands out are at most its own.
 */
import { ApiError } from '../shared/errors';
import type { TenantContext } from '../shared/http';
import { requireScope, type Scope } from '../shared/scopes';

export function adminTenant(caller: TenantContext, requestedTenantId?: string): string {
  requireScope(caller, ['admin']);
  if (requestedTenantId && requestedTenantId !== caller.tenantId) {
    if (!caller.scopes.includes('platform')) {
      throw new ApiError('forbidden', 'Only a platform key may administer another tenant', 'tenantId');
    }
    return requestedTenantId;
  }
  return caller.tenantId;
}

export function assertGrantable(caller: TenantContext, scopes: readonly Scope[]): void {
  if (caller.scopes.includes('platform')) return;
  const beyond = scopes.filter((scope) => !caller.scopes.includes(scope));
  if (beyond.length) throw new ApiError('forbidden', `A key cannot grant scopes it lacks: ${beyond.join(', ')}`, 'scopes');
}
