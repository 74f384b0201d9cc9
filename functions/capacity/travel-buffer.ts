/** Each job with a duration also claims this much for the drive to it, unless the tenant sets `travelBufferMinutes` (no imports: the tenant model and capacity/availability.ts both read it). */
export const TRAVEL_BUFFER_MINUTES = 15;
