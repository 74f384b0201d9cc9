/**
 * The tenant's credentials (admin): `PUT /v1/config/credentials/{purpose}` (crm, sms, payments) and
 * `PUT /v1/config/credentials/job-events/{provider}` write the secret under the name derived from the
 * tenant id and purpose (functions/shared/secrets.ts: Secrets Manager in AWS, the local secrets file
 * locally); `GET /v1/config/credentials` lists which purposes are set and when. No answer ever
 * carries a value. A platform key may act for another tenant with `?tenantId=` (onboarding).
 * One Lambda, the only one allowed to write secrets; the route key picks the operation.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { adminTenant } from '../admin/authorise';
import { KeyTenantQuerySchema } from '../admin/schemas';
import { ApiError } from '../shared/errors';
import { actorOf, apiRoute, parseWith, type TenantContext } from '../shared/http';
import { jobEventsPurpose, putTenantSecret, type SecretPurpose } from '../shared/secrets';
import { now } from '../shared/time';
import {
  CredentialPurposeParamsSchema,
  credentialBodySchemas,
  JobEventsCredentialSchema,
  JobEventsProviderParamsSchema,
  secretValueOf,
  type CredentialStatus,
} from './credentials-schemas';
import { getTenant, listCredentials, recordCredentialSet } from './store';

async function setCredential(caller: TenantContext, tenantId: string, purpose: SecretPurpose, body: unknown): Promise<CredentialStatus> {
  const tenant = await getTenant(tenantId);
  if (!tenant) throw new ApiError('not_found', 'This account has no configuration yet');
  const { value, provider } = secretValueOf(purpose, body);
  // A CRM credential for another adapter than the one configured would be read as the wrong shape.
  if (purpose === 'crm' && tenant.crm.adapter !== 'builtin' && provider !== tenant.crm.adapter) {
    throw new ApiError('invalid_request', `adapter: this account's CRM is ${tenant.crm.adapter}`, 'adapter');
  }
  await putTenantSecret(tenantId, purpose, value);
  const record = { purpose, updatedAt: now().toISOString(), updatedBy: actorOf(caller), ...(provider ? { provider } : {}) };
  await recordCredentialSet(tenantId, record);
  return record;
}

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

type Operation = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export const credentialOperations: Record<string, Operation> = {
  'GET /v1/config/credentials': list,
  'PUT /v1/config/credentials/{purpose}': putSingle,
  'PUT /v1/config/credentials/job-events/{provider}': putJobEvents,
};

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const operation = Object.hasOwn(credentialOperations, event.routeKey) ? credentialOperations[event.routeKey] : undefined;
  if (!operation)
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'not_found', message: `No route ${event.routeKey}` } }),
    };
  return operation(event, context);
};
