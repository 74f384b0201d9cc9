import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { adminTenant, assertManageable } from './authorise';
import { KeyIdParamsSchema, KeyTenantQuerySchema } from './schemas';
import { getApiKey, revokeApiKey } from './store';

export const handler = apiRoute({ query: KeyTenantQuerySchema }, async ({ tenant, query, pathParameters }) => {
  const tenantId = adminTenant(tenant, query.tenantId);
  const { keyId } = parseWith(KeyIdParamsSchema, pathParameters, 'path');
  const key = await getApiKey(tenantId, keyId);
  if (!key) throw new ApiError('not_found', `No API key ${keyId}`, 'keyId');
  assertManageable(tenant, key);
  const revoked = await revokeApiKey(tenantId, keyId, now());
  if (!revoked) throw new ApiError('not_found', `No API key ${keyId}`, 'keyId');
  return { statusCode: 200, body: { key: revoked } };
});
