/**
 * GET /v1/bookings/{id}/activity: everything that happened to one booking, for the operator
 * console (booking/activity.ts gathers it).
 */
import { apiRoute, parseWith } from '../shared/http';
import { bookingActivity } from './activity';
import { BookingIdParamsSchema } from './schemas';

export const handler = apiRoute({}, async ({ tenant, pathParameters }) => {
  // Messages carry phone numbers and texts: people who work bookings or the queue only.
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  return { statusCode: 200, body: await bookingActivity(tenant.tenantId, id) };
});
