/**
 * Three front doors to the agent's tools (functions/agent/tools.ts), one Lambda: the MCP server
 * (`POST /v1/mcp`), Vapi's tool-calls server message and Retell's custom function calls. What each
 * door does is in doors.ts; this picks the door by route, after `apiRoute` admitted the key.
 */
import { routeKey } from '../registry';
import { apiRoute } from '../shared/http';
import { mcp, retell, vapi } from './doors';

export const handler = apiRoute({}, async (request) => {
  const route = request.event.routeKey;
  if (route === routeKey('mcp') || route === routeKey('mcpStream')) return mcp(request);
  if (route === routeKey('vapiToolCalls')) return vapi(request);
  return retell(request);
});
