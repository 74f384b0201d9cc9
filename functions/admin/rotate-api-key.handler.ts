import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { adminTenant, assertManageable } from './authorise';
import { KeyIdParamsSchema, KeyTenantQuerySchema } from './schemas';
import { getApiKey, rotateApiKey } from './store';

export const handler = apiRoute({ query: KeyTenantQuerySchema }, async ({ tenant, query, pathParameters }) => {
  const tenantId = adminTenant(tenant, query.tenantId);
  const { keyId } = parseWith(KeyIdParamsSchema, pathParameters, 'path');
  const key = await getApiKey(tenantId, keyId);
  if (!key) throw new ApiError('not_found', `No API key ${keyId}`, 'keyId');
  // A key's scopes never change (rotation keeps them), so checking them before the write is enough.
  assertManageable(tenant, key);
  const rotated = await rotateApiKey(tenantId, keyId, now());
  if (!rotated) throw new ApiError('not_found', `No API key ${keyId}`, 'keyId');
  if (rotated === 'conflict') throw new ApiError('conflict', `API key ${keyId} is revoked or was rotated at the same moment`, 'keyId');
  return { statusCode: 200, body: rotated };
});
