import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { BookingIdParamsSchema } from './schemas';
import { getBookingWithTimeline } from './store';

export const handler = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  // Keys are tenant-first: another tenant's id simply is not found here.
  const booking = await getBookingWithTimeline(tenant.tenantId, id);
  if (!booking) throw new ApiError('not_found', `No booking ${id}`, 'id');
  return { statusCode: 200, body: booking };
});
