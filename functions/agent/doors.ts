/**
 * Three front doors to the agent's tools (functions/agent/tools.ts), one Lambda:
 * - `POST /v1/mcp`: an MCP server (Streamable HTTP, stateless: a new server and transport per request,
 *   JSON responses, no sessions), through the SDK's Web-standard transport, which takes a `Request`
 *   and gives a `Response`, so an API Gateway event needs no Node stream shim. `GET /v1/mcp` (the
 *   optional server-to-client stream) is 405, as the spec says for a server that offers none.
 * - `POST /v1/voice/vapi/tool-calls`: Vapi's `tool-calls` server message -> `{results:[{toolCallId, result}]}`.
 * - `POST /v1/voice/retell/functions/{name}`: Retell's custom function call -> `{result, ...}`.
 * The doors themselves; agent.handler.ts is the route in front of them. Every door is an `apiRoute`: the tenant's API key (`Authorization: Bearer jr_...`, configured on
 * the platform) admits it with the route's scopes; each tool then runs through its own route.
 * Where the tenant set the platform's secret (PUT /v1/config/credentials/vapi|retell), the request
 * must also carry it: `X-Vapi-Secret`, or a valid `X-Retell-Signature` (verified by retell-sdk).
 */
import { timingSafeEqual } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { verify as verifyRetellSignature } from 'retell-sdk/lib/webhook_auth';
import { ApiError } from '../shared/errors';
import { parseWith, type RouteRequest, type RouteResponse } from '../shared/http';
import { getTenantSecret, SecretNotSetError, type SecretPurpose } from '../shared/secrets';
import { runTool, type ToolCaller, type ToolOutcome } from './run-tool';
import { agentTools } from './tools';
import { MAX_VOICE_MESSAGE_BYTES, RetellFunctionCallSchema, VapiServerMessageSchema, VoiceToolNameParamsSchema, vapiToolCalls } from './voice';

export type Request = RouteRequest<undefined, undefined>;

function callerOf(request: Request, via: string, idempotencyKey?: string): ToolCaller {
  return {
    tenant: request.tenant,
    authorization: request.headers.authorization ?? '',
    event: request.event,
    context: request.context,
    via,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

function jsonBody(rawBody: string): unknown {
  try {
    return rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
  }
}

/** The tenant's secret for a platform, or undefined when the tenant has not set one. */
async function platformSecret(tenantId: string, purpose: SecretPurpose): Promise<string | undefined> {
  try {
    return await getTenantSecret(tenantId, purpose);
  } catch (error) {
    if (error instanceof SecretNotSetError) return undefined;
    throw error;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// --- MCP ----------------------------------------------------------------------------------------

/**
 * The SDK's JSON Schema validator (ajv with its formats), which a Server otherwise builds anew for each
 * request (~12 ms of CPU on a cold container's first call, ~0.5 ms after) though only elicitation uses
 * it and these tools never elicit: one per warm container, made when first asked for.
 */
let ajvValidator: AjvJsonSchemaValidator | undefined;
const onFirstUseValidator: jsonSchemaValidator = {
  getValidator: (schema) => {
    ajvValidator ??= new AjvJsonSchemaValidator();
    return ajvValidator.getValidator(schema);
  },
};

function mcpServer(caller: ToolCaller): Server {
  // The low-level Server: the tool table brings its own JSON Schemas (from the routes' zod schemas)
  // and the routes validate, so a bad argument is a tool error naming the field, not a protocol error.
  const server = new Server({ name: 'jobrelay', version: '1.0.0' }, { capabilities: { tools: {} }, jsonSchemaValidator: onFirstUseValidator });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: agentTools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.parameters() as never })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const outcome = await runTool(request.params.name, request.params.arguments, caller);
    return { content: [{ type: 'text' as const, text: outcome.text }], structuredContent: outcome.structured, isError: outcome.isError };
  });
  return server;
}

export async function mcp(request: Request): Promise<RouteResponse> {
  const { event } = request;
  if (event.requestContext.http.method !== 'POST') {
    return {
      statusCode: 405,
      headers: { allow: 'POST', 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'method_not_allowed', message: 'This MCP server is stateless: POST only' } }),
    };
  }
  if (Buffer.byteLength(request.rawBody, 'utf8') > MAX_VOICE_MESSAGE_BYTES) {
    throw new ApiError('invalid_request', `body: at most ${MAX_VOICE_MESSAGE_BYTES / 1_000_000} MB`, 'body');
  }
  const url = `https://${event.requestContext.domainName ?? 'localhost'}${event.rawPath}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers.set(name, value);
  const webRequest = new globalThis.Request(url, { method: 'POST', headers, body: request.rawBody });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  const server = mcpServer(callerOf(request, 'mcp'));
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(webRequest);
    const body = await response.text();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    responseHeaders['content-type'] ??= 'application/json';
    return { statusCode: response.status, headers: responseHeaders, ...(body ? { body } : {}) };
  } finally {
    await server.close();
  }
}

/** What a voice platform hands its model: the text, whether it was refused, and the data without the timeline. */
function voiceResult(outcome: ToolOutcome): { result: string; isError: boolean; data: Record<string, unknown> } {
  const { timeline: _timeline, ...data } = outcome.structured;
  return { result: outcome.text, isError: outcome.isError, data };
}

// --- Vapi ---------------------------------------------------------------------------------------

export async function vapi(request: Request): Promise<RouteResponse> {
  const secret = await platformSecret(request.tenant.tenantId, 'vapi');
  if (secret !== undefined && !sameSecret(request.headers['x-vapi-secret'] ?? '', secret)) {
    throw new ApiError('unauthorized', 'X-Vapi-Secret does not match the secret set for Vapi');
  }
  const { message } = parseWith(VapiServerMessageSchema, jsonBody(request.rawBody));
  // Other server messages (status updates, reports) may reach the same URL: acknowledged, nothing done.
  if (message.type !== 'tool-calls') return { statusCode: 200, body: {} };
  const calls = vapiToolCalls(message);
  if (!calls.length) throw new ApiError('invalid_request', 'message.toolCallList: a tool-calls message needs at least one tool call', 'message.toolCallList');
  // One after the other: a hold and the booking that commits it may come in the same message.
  const results: Array<{ toolCallId: string; name: string; result: string }> = [];
  for (const call of calls) {
    const outcome = await runTool(call.name, call.args, callerOf(request, 'vapi', `vapi:${call.id}`));
    // `result` goes into the model's conversation as a string: the speakable text with the data the
    // model acts on next (holdId, bookingId, alternatives), as JSON.
    results.push({ toolCallId: call.id, name: call.name, result: JSON.stringify(voiceResult(outcome)) });
  }
  return { statusCode: 200, body: { results } };
}

// --- Retell -------------------------------------------------------------------------------------

export async function retell(request: Request): Promise<RouteResponse> {
  const { name } = parseWith(VoiceToolNameParamsSchema, request.pathParameters, 'path');
  const secret = await platformSecret(request.tenant.tenantId, 'retell');
  if (secret !== undefined && !(await verifyRetellSignature(request.rawBody, secret, request.headers['x-retell-signature'] ?? ''))) {
    throw new ApiError('unauthorized', 'X-Retell-Signature is missing or does not verify with the Retell API key set for this account');
  }
  const parsed = jsonBody(request.rawBody);
  if (parsed === undefined) throw new ApiError('invalid_request', 'A JSON request body is required', 'body');
  const body = parseWith(RetellFunctionCallSchema, parsed);
  if (body.name !== undefined && body.name !== name) throw new ApiError('invalid_request', `name: the body calls ${body.name}, the URL ${name}`, 'name');
  // `{name, args, call}`, or with Retell's "Payload: args only" the arguments alone.
  const args = body.name !== undefined || body.args !== undefined ? (body.args ?? {}) : parsed;
  const outcome = await runTool(name, args, callerOf(request, 'retell'));
  // Always 200: Retell retries a non-2xx call, and a refusal is an answer the agent acts on.
  return { statusCode: 200, body: voiceResult(outcome) };
}
