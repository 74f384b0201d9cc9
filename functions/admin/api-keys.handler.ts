/**
 * The API key routes (list, create, rotate, revoke): one Lambda, the route name picks the operation.
 * Each operation is its own module's handler.
 */
import { routeOperations } from '../shared/route-operations';
import { handler as createApiKey } from './create-api-key.handler';
import { handler as listApiKeys } from './list-api-keys.handler';
import { handler as revokeApiKey } from './revoke-api-key.handler';
import { handler as rotateApiKey } from './rotate-api-key.handler';

export const handler = routeOperations({ listApiKeys, createApiKey, rotateApiKey, revokeApiKey });
