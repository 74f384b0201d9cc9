import { ApiError } from '../shared/errors';
import { actorOf, apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { getTenantPart } from '../tenant/store';
import { adminTenant, assertGrantable } from './authorise';
import { CreateApiKeyRequestSchema } from './schemas';
import { issueApiKey } from './store';

export const handler = apiRoute({ body: CreateApiKeyRequestSchema }, async ({ tenant: caller, body }) => {
  const tenantId = adminTenant(caller, body.tenantId);
  assertGrantable(caller, tenantId, body.scopes);
  if (tenantId !== caller.tenantId && !(await getTenantPart(tenantId, ['tenantId']))) throw new ApiError('not_found', `No tenant ${tenantId}`, 'tenantId');
  const issued = await issueApiKey(tenantId, { name: body.name, scopes: body.scopes, createdBy: actorOf(caller) }, now());
  return { statusCode: 201, body: issued };
});
