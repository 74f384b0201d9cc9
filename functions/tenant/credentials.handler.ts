/**
 * The tenant's credentials (admin): `PUT /v1/config/credentials/{purpose}` (crm, sms, payments) and
 * `PUT /v1/config/credentials/job-events/{provider}` write the secret under the name derived from the
 * tenant id and purpose (functions/shared/secrets.ts: Secrets Manager in AWS, the local secrets file
 * locally); `GET /v1/config/credentials` lists which purposes are set and when. No answer ever
 * carries a value. A platform key may act for another tenant with `?tenantId=` (onboarding).
 * One Lambda, the only one allowed to write secrets; the route key picks the operation.
 */
import { adminTenant } from '../admin/authorise';
import { KeyTenantQuerySchema } from '../admin/schemas';
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { jobEventsPurpose } from '../shared/secrets';
import { setCredential } from './credentials';
import { saveCrmCredentials } from '../crm/setup';
import {
  CredentialPurposeParamsSchema,
  CrmCredentialSchema,
  credentialBodySchemas,
  JobEventsCredentialSchema,
  JobEventsProviderParamsSchema,
} from './credentials-schemas';
import { listCredentials } from './store';

const list = apiRoute({ query: KeyTenantQuerySchema }, async ({ tenant: caller, query }) => {
  const tenantId = adminTenant(caller, query.tenantId);
  return { statusCode: 200, body: { items: await listCredentials(tenantId) } };
});

const putSingle = apiRoute({ query: KeyTenantQuerySchema }, async ({ tenant: caller, query, pathParameters, rawBody }) => {
  const tenantId = adminTenant(caller, query.tenantId);
  const { purpose } = parseWith(CredentialPurposeParamsSchema, pathParameters, 'path');
  const body = parseWith(credentialBodySchemas[purpose], parseJsonBody(rawBody));
  return { statusCode: 200, body: await setCredential(caller, tenantId, purpose, body) };
});

const putJobEvents = apiRoute({ query: KeyTenantQuerySchema, body: JobEventsCredentialSchema }, async ({ tenant: caller, query, pathParameters, body }) => {
  const tenantId = adminTenant(caller, query.tenantId);
  const { provider } = parseWith(JobEventsProviderParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await setCredential(caller, tenantId, jobEventsPurpose(provider), body) };
});

/** The body's schema depends on the path, so it is parsed here rather than by `apiRoute`. */
function parseJsonBody(rawBody: string): unknown {
  if (!rawBody) throw new ApiError('invalid_request', 'A JSON request body is required', 'body');
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
  }
}

/** The TenantCredentials routes (functions/registry.ts), by name. */
export const handler = routeOperations({
  listCredentials: list,
  putCredential: putSingle,
  putJobEventsCredential: putJobEvents,
  // The CRM setup's credentials step (crm/setup.ts checks the adapter): written here, with every other secret.
  putCrmCredentials: apiRoute({ body: CrmCredentialSchema }, async ({ tenant, body }) => ({
    statusCode: 200,
    body: await saveCrmCredentials(tenant, tenant.tenantId, body),
  })),
});
