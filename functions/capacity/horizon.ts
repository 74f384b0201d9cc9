/**
 * The booking horizon (tenant `bookingHorizonDays`, default 14): availability, holds and bookings
 * are for today and the days after it up to the horizon, in the company's zone. Beyond it the API
 * answers 400 naming the field and the horizon (issue 15: 105-343 days out were accepted).
 */
import { ApiError } from '../shared/errors';
import type { Tenant } from '../tenant/model';
import { localDates } from './availability';

/** The last local date a booking may be for (today counts as the first of the horizon's days). */
export function lastBookableDate(tenant: Pick<Tenant, 'bookingHorizonDays' | 'timeZone'>, at: Date): string {
  return localDates(at, tenant.bookingHorizonDays, tenant.timeZone).at(-1)!;
}

/** 400 on `field` when `date` (YYYY-MM-DD) lies beyond the tenant's booking horizon. */
export function requireWithinHorizon(tenant: Pick<Tenant, 'bookingHorizonDays' | 'timeZone'>, at: Date, date: string, field: string): void {
  const last = lastBookableDate(tenant, at);
  if (date > last) {
    throw new ApiError(
      'invalid_request',
      `${field} ${date} is beyond the booking horizon of ${tenant.bookingHorizonDays} days (the last bookable date is ${last})`,
      field,
    );
  }
}
