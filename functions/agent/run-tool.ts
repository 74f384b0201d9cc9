/**
 * Runs one tool of the table (functions/agent/tools.ts) for an agent, whichever front door it came
 * through. A tool is its route: the route's own handler runs in this process on an API Gateway event
 * made for it (same key, so the same scope check in `apiRoute`; same zod validation; same use case,
 * idempotency and admission), so no booking logic is copied here and a tool can never do what its
 * route would refuse. The answer becomes speakable text plus the route's JSON as structured content;
 * a refusal becomes a tool error the model can act on (alternatives, the missing field), never a
 * transport error.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handler as createBooking } from '../booking/create-booking.handler';
import { handler as bookingReads } from '../booking/booking-reads.handler';
import { handler as changeBooking } from '../booking/change-booking.handler';
import { handler as availability } from '../capacity/availability.handler';
import { handler as holds } from '../capacity/holds.handler';
import { handler as lookupCustomer } from '../customers/lookup-customer.handler';
import { handler as triage } from '../triage/triage.handler';
import { routeKeyOf, routeNamed } from '../registry';
import { ApiError } from '../shared/errors';
import { actorOf, parseWith, validationError, type TenantContext } from '../shared/http';
import { logger } from '../shared/logger';
import { requireScope } from '../shared/scopes';
import { now } from '../shared/time';
import { openReviewItem } from '../review/store';
import { HandOffRequestSchema, speakError, toolByName, type RouteCall, type ToolName } from './tools';

type RouteHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined | void>;

/** The handler of each Lambda a tool's route belongs to (by its registry name). */
const handlersByLambda: Record<string, RouteHandler> = {
  CreateBooking: createBooking as RouteHandler,
  BookingReads: bookingReads as RouteHandler,
  ChangeBooking: changeBooking as RouteHandler,
  Availability: availability as RouteHandler,
  Holds: holds as RouteHandler,
  LookupCustomer: lookupCustomer as RouteHandler,
  Triage: triage as RouteHandler,
};

export interface ToolOutcome {
  /** Short and speakable: what the agent says or acts on. */
  text: string;
  /** The route's JSON answer (or error body). */
  structured: Record<string, unknown>;
  isError: boolean;
}

export interface ToolCaller {
  tenant: TenantContext;
  /** The caller's `Authorization` header: the tool's route admits it like any request. */
  authorization: string;
  /** The request that carried the tool call (its requestContext is reused). */
  event: APIGatewayProxyEventV2;
  context: Context;
  /** Which front door, for the review item and logs: mcp, vapi, retell. */
  via: string;
  /** Idempotency-Key for mutating routes (e.g. the platform's tool call id): a retried call replays. */
  idempotencyKey?: string;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The API Gateway v2 event API Gateway would have sent for this route call. */
function routeEvent(origin: APIGatewayProxyEventV2, call: RouteCall, caller: ToolCaller): APIGatewayProxyEventV2 {
  const route = routeNamed(call.route);
  const routeKey = routeKeyOf(route);
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.pathParameters[name] ?? ''));
  const query = call.query ?? {};
  const headers: Record<string, string> = { authorization: caller.authorization, 'content-type': 'application/json' };
  if (route.method === 'POST' && caller.idempotencyKey && IDEMPOTENCY_KEY.test(caller.idempotencyKey)) headers['idempotency-key'] = caller.idempotencyKey;
  return {
    ...origin,
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    cookies: undefined,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(call.pathParameters).length ? call.pathParameters : undefined,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    isBase64Encoded: false,
    requestContext: { ...origin.requestContext, routeKey, http: { ...origin.requestContext.http, method: route.method, path: rawPath } },
  } as APIGatewayProxyEventV2;
}

function parseBody(result: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  if (!result.body) return {};
  try {
    const parsed = JSON.parse(result.body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { text: result.body };
  }
}

async function handOff(args: unknown, caller: ToolCaller): Promise<ToolOutcome> {
  requireScope(caller.tenant, ['bookings', 'admin']);
  const request = parseWith(HandOffRequestSchema, args);
  const item = await openReviewItem(
    caller.tenant.tenantId,
    {
      kind: 'agent_handoff',
      reason: request.reason,
      subject: request.bookingId ? { type: 'booking', id: request.bookingId } : { type: 'conversation', id: `${caller.via}-${now().getTime()}` },
      payload: { ...request, via: caller.via, by: actorOf(caller.tenant) },
    },
    now(),
  );
  const structured = { reviewItemId: item.reviewItemId, status: item.status, kind: item.kind };
  return { text: toolByName('hand_off_to_human')!.speak(structured), structured, isError: false };
}

function refusal(tool: ToolName, error: ApiError): ToolOutcome {
  const structured = { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }, ...(error.extra ?? {}) };
  return { text: speakError(tool, error.statusCode, structured), structured, isError: true };
}

/** Runs the named tool with the model's arguments; every failure is a ToolOutcome with isError. */
export async function runTool(name: string, args: unknown, caller: ToolCaller): Promise<ToolOutcome> {
  const tool = toolByName(name);
  if (!tool) {
    const structured = { error: { code: 'not_found', message: `No tool named ${name}` } };
    return { text: `There is no tool named ${name}; the tools are listed by tools/list.`, structured, isError: true };
  }
  const input = args ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return refusal(tool.name, new ApiError('invalid_request', 'The arguments must be a JSON object', 'arguments'));
  }
  try {
    if (!tool.route) return await handOff(input, caller);
    const call = tool.route(input as Record<string, unknown>);
    const handler = handlersByLambda[routeNamed(call.route).lambda];
    if (!handler) throw new Error(`Tool ${name}: no handler for route ${call.route}`);
    const result = (await handler(routeEvent(caller.event, call, caller), caller.context)) as APIGatewayProxyStructuredResultV2;
    const status = result.statusCode ?? 200;
    const body = parseBody(result);
    if (status >= 200 && status < 300) return { text: tool.speak(body), structured: body, isError: false };
    return { text: speakError(tool.name, status, body), structured: body, isError: true };
  } catch (error) {
    if (error instanceof ApiError) return refusal(tool.name, error);
    if (error && typeof error === 'object' && 'issues' in error) return refusal(tool.name, validationError(error as never));
    logger.error('Tool failed', { tool: name, via: caller.via, error: error as Error });
    const structured = { error: { code: 'internal_error', message: 'Internal error' } };
    return { text: `${name} failed on our side. Apologise, and offer a call back (hand_off_to_human).`, structured, isError: true };
  }
}
