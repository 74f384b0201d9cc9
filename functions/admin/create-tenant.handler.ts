import { ApiError } from '../shared/errors';
import { actorOf, apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { CreateTenantRequestSchema } from './schemas';
import { createTenantWithAdminKey } from './store';

// The route admits platform keys only (functions/registry.ts); reserved ids are refused by the schema.
export const handler = apiRoute({ body: CreateTenantRequestSchema }, async ({ tenant: caller, body }) => {
  const created = await createTenantWithAdminKey(body, actorOf(caller), now());
  if (created === 'conflict') throw new ApiError('conflict', `Tenant ${body.tenantId} already exists`, 'tenantId');
  return {
    statusCode: 201,
    body: {
      tenant: { tenantId: created.tenant.tenantId, name: created.tenant.name, timeZone: created.tenant.timeZone },
      apiKey: created.apiKey,
      key: created.key,
    },
  };
});
