import { apiRoute } from '../shared/http';
import { adminTenant } from './authorise';
import { KeyTenantQuerySchema } from './schemas';
import { listApiKeys } from './store';

export const handler = apiRoute({ query: KeyTenantQuerySchema }, async ({ tenant, query }) => ({
  statusCode: 200,
  body: { keys: await listApiKeys(adminTenant(tenant, query.tenantId)) },
}));
