import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { CreateTenantRequestSchema } from './schemas';
import { createTenantWithAdminKey } from './store';

export const handler = apiRoute({ body: CreateTenantRequestSchema }, async ({ tenant: caller, body }) => {
  if (!caller.scopes.includes('platform')) throw new ApiError('forbidden', 'Creating a tenant needs a platform key');
  const created = await createTenantWithAdminKey(body, `key ${caller.keyId}`, now());
  if (created === 'conflict') throw new ApiError('conflict', `Tenant ${body.tenantId} already exists`, 'tenantId');
  return {
    statusCode: 201,
    body: { tenant: { tenantId: created.tenant.tenantId, name: created.tenant.name, timeZone: created.tenant.timeZone }, apiKey: created.apiKey, key: created.key },
  };
});
