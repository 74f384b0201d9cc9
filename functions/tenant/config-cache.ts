/**
 * Tenant configuration for the booking workflow's nodes, read once per booking (issue 19). The
 * bookings route reads the configuration (readTenantConfig) and passes its version (a hash of its
 * content) in the workflow state; each node asks tenantConfig(tenantId, version) and gets the copy
 * its warm container holds when that copy is the same version, else reads it again. So a node never
 * works from a configuration older than the one the route validated the request against: a window
 * deleted before a booking starts is never booked (the route reads the configuration fresh for every
 * booking), and a change during a run (a second or two) orders after that booking as any concurrent
 * write would. Without a version (callers outside the workflow), a copy serves for TTL_MS.
 *
 * The version covers the technicians too: every technician write changes the tenant item's
 * TECHNICIANS_VERSION in its transaction (tenant/store.ts), so `techniciansAt` answers a node the
 * technicians its container read at that version, without a Query per booking, and reads them
 * again (consistently) the first time a booking names a newer one.
 */
import { createHash } from 'node:crypto';
import { getItems } from '../shared/dynamo';
import type { JobType, Technician, Tenant } from './model';
import { getTenantItem, jobTypeFromItem, listTechnicians, TECHNICIANS_VERSION, tenantFromItem, tenantKeys } from './store';

/** How long a copy serves a caller that names no version. */
export const TTL_MS = 30_000;

interface Cached {
  tenant: Tenant;
  version: string;
  readAt: number;
  /** The technicians as read at this version or after (techniciansAt). */
  technicians?: Technician[];
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

/**
 * The version of a configuration: a hash of its content (any change to any field changes it) and of
 * its technicians' version (any technician written or removed changes it).
 */
export function configVersion(tenant: Tenant, techniciansVersion?: string): string {
  const hash = createHash('sha256').update(canonical(tenant));
  if (techniciansVersion !== undefined) hash.update(`\ntechnicians:${techniciansVersion}`);
  return hash.digest('base64url').slice(0, 22);
}

/** Keeps a configuration just read from the table (its item) for this container, or forgets a tenant that has none. */
function keep(tenantId: string, item: Record<string, unknown> | undefined): { tenant: Tenant; version: string } | undefined {
  if (!item) {
    cache.delete(tenantId);
    return undefined;
  }
  const tenant = tenantFromItem(item);
  const techniciansVersion = item[TECHNICIANS_VERSION];
  const version = configVersion(tenant, typeof techniciansVersion === 'string' ? techniciansVersion : undefined);
  const previous = cache.get(tenantId);
  // Technicians read at this version stay valid for it.
  const technicians = previous?.version === version ? previous.technicians : undefined;
  cache.set(tenantId, { tenant, version, readAt: Date.now(), ...(technicians ? { technicians } : {}) });
  return { tenant, version };
}

/** Reads the configuration from the table (never from the cache) and keeps it for this container. */
export async function readTenantConfig(tenantId: string): Promise<{ tenant: Tenant; version: string } | undefined> {
  return keep(tenantId, await getTenantItem(tenantId));
}

/**
 * The tenant's technicians for a booking whose run carries configuration `version`: the copy this
 * container read at that version, else a consistent Query (kept when the configuration this
 * container holds is that version: the Query came after the route read it, so it is at least as new).
 * Without a version, always the Query.
 */
export async function techniciansAt(tenantId: string, version?: string): Promise<Technician[]> {
  const cached = cache.get(tenantId);
  if (version !== undefined && cached?.version === version && cached.technicians) return cached.technicians;
  const technicians = await listTechnicians(tenantId, { consistent: true });
  const current = cache.get(tenantId);
  if (version !== undefined && current?.version === version) current.technicians = technicians;
  return technicians;
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
    config: keep(tenantId, tenantItem),
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
