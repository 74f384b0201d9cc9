/** GET /v1/openapi.json and /v1/tools.json (public: a bot builder reads them before having a key). */
import { apiRoute } from '../shared/http';
import { openApiDocument, toolDefinitions } from './openapi';

let cached: { openapi: unknown; tools: unknown } | undefined;

export const handler = apiRoute({}, async ({ event }) => {
  cached ??= { openapi: openApiDocument(), tools: toolDefinitions() };
  const isTools = event.rawPath.endsWith('/tools.json');
  return { statusCode: 200, body: isTools ? cached.tools : cached.openapi };
});
