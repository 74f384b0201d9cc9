/**
 * Reading bookings (one booking, the list, one booking's activity): one read-only Lambda, the route
 * name picks the operation. Each operation is its own module's handler.
 */
import { routeOperations } from '../shared/route-operations';
import { handler as getBookingActivity } from './booking-activity.handler';
import { handler as getBooking } from './get-booking.handler';
import { handler as listBookings } from './list-bookings.handler';

export const handler = routeOperations({ getBooking, listBookings, getBookingActivity });
