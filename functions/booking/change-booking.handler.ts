/**
 * POST /v1/bookings/{id}/reschedule (new window, a hold, or another technician) and
 * POST /v1/bookings/{id}/cancel. One Lambda for changes to a booked job; the route key picks.
 */
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { cancelBooking, rescheduleBooking } from './changes';
import { BookingIdParamsSchema } from './schemas';
import { CancelRequestSchema, RescheduleRequestSchema } from './schemas-changes';
import { getBookingWithTimeline } from './store';

const reschedule = apiRoute({ body: RescheduleRequestSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  await rescheduleBooking(tenant.tenantId, id, body, tenant.keyId, now());
  return { statusCode: 200, body: await getBookingWithTimeline(tenant.tenantId, id) };
});

const cancel = apiRoute({ body: CancelRequestSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  await cancelBooking(tenant.tenantId, id, body.reason, tenant.keyId, now());
  return { statusCode: 200, body: await getBookingWithTimeline(tenant.tenantId, id) };
});

/** The ChangeBooking routes (functions/registry.ts), by name. */
export const handler = routeOperations({ rescheduleBooking: reschedule, cancelBooking: cancel });
