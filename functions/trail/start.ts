/**
 * Starts a booking's job trail (Express workflow, asynchronously) from code: dispatch confirming or
 * accepting a booking that waited. The booking workflow starts it natively for bookings committed
 * straight away. The execution is named `trail-<bookingId>`, but Express does not deduplicate starts
 * by name: the booking is the idempotency key (a completed trail ends at once: AssignTechnician's
 * TrailAlreadyRun; CloseTrail closes once).
 */
import { startTrailExecution } from './start-store';

export function trailExecutionName(bookingId: string): string {
  return `trail-${bookingId}`;
}

export function startJobTrail(tenantId: string, bookingId: string): Promise<'started' | 'already_started'> {
  return startTrailExecution(trailExecutionName(bookingId), { tenantId, bookingId });
}
