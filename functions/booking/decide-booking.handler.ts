/**
 * POST /v1/bookings/{id}/accept and /dismiss: a dispatcher decides a booking whose marketing source
 * needs acceptance (pending_approval); booking/decide.ts carries the decision out.
 */
import { DismissBookingRequestSchema } from '../crm/schemas';
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { acceptBooking, dismissBooking } from './decide';
import { BookingIdParamsSchema } from './schemas';

const accept = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await acceptBooking(tenant, id) };
});

const dismiss = apiRoute({ body: DismissBookingRequestSchema }, async ({ tenant, pathParameters, body }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await dismissBooking(tenant, id, body) };
});

/** The DecideBooking routes (functions/registry.ts), by name. */
export const handler = routeOperations({ acceptBooking: accept, dismissBooking: dismiss });
