import { apiRoute } from '../shared/http';
import { getTenant } from '../tenant/store';

export const handler = apiRoute({}, async ({ tenant }) => {
  const company = await getTenant(tenant.tenantId).catch(() => undefined);
  return {
    statusCode: 200,
    body: {
      tenantId: tenant.tenantId,
      ...(company ? { tenantName: company.name, timeZone: company.timeZone } : {}),
      keyId: tenant.keyId,
      scopes: tenant.scopes,
    },
  };
});
