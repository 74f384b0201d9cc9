/** Pieces every module's OpenAPI paths share: the one error shape, JSON bodies, auth, route registration. */
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { type RouteName, routeNamed } from '../registry';
import * as z from '../shared/zod';

/**
 * Describes a route of functions/registry.ts by its name: the method, the path and the operationId
 * come from the registry entry, so a route key is written in one place only.
 */
export function registerRoute(registry: OpenAPIRegistry, name: RouteName, operation: Omit<RouteConfig, 'method' | 'path' | 'operationId'>): void {
  const route = routeNamed(name);
  registry.registerPath({ ...operation, method: route.method.toLowerCase() as RouteConfig['method'], path: route.path, operationId: name });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
    }),
  })
  .openapi('Error');

/** A JSON response (or body) of this schema. */
export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** Every route but the public documents takes a tenant API key. */
export const security = [{ apiKey: [] }];

/** The answers every authenticated route can give besides its own: bad input, no key, wrong scope. */
export const standardErrors = {
  400: json(ErrorSchema, 'Invalid request: `error.field` names the field'),
  401: json(ErrorSchema, 'Missing or unknown API key'),
  403: json(ErrorSchema, 'The key lacks the scope'),
};
