/**
 * One Lambda serving several routes of functions/registry.ts: each operation under its route's name,
 * and API Gateway's `routeKey` picks it. The method and path are the registry's (`routeKey(name)`),
 * so a handler never writes a route key; a route the table does not give this handler answers 404.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type RouteName, routeKey } from '../registry';

// Each operation is an apiRoute (middy) handler typed for its own request; `never` accepts them all.
type Operation = (event: never, context: never) => Promise<unknown>;

export function routeOperations(operations: Partial<Record<RouteName, Operation>>) {
  const byKey = new Map(Object.entries(operations).map(([name, operation]) => [routeKey(name as RouteName), operation as Operation]));
  return async (event: APIGatewayProxyEventV2, context: Context) => {
    const operation = byKey.get(event.routeKey);
    if (!operation) {
      return {
        statusCode: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'not_found', message: `No route ${event.routeKey}` } }),
      };
    }
    return operation(event as never, context as never);
  };
}
