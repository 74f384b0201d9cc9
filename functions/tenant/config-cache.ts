/**
 * Tenant configuration for the booking workflow's nodes, read once per booking (issue 19). The
 * bookings route reads the configuration (readTenantConfig) and passes its version (a hash of its
 * content) in the workflow state; each node asks tenantConfig(tenantId, version) and gets the copy
 * its warm container holds when that copy is the same version, else reads it again. So a node never
 * works from a configuration older than the one the route validated the request against: a window
 * deleted before a booking starts is never booked (the route reads the configuration fresh for every
 * booking), and a change during a run (a second or two) orders after that booking as any concurrent
 * write would. Without a version (callers outside the workflow), a copy serves for TTL_MS.
 */
import { createHash } from 'node:crypto';
import { getItems } from '../shared/dynamo';
import type { JobType, Tenant } from './model';
import { getTenant, jobTypeFromItem, tenantFromItem, tenantKeys } from './store';

/** How long a copy serves a caller that names no version. */
export const TTL_MS = 30_000;

interface Cached {
  tenant: Tenant;
  version: string;
  readAt: number;
}

/** Per warm container: a handful of tenants at most per function instance. */
const cache = new Map<string, Cached>();

/** Canonical JSON: the same configuration gives the same text whatever order its keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The version of a configuration: a hash of its content (any change to any field changes it). */
export function configVersion(tenant: Tenant): string {
  return createHash('sha256').update(canonical(tenant)).digest('base64url').slice(0, 22);
}

/** Keeps a configuration just read from the table for this container (or forgets a tenant that has none). */
function keep(tenantId: string, tenant: Tenant | undefined): { tenant: Tenant; version: string } | undefined {
  if (!tenant) {
    cache.delete(tenantId);
    return undefined;
  }
  const version = configVersion(tenant);
  cache.set(tenantId, { tenant, version, readAt: Date.now() });
  return { tenant, version };
}

/** Reads the configuration from the table (never from the cache) and keeps it for this container. */
export async function readTenantConfig(tenantId: string): Promise<{ tenant: Tenant; version: string } | undefined> {
  return keep(tenantId, await getTenant(tenantId));
}

/**
 * The configuration (read fresh, as readTenantConfig) and one job type, in one BatchGetItem instead
 * of two GetItems (issue 19: the bookings route reads both for every booking). Both items live in
 * the tenant's partition; each is billed as the read it is, the round trip and the request are one.
 */
export async function readTenantConfigAndJobType(
  tenantId: string,
  jobTypeId: string,
  /** Other items the caller needs read consistently in the same request (the bookings route: the caller's phone and email claims). */
  also: ReadonlyArray<{ pk: string; sk: string }> = [],
): Promise<{ config: { tenant: Tenant; version: string } | undefined; jobType: JobType | undefined; also: Array<Record<string, unknown> | undefined> }> {
  const [tenantItem, jobTypeItem, ...alsoItems] = await getItems([tenantKeys.tenant(tenantId), tenantKeys.jobType(tenantId, jobTypeId), ...also], {
    consistent: also.length > 0,
  });
  return {
    config: keep(tenantId, tenantItem ? tenantFromItem(tenantItem) : undefined),
    jobType: jobTypeItem ? jobTypeFromItem(jobTypeItem) : undefined,
    also: alsoItems,
  };
}

/** The configuration at `version` (the cached copy when it is that version), or, with none named, a copy at most TTL_MS old. */
export async function tenantConfig(tenantId: string, version?: string): Promise<Tenant | undefined> {
  const cached = cache.get(tenantId);
  if (cached && (version !== undefined ? cached.version === version : Date.now() - cached.readAt < TTL_MS)) return cached.tenant;
  return (await readTenantConfig(tenantId))?.tenant;
}
