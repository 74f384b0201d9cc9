import type { BookingStatus } from './schemas';

/**
 * Bookings that own committed capacity and may be moved or cancelled. Its own module (no schemas,
 * no change machinery): the Holds route checks a booking it holds a move for (capacity/hold-requests.ts).
 */
export const CHANGEABLE: BookingStatus[] = ['confirmed', 'pending_crm_sync', 'pending_confirmation', 'pending_approval'];
