/**
 * Route PostJobEvent: `POST /v1/jobs/{id}/events` (API key, `bookings` scope). Validates the event,
 * checks the job is this tenant's, and queues it on status-events; the worker applies it (202).
 */
import { getBookingRecord } from '../booking/store';
import { BookingIdParamsSchema } from '../booking/schemas';
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { JobEventBodySchema } from './schemas';
import { enqueueStatusEvent } from './store';

export const handler = apiRoute({ body: JobEventBodySchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  if (!(await getBookingRecord(tenant.tenantId, id))) throw new ApiError('not_found', `No job ${id}`, 'id');
  await enqueueStatusEvent({ tenantId: tenant.tenantId, bookingId: id, source: 'api', receivedAt: now().toISOString(), event: body });
  return { statusCode: 202, body: { accepted: true, bookingId: id, eventId: body.eventId } };
});
