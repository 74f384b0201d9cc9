/**
 * API key scopes. A key carries a list; each route in functions/registry.ts declares the scopes any
 * one of which lets a caller in (or `public`), and `apiRoute` enforces that declaration before the
 * handler runs, so a handler never decides who may call it.
 * - `bookings`: book and read bookings; `review`: work the review queue; `reports`: read reports;
 * - `admin`: administer the tenant (its keys, configuration, credentials);
 * - `ops`: operate the deployment's shared queues (depths, DLQ redrive): they hold every tenant's
 *   messages, so a tenant admin key does not have it; the single-company demo key does;
 * - `platform`: the deployment's operator (agency): create tenants and administer any of them.
 */
import { ApiError } from './errors';

export const SCOPES = ['bookings', 'review', 'reports', 'admin', 'ops', 'platform'] as const;
export type Scope = (typeof SCOPES)[number];

/** What one line of the scope table says a scope is for (README, console, OpenAPI). */
export const SCOPE_PURPOSE: Record<Scope, string> = {
  bookings: 'book, hold, change and read bookings; look up customers; triage; job events',
  review: 'work the review queue; read bookings and the dispatch board',
  reports: 'read attribution reports',
  admin: "administer the tenant: configuration, credentials, the tenant's API keys",
  ops: "operate the deployment's shared queues (depths, DLQ redrive)",
  platform: "the deployment's operator: create tenants and administer any of them",
};

/** Who may call a route: any one of these scopes, or anyone (`public`: signed webhooks, documents, console files). */
export type RouteAccess = readonly Scope[] | 'public';

/** Every scope: for routes any valid key may call (e.g. "who am I"). */
export const ANY_KEY: readonly Scope[] = SCOPES;

/** The caller's identity as the API key resolved it. */
export interface Caller {
  scopes: readonly string[];
}

/** A platform key passes every scope check: it administers the deployment. */
export function hasScope(caller: Caller, anyOf: readonly Scope[]): boolean {
  return anyOf.some((scope) => caller.scopes.includes(scope)) || caller.scopes.includes('platform');
}

/** 403 naming the scopes that would do. For checks finer than a route's declaration (e.g. one kind of redrive). */
export function requireScope(caller: Caller, anyOf: readonly Scope[]): void {
  if (!hasScope(caller, anyOf)) {
    throw new ApiError('forbidden', `This API key lacks the scope for this: one of ${anyOf.join(', ')} is needed`);
  }
}

/** "At most your own": the scopes of `scopes` the caller does not hold itself (a platform key holds all). */
export function scopesBeyond(caller: Caller, scopes: readonly string[]): string[] {
  if (caller.scopes.includes('platform')) return [];
  return scopes.filter((scope) => !caller.scopes.includes(scope));
}
