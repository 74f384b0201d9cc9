/** OpenAPI paths of the agent's front doors: MCP, Vapi and Retell (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from '../shared/zod';
import { json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { withinBytes } from '../shared/bounds';
import { MAX_VOICE_MESSAGE_BYTES, RetellFunctionCallSchema, VapiServerMessageSchema, VoiceToolNameParamsSchema } from './voice';
import { TOOL_NAMES } from './tools';

const tools = TOOL_NAMES.join(', ');

export function registerAgentPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'mcp', {
    summary: `MCP server (Streamable HTTP, stateless, JSON responses): the agent's tools ${tools}`,
    description:
      'Send MCP JSON-RPC messages (initialize, tools/list, tools/call) with `Accept: application/json, text/event-stream`. A refused tool call is a tool result with isError, not an HTTP error.',
    security,
    request: { body: json(withinBytes(z.record(z.string(), z.unknown()), MAX_VOICE_MESSAGE_BYTES), 'A JSON-RPC message or batch') },
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The JSON-RPC response'), 202: { description: 'A notification, accepted' }, ...standardErrors },
  });
  registerRoute(registry, 'mcpStream', {
    summary: 'No server-to-client stream: this MCP server is stateless (405)',
    security,
    responses: { 405: { description: 'POST only' }, ...standardErrors },
  });
  registerRoute(registry, 'vapiToolCalls', {
    summary: 'Vapi server URL for custom tools: a `tool-calls` message runs each call; other server messages are acknowledged',
    description:
      'Authorization: Bearer <JobRelay API key> (a Vapi bearer credential). When the account set a Vapi secret (PUT /v1/config/credentials/vapi), X-Vapi-Secret must carry it.',
    security,
    request: { body: json(VapiServerMessageSchema, "Vapi's server message") },
    responses: {
      200: json(
        z.object({ results: z.array(z.object({ toolCallId: z.string(), name: z.string(), result: z.string() })) }),
        'One result per tool call: `result` is JSON text `{result, isError, data}` (the speakable text, whether it was refused, the data)',
      ),
      ...standardErrors,
    },
  });
  registerRoute(registry, 'retellFunction', {
    summary: 'Retell custom function URL: `{name, args, call}` (or the arguments alone) runs the tool named in the path',
    description:
      'Authorization: Bearer <JobRelay API key> as a custom header of the function. When the account set its Retell API key (PUT /v1/config/credentials/retell), X-Retell-Signature must verify.',
    security,
    request: { params: VoiceToolNameParamsSchema, body: json(RetellFunctionCallSchema, "Retell's custom function call") },
    responses: {
      200: json(z.object({ result: z.string(), isError: z.boolean(), data: z.record(z.string(), z.unknown()) }), 'The tool result (a refusal too: isError)'),
      ...standardErrors,
    },
  });
}
