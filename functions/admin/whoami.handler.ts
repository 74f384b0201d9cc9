import { apiRoute } from '../shared/http';
import { SCOPE_PURPOSE, SCOPES, scopesBeyond } from '../shared/scopes';
import { getTenantPart } from '../tenant/store';
import { PLATFORM_TENANT_ID } from './platform';

export const handler = apiRoute({}, async ({ tenant }) => {
  const company = await getTenantPart(tenant.tenantId, ['name', 'timeZone']).catch(() => undefined);
  // What this key may hand out (at most its own; platform stays the operator's): the console's key form lists these.
  const grantable = SCOPES.filter((scope) => scopesBeyond(tenant, [scope]).length === 0 && (scope !== 'platform' || tenant.tenantId === PLATFORM_TENANT_ID));
  return {
    statusCode: 200,
    body: {
      tenantId: tenant.tenantId,
      ...(company ? { tenantName: company.name, timeZone: company.timeZone } : {}),
      keyId: tenant.keyId,
      ...(tenant.keyName ? { keyName: tenant.keyName } : {}),
      scopes: tenant.scopes,
      grantableScopes: grantable.map((scope) => ({ scope, purpose: SCOPE_PURPOSE[scope] })),
    },
  };
});
