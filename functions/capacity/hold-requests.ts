/**
 * Holds through the API: soft-hold a window for the tenant's hold minutes (it expires by itself, no
 * job running), read one, release one. A booking with `holdId` commits exactly that hold.
 */
import { ulid } from 'ulid';
import { ApiError } from '../shared/errors';
import { getJobType, getTenant } from '../tenant/store';
import { holdWindow } from './engine';
import { requireWithinHorizon } from './horizon';
import type { CreateHoldRequest } from './schemas';
import { getHold, type HoldRecord, isHoldLive, releaseHold } from './store';

export function toPublicHold(hold: HoldRecord, at: Date) {
  const expired = hold.status === 'HELD' && !isHoldLive(hold, at);
  return {
    holdId: hold.holdId,
    status: expired ? 'RELEASED' : hold.status,
    ...(hold.expiresAt && hold.status === 'HELD' ? { expiresAt: new Date(hold.expiresAt * 1000).toISOString() } : {}),
    jobTypeId: hold.plan.jobTypeId,
    emergency: hold.emergency,
    window: { date: hold.plan.date, start: hold.plan.start, end: hold.plan.end, technicianId: hold.plan.technicianId },
  };
}

/** A new hold, or the refusal (409 window_unavailable with the reason and alternatives). */
export async function createHold(
  tenantId: string,
  body: CreateHoldRequest,
  at: Date,
): Promise<{ hold: ReturnType<typeof toPublicHold> } | { refused: ApiError }> {
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, body.jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${body.jobTypeId}"`, 'jobTypeId');
  if (body.window && ![...tenant.arrivalWindows, ...tenant.afterHoursWindows].some((w) => w.start === body.window!.start)) {
    throw new ApiError('invalid_request', 'window.start must be one of the arrival windows', 'window.start');
  }
  if (body.window) requireWithinHorizon(tenant, at, body.window.date, 'window.date');
  const attempt = await holdWindow({
    tenant,
    jobType,
    postalCode: body.postalCode,
    window: body.window,
    emergency: body.emergency,
    holdId: `hold-${ulid()}`,
    source: 'api',
    now: at,
  });
  if (!attempt.hold) {
    return {
      refused: new ApiError('window_unavailable', `Nothing to hold (${attempt.reason})`, body.window ? 'window' : undefined, {
        reason: attempt.reason,
        alternatives: attempt.alternatives,
      }),
    };
  }
  return { hold: toPublicHold(attempt.hold, at) };
}

export async function releaseHoldById(tenantId: string, id: string) {
  const outcome = await releaseHold(tenantId, id);
  if (outcome === 'unknown') throw new ApiError('not_found', `No hold ${id}`, 'id');
  if (outcome === 'BOOKED') throw new ApiError('conflict', 'This hold is already booked; cancel the booking instead', 'id');
  return { holdId: id, status: 'RELEASED' as const };
}

export async function readHold(tenantId: string, id: string, at: Date) {
  const hold = await getHold(tenantId, id);
  if (!hold) throw new ApiError('not_found', `No hold ${id}`, 'id');
  return toPublicHold(hold, at);
}
