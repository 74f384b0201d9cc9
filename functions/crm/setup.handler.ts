/**
 * Connecting the CRM (admin): `GET|PUT /v1/config/crm` (adapter and non-secret settings),
 * `POST /v1/config/crm/test` (a harmless authenticated call), `GET /v1/config/crm/options` (the
 * lists the mapping is picked from) and the read sync's `POST|GET /v1/crm/sync`. One Lambda; the
 * route name picks the operation (crm/setup.ts). `PUT /v1/config/crm/credentials` is served by
 * TenantCredentials, the one function that may write a tenant's secrets.
 */
import { apiRoute } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { jobberWebhookOperations } from './jobber-webhook.handler';
import { readSyncOperations } from './read-sync.handler';
import { listCrmOptions, readCrmConfig, saveCrmConfig, testCrmConnection } from './setup';
import { CrmConfigRequestSchema } from './setup-schemas';

export const handler = routeOperations({
  getCrmConfig: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: await readCrmConfig(tenant.tenantId) })),
  putCrmConfig: apiRoute({ body: CrmConfigRequestSchema }, async ({ tenant, body }) => ({ statusCode: 200, body: await saveCrmConfig(tenant.tenantId, body) })),
  testCrmConnection: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: await testCrmConnection(tenant.tenantId) })),
  listCrmOptions: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: await listCrmOptions(tenant.tenantId) })),
  ...readSyncOperations,
  ...jobberWebhookOperations,
});
