/**
 * The HTTP handler pipeline every route shares (middy): normalised headers, API-key auth into a
 * tenant context, zod validation of body and query, and one error contract:
 * `{"error":{"code","message","field"?}}`. Handlers return plain `{statusCode, body}`.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from './zod';
import { ApiError } from './errors';
import { logger } from './logger';
import { hasScope, type RouteAccess } from './scopes';
import { apiKeyLiveCheck, findApiKey, recentApiKey } from '../admin/key-store';
import { routeByKey } from '../registry';

export interface TenantContext {
  tenantId: string;
  keyId: string;
  /** The key's name as its admin gave it ("Voice agent"), for records of who did what. */
  keyName?: string;
  scopes: string[];
  /**
   * Present when the key was not read for this request (a `verifiesKey` route, the key found live by
   * this container lately: admin/key-store.ts): `item` must be part of the request's first write (a
   * transaction item that fails when the key is revoked), and `confirm` reads the key and throws 401
   * when it is no longer live. Absent: the key was read for this request.
   */
  keyCheck?: { item: ReturnType<typeof apiKeyLiveCheck>; confirm(): Promise<void> };
}

/** Who did something, as records show it: the key's name and id (`Voice agent (key 01H...)`). */
export function actorOf(caller: TenantContext, person?: string): string {
  const key = caller.keyName ? `${caller.keyName} (key ${caller.keyId})` : `key ${caller.keyId}`;
  return person ? `${person} via ${key}` : key;
}

export interface RouteRequest<TBody, TQuery> {
  tenant: TenantContext;
  body: TBody;
  query: TQuery;
  pathParameters: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** The raw body text, for request hashing (idempotency). */
  rawBody: string;
  event: APIGatewayProxyEventV2;
  context: Context;
}

export interface RouteResponse {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteOptions<TBody extends z.ZodType | undefined, TQuery extends z.ZodType | undefined> {
  body?: TBody;
  query?: TQuery;
  /**
   * The route's first write is conditional on the caller's key (`tenant.keyCheck`: withAdmission puts
   * it in the admission transaction), and nothing reads or writes before it: a key this container
   * found live lately is not read again (issue 19). A request refused before that write (its body)
   * reads the key first, so a revoked key is always 401.
   */
  verifiesKey?: boolean;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export function errorBody(error: ApiError): { error: Record<string, unknown> } {
  return {
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
    ...(error.extra ?? {}),
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Turns a zod failure into a 400 naming the first offending field. */
export function validationError(error: z.ZodError, prefix?: string): ApiError {
  // An unknown field (strict objects) is named itself, not its parent object.
  const fieldOf = (issue: z.core.$ZodIssue) =>
    [prefix, ...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])].filter(Boolean).join('.');
  const first = error.issues[0];
  const path = first ? fieldOf(first) : '';
  return new ApiError('invalid_request', first ? `${path || 'body'}: ${first.message}` : 'Invalid request', path || undefined, {
    issues: error.issues.map((issue) => ({ field: fieldOf(issue), message: issue.message })),
  });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.infer<T> {
  return dataOf(schema.safeParse(value), prefix);
}

/** parseWith for a schema with asynchronous refinements (a request body: tenant templates are checked by a parser loaded on first use). */
export async function parseAsyncWith<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): Promise<z.infer<T>> {
  return dataOf(await schema.safeParseAsync(value), prefix);
}

function dataOf<T>(result: z.ZodSafeParseResult<T>, prefix?: string): T {
  if (!result.success) throw validationError(result.error, prefix);
  return result.data;
}

async function authenticate(headers: Record<string, string | undefined>, verifiesKey = false): Promise<TenantContext> {
  const header = headers.authorization ?? '';
  const match = /^Bearer\s+(jr_[A-Za-z0-9_-]{10,200})$/.exec(header.trim());
  // One answer for every failure: never hint whether the key is unknown, revoked or malformed.
  const unauthorized = new ApiError('unauthorized', 'A valid API key is required (Authorization: Bearer jr_...)');
  if (!match) throw unauthorized;
  const apiKey = match[1]!;
  const seen = verifiesKey ? recentApiKey(apiKey) : undefined;
  const record = seen?.record ?? (await findApiKey(apiKey));
  if (!record || record.revoked) throw unauthorized;
  const caller = { tenantId: record.tenantId, keyId: record.keyId, ...(record.keyName ? { keyName: record.keyName } : {}), scopes: record.scopes };
  if (!seen) return caller;
  const confirm = async () => {
    const now = await findApiKey(apiKey);
    if (!now || now.revoked) throw unauthorized;
  };
  return { ...caller, keyCheck: { item: apiKeyLiveCheck(seen.keyHash), confirm } };
}

const PUBLIC_CALLER: TenantContext = { tenantId: '', keyId: '', scopes: [] };

/**
 * The one place a route's access is enforced, from its declaration in functions/registry.ts (found by
 * the route key API Gateway matched). A route the registry does not declare is refused: deny by default.
 */
async function admit(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>, verifiesKey: boolean): Promise<TenantContext> {
  const access: RouteAccess | undefined = routeByKey(event.routeKey)?.scopes;
  if (!access) {
    logger.error('Route has no access declaration in functions/registry.ts', { routeKey: event.routeKey });
    throw new ApiError('forbidden', 'This route is not open to any API key');
  }
  if (access === 'public') return PUBLIC_CALLER;
  const caller = await authenticate(headers, verifiesKey);
  if (!hasScope(caller, access)) {
    throw new ApiError('forbidden', `This API key lacks the scope for this: one of ${access.join(', ')} is needed`);
  }
  return caller;
}

function readBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function apiRoute<TBody extends z.ZodType | undefined = undefined, TQuery extends z.ZodType | undefined = undefined>(
  options: RouteOptions<TBody, TQuery>,
  fn: (request: RouteRequest<Infer<TBody>, Infer<TQuery>>) => Promise<RouteResponse>,
) {
  const core = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const tenant = await admit(event, headers, options.verifiesKey === true);
    const rawBody = readBody(event);
    let body: unknown;
    let query: unknown;
    try {
      if (options.body) {
        // JSON.parse by hand (not http-json-body-parser) so bad JSON is our 400, not the parser's 422.
        let parsed: unknown;
        try {
          parsed = rawBody ? JSON.parse(rawBody) : undefined;
        } catch {
          throw new ApiError('invalid_json', 'The request body is not valid JSON', 'body');
        }
        if (parsed === undefined) throw new ApiError('invalid_request', 'A JSON request body is required', 'body');
        body = await parseAsyncWith(options.body, parsed);
      }
      query = options.query ? parseWith(options.query, event.queryStringParameters ?? {}, 'query') : undefined;
    } catch (error) {
      // A key not read for this request is read before any answer but its own write's: a revoked key is 401, never a 400.
      await tenant.keyCheck?.confirm();
      throw error;
    }
    const result = await fn({
      tenant,
      body: body as Infer<TBody>,
      query: query as Infer<TQuery>,
      pathParameters: event.pathParameters ?? {},
      headers,
      rawBody,
      event,
      context,
    });
    if (result.body === undefined) return { statusCode: result.statusCode, headers: result.headers };
    // A string body with its own content-type (e.g. text/csv) goes out as it is, not as JSON.
    if (typeof result.body === 'string' && result.headers?.['content-type']) {
      return { statusCode: result.statusCode, headers: result.headers, body: result.body };
    }
    return json(result.statusCode, result.body, result.headers);
  };

  return middy(core)
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        const error = request.error;
        if (error instanceof ApiError) {
          request.response = json(error.statusCode, errorBody(error), error.headers);
          return;
        }
        logger.error('Unhandled error in route', { error: error as Error, path: request.event.rawPath });
        request.response = json(500, { error: { code: 'internal_error', message: 'Internal error' } });
      },
    });
}
