/**
 * POST /v1/holds soft-holds a window for the tenant's hold minutes (it expires by itself, no job
 * running); DELETE /v1/holds/{id} releases it. A booking with `holdId` commits exactly that hold.
 */
import { ulid } from 'ulid';
import { ApiError } from '../shared/errors';
import { apiRoute, errorBody, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { holdWindow } from './engine';
import { CreateHoldRequestSchema, HoldIdParamsSchema } from './schemas';
import { getHold, isHoldLive, releaseHold, type HoldRecord } from './store';

function toPublicHold(hold: HoldRecord, at: Date) {
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

const createHold = apiRoute({ body: CreateHoldRequestSchema }, async ({ tenant: { tenantId }, body }) => {
  const at = now();
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, body.jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${body.jobTypeId}"`, 'jobTypeId');
  if (body.window && ![...tenant.arrivalWindows, ...tenant.afterHoursWindows].some((w) => w.start === body.window!.start)) {
    throw new ApiError('invalid_request', 'window.start must be one of the arrival windows', 'window.start');
  }
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
    const error = new ApiError('window_unavailable', `Nothing to hold (${attempt.reason})`, body.window ? 'window' : undefined, {
      reason: attempt.reason,
      alternatives: attempt.alternatives,
    });
    return { statusCode: error.statusCode, body: errorBody(error) };
  }
  return { statusCode: 201, body: toPublicHold(attempt.hold, at), headers: { location: `/v1/holds/${attempt.hold.holdId}` } };
});

const deleteHold = apiRoute({}, async ({ tenant: { tenantId }, pathParameters }) => {
  const { id } = parseWith(HoldIdParamsSchema, pathParameters, 'path');
  const outcome = await releaseHold(tenantId, id);
  if (outcome === 'unknown') throw new ApiError('not_found', `No hold ${id}`, 'id');
  if (outcome === 'BOOKED') throw new ApiError('conflict', 'This hold is already booked; cancel the booking instead', 'id');
  return { statusCode: 200, body: { holdId: id, status: 'RELEASED' } };
});

const getOneHold = apiRoute({}, async ({ tenant: { tenantId }, pathParameters }) => {
  const { id } = parseWith(HoldIdParamsSchema, pathParameters, 'path');
  const hold = await getHold(tenantId, id);
  if (!hold) throw new ApiError('not_found', `No hold ${id}`, 'id');
  return { statusCode: 200, body: toPublicHold(hold, now()) };
});

/** One Lambda for the holds resource; API Gateway's route key picks the operation. */
export const handler = async (event: { routeKey?: string }, context: unknown) => {
  const route = event.routeKey ?? '';
  const operation = route.startsWith('POST') ? createHold : route.startsWith('DELETE') ? deleteHold : getOneHold;
  return operation(event as never, context as never);
};
