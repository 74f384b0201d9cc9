/**
 * Admission control for expensive routes (issue 12, item 7: overload sheds, it doesn't fail). At most
 * `perTenant` requests of one tenant and `total` requests in all are in flight on a route; beyond
 * that a request is refused at once, before it writes anything of its own: 429 `rate_limited` when
 * its tenant is over its share, 503 `service_unavailable` when the route is full, both with
 * Retry-After. The admitted requests keep finishing inside their time budget instead of all of
 * them slowing down together until they time out (the 200-in-flight storm of issue 12).
 *
 * Why a shared counter and not one in memory: a Lambda instance serves one request at a time (and the
 * local runtime runs each function in a pool of such instances, local/lambdas.ts), so a counter in
 * a module never sees more than one request. The count lives in DynamoDB as leases, one item per
 * place: `perTenant` places per tenant and route, `total` per route. A request first takes a random
 * place of each in one transaction (both or neither); when either is held, it takes them one at a
 * time: a conditional Put on a random place, free or expired (when that place is held: one
 * consistent Query of the places, a refusal stops there, then Puts on the free ones). Giving them
 * back is one transaction of conditional Deletes. A lease expires by itself
 * (`LEASE_MS`, longer than the route's timeout), so a crashed or timed-out run cannot leak a place.
 * In AWS nothing else caps the route's instances on purpose: no reserved concurrency, because a
 * Lambda throttled at its cap is a bare 500 behind API Gateway (HTTP APIs cannot map it), while a
 * refusal here takes milliseconds and says Retry-After. Only a flood beyond the route's `throttle`
 * (registry, lib/api.ts) is cut by API Gateway itself, with a 429 that has no Retry-After.
 * Written by hand: no library keeps a concurrency semaphore in DynamoDB with expiring leases.
 */
import { randomUUID } from 'node:crypto';
import {
  type AdmissionAlongside,
  admissionKeys,
  deleteLease,
  deleteLeases,
  deleteLeasesWith,
  type Lease,
  putLease,
  putLeases,
  takenPlaces,
  writeAlongside,
} from './admission-store';
import { ApiError } from './errors';
import type { RouteRequest, RouteResponse, TenantContext } from './http';
import { logger } from './logger';
import { now } from './time';

export interface AdmissionLimits {
  /** Requests of one tenant in flight at once. */
  perTenant: number;
  /** Requests of all tenants in flight at once. */
  total: number;
  /** What Retry-After says to a refused caller (seconds): about one request's typical duration. */
  retryAfterSeconds: number;
}

/** A lease outlives the longest run it guards (29 s route timeout) and then frees itself. */
export const LEASE_MS = 35_000;
/**
 * Free places tried before a request counts as refused (another request may take the one it saw
 * free). Enough that a small limit is never refused by lost races alone (with N places free and
 * fewer than N concurrent requests, one of the N is still free); bounded so a storm costs few writes.
 */
const PUT_ATTEMPTS = 10;

export interface AdmissionPermit {
  /** Gives the places back; a second call does nothing, and neither does a call while held. */
  release(): Promise<void>;
  /**
   * The request's last writes (unconditional, e.g. its stored answer) with the places given back, in
   * one transaction (issue 19: one request, not two). Held or already given back: the writes alone.
   * Throws when the writes failed; the places are then still this permit's to give back (release).
   */
  releaseWith(alongside: AdmissionAlongside[]): Promise<void>;
  /** Keeps the places taken until `work` settles (work that goes on after the answer), then gives them back. */
  holdUntil(work: Promise<unknown>): void;
}

/** A refusal: 429 (the tenant's share is taken) or 503 (the route is full), with Retry-After. */
export class AdmissionRefused extends ApiError {
  constructor(
    readonly scope: 'tenant' | 'total',
    retryAfterSeconds: number,
  ) {
    super(
      scope === 'tenant' ? 'rate_limited' : 'service_unavailable',
      scope === 'tenant'
        ? 'Too many requests of this account are in progress; retry after the time in Retry-After'
        : 'The service is at capacity; retry after the time in Retry-After',
      undefined,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/**
 * Takes one free place of the partition's `places`, or undefined when all are taken. First one
 * conditional Put on a random place (issue 19: a request that finds its place free costs one write,
 * no read); only when that place is held does it read which places are taken and try the free ones.
 */
async function takePlace(pk: string, places: number, leaseId: string): Promise<Lease | undefined> {
  const at = now().getTime();
  const first = admissionKeys.place(pk, Math.floor(Math.random() * places));
  if (await putLease({ key: first, leaseId }, at, at + LEASE_MS)) return { key: first, leaseId };
  const taken = await takenPlaces(pk, at);
  const free = Array.from({ length: places }, (_, index) => admissionKeys.place(pk, index)).filter((key) => !taken.has(key.sk));
  // Random order, so concurrent requests spread over the free places instead of racing for the first.
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [free[i], free[j]] = [free[j]!, free[i]!];
  }
  for (const key of free.slice(0, PUT_ATTEMPTS)) {
    if (await putLease({ key, leaseId }, at, at + LEASE_MS)) return { key, leaseId };
  }
  return undefined;
}

export class AdmissionGate {
  constructor(
    /** The route's name in keys (its Lambda's name). */
    private readonly route: string,
    private readonly limits: AdmissionLimits,
  ) {}

  /**
   * A permit for one request of `tenantId`, or AdmissionRefused (a refusal holds nothing). `keyCheck`:
   * the caller's key was not read for this request (shared/http.ts): its check goes in the places'
   * transaction, and when that is refused the key is read (401 when revoked) before anything else.
   */
  async admit(tenantId: string, keyCheck?: TenantContext['keyCheck']): Promise<AdmissionPermit> {
    const leaseId = randomUUID();
    const tenantPartition = admissionKeys.tenantPartition(tenantId, this.route);
    const totalPartition = admissionKeys.totalPartition(this.route);
    // Issue 19: both places in one transaction (a random place of each, free or expired): both or
    // neither, so a tenant over its share never holds a total place. When either is held (or a
    // concurrent transaction met one), nothing was taken: take them one at a time, as below.
    const at = now().getTime();
    const both = [
      { key: admissionKeys.place(tenantPartition, Math.floor(Math.random() * this.limits.perTenant)), leaseId },
      { key: admissionKeys.place(totalPartition, Math.floor(Math.random() * this.limits.total)), leaseId },
    ];
    if (await putLeases(both, at, at + LEASE_MS, keyCheck ? [keyCheck.item] : [])) return this.permit(both);
    // Refused: a held place, or the key no longer live (then 401 here, nothing taken).
    await keyCheck?.confirm();
    const ofTenant = await takePlace(tenantPartition, this.limits.perTenant, leaseId);
    if (!ofTenant) throw new AdmissionRefused('tenant', this.limits.retryAfterSeconds);
    const ofAll = await takePlace(totalPartition, this.limits.total, leaseId).catch(async (error: unknown) => {
      await deleteLease(ofTenant).catch(() => undefined);
      throw error;
    });
    if (!ofAll) {
      await deleteLease(ofTenant);
      throw new AdmissionRefused('total', this.limits.retryAfterSeconds);
    }
    return this.permit([ofTenant, ofAll]);
  }

  /** The permit of places taken: given back in one transaction (deleteLeases). */
  private permit(leases: Lease[]): AdmissionPermit {
    let released: Promise<void> | undefined;
    let held = false;
    const giveBack = () => {
      // A lease that cannot be deleted now expires by itself within LEASE_MS.
      released ??= deleteLeases(leases).then(
        () => undefined,
        (error: unknown) => logger.warn('admission: a place could not be given back; its lease expires by itself', { error: error as Error }),
      );
      return released;
    };
    return {
      release: () => (held ? Promise.resolve() : giveBack()),
      releaseWith: async (alongside) => {
        if (held || released) return writeAlongside(alongside);
        await deleteLeasesWith(leases, alongside);
        released ??= Promise.resolve();
      },
      holdUntil: (work) => {
        held = true;
        void work.then(giveBack, giveBack);
      },
    };
  }
}

/**
 * A route function behind `gate`: admitted per tenant before it runs (a refusal throws before any
 * work), its permit given back when it answers unless the function holds it for work that goes on.
 */
export function withAdmission<TBody, TQuery>(
  gate: AdmissionGate,
  fn: (request: RouteRequest<TBody, TQuery>, permit: AdmissionPermit) => Promise<RouteResponse>,
): (request: RouteRequest<TBody, TQuery>) => Promise<RouteResponse> {
  return async (request) => {
    const permit = await gate.admit(request.tenant.tenantId, request.tenant.keyCheck);
    try {
      return await fn(request, permit);
    } finally {
      await permit.release();
    }
  };
}
