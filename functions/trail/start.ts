/**
 * Starts a booking's job trail (Standard workflow) from code: dispatch confirming or accepting a
 * booking that waited. The booking workflow starts it natively for bookings committed straight away.
 * The execution name `trail-<bookingId>` makes a second start a no-op.
 */
import { startTrailExecution } from './start-store';

export function trailExecutionName(bookingId: string): string {
  return `trail-${bookingId}`;
}

export function startJobTrail(tenantId: string, bookingId: string): Promise<'started' | 'already_started'> {
  return startTrailExecution(trailExecutionName(bookingId), { tenantId, bookingId });
}
