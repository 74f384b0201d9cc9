/**
 * The local API Gateway: turns HTTP requests into API Gateway HTTP API (payload v2) events for the
 * route's handler, chosen from functions/registry.ts exactly as the CDK stack wires routes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes, type RouteSpec } from '../functions/registry';
import { invokeLambda } from './lambdas';

const MAX_BODY_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
  params: string[];
}

function compile(spec: RouteSpec): CompiledRoute {
  const params: string[] = [];
  const source = spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { spec, pattern: new RegExp(`^${source}$`), params };
}

const compiled = routes.map(compile);

type MatchedRoute = { spec: RouteSpec; pathParameters: Record<string, string> };

/** The route for a request; `badRequest` when a path parameter is not valid %-encoding (API Gateway answers 400). */
export function matchRoute(method: string, path: string): MatchedRoute | { badRequest: string } | undefined {
  for (const route of compiled) {
    if (route.spec.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    for (const [index, name] of route.params.entries()) {
      try {
        pathParameters[name] = decodeURIComponent(match[index + 1]!);
      } catch {
        return { badRequest: `Path parameter ${name} is not valid percent-encoding` };
      }
    }
    return { spec: route.spec, pathParameters };
  }
  return undefined;
}

function badRequest(res: ServerResponse, message: string, field?: string): void {
  send(res, {
    statusCode: 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: 'invalid_request', message, ...(field ? { field } : {}) } }),
  });
}

function toEvent(req: IncomingMessage, url: URL, body: string, route: MatchedRoute): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = query[key] ? `${query[key]},${value}` : value;
  const routeKey = `${route.spec.method} ${route.spec.path}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.pathParameters).length ? { pathParameters: route.pathParameters } : {}),
    ...(body ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: req.headers.host ?? url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
  res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
}

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export async function startHttpApi(options: { port: number; host?: string; extra?: ExtraHandler }): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return badRequest(res, 'The request target is not a valid URL');
    }
    try {
      if (options.extra && (await options.extra(req, res, url))) return;
      const route = matchRoute(req.method ?? 'GET', url.pathname);
      if (route && 'badRequest' in route) return badRequest(res, route.badRequest, 'path');
      if (!route) {
        return send(res, {
          statusCode: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'not_found', message: `No route ${req.method} ${url.pathname}` } }),
        });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          return send(res, { statusCode: 413, body: JSON.stringify({ error: { code: 'payload_too_large', message: 'Request body over 10 MB' } }) });
        }
        chunks.push(chunk as Buffer);
      }
      const event = toEvent(req, url, Buffer.concat(chunks).toString('utf8'), route);
      send(res, (await invokeLambda(route.spec.lambda, event)) as APIGatewayProxyStructuredResultV2);
    } catch (error) {
      // API Gateway answers 503 when the function timed out and 500 when the integration failed otherwise.
      console.error(`local api: ${req.method} ${url.pathname} failed:`, (error as Error).message);
      const timedOut = (error as Error).name === 'Sandbox.Timedout';
      send(res, {
        statusCode: timedOut ? 503 : 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: timedOut ? 'Service Unavailable' : 'Internal Server Error' }),
      });
    }
  });
  // Idle keep-alive connections stay open for a minute, as API Gateway's do, not Node's 5 s: a client
  // reuses a connection until about a second before the server's stated timeout, and on a loaded
  // machine that second was not enough (the bench's fetch failed with ECONNRESET at load ~50).
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
