/**
 * GET /v1/openapi.json and /v1/tools.json (public: a bot builder reads them before having a key).
 * `tools.json?format=vapi|retell` gives the same tools as Vapi tools or Retell custom functions,
 * pointed at this deployment's URL (functions/agent/tools.ts).
 */
import { retellToolDefinitions, vapiToolDefinitions } from '../agent/tools';
import { apiRoute } from '../shared/http';
import * as z from '../shared/zod';
import { openApiDocument, toolDefinitions } from './openapi';

let cached: { openapi: unknown; tools: unknown } | undefined;

const DocumentQuerySchema = z.object({ format: z.enum(['openai', 'vapi', 'retell']).optional() });

/** This deployment's URL as the caller reached it (loopback is the local system: plain http). */
function apiUrlOf(domainName: string): string {
  return /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(domainName) ? `http://${domainName}` : `https://${domainName}`;
}

export const handler = apiRoute({ query: DocumentQuerySchema }, async ({ event, query }) => {
  cached ??= { openapi: openApiDocument(), tools: toolDefinitions() };
  const isTools = event.rawPath.endsWith('/tools.json');
  if (isTools && (query.format === 'vapi' || query.format === 'retell')) {
    const apiUrl = apiUrlOf(event.requestContext.domainName);
    return { statusCode: 200, body: { tools: query.format === 'vapi' ? vapiToolDefinitions(apiUrl) : retellToolDefinitions(apiUrl) } };
  }
  return { statusCode: 200, body: isTools ? cached.tools : cached.openapi };
});
