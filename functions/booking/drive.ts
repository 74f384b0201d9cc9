/**
 * Runs (or re-runs) the booking workflow for a booking id: the route's first run, a retry that
 * resumes a reservation whose run died, and the recovery sweep all come through here. The workflow
 * is a synchronous Express run (at most once, never restarted by AWS) whose nodes are idempotent, so
 * running it again for the same booking continues where the last run stopped.
 * StartSyncExecution answers 200 even when the run failed: its status is read, and a failed run
 * leaves the booking pending_confirmation with a workflow_failed review item.
 */
import { ulid } from 'ulid';
import { openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { type BookingFacts, readBookingFacts, type RunChanges } from './facts';
import { runBookingWorkflow } from './run-store';
import { updateBooking } from './store';

/**
 * Execution names: the first run is named by the booking id; a resumed run adds a ULID (Express
 * names may repeat in AWS, the local endpoint refuses a repeated name, and a distinct name keeps
 * each run findable in the logs).
 */
export function executionNameFor(bookingId: string, resumed: boolean): string {
  return resumed ? `${bookingId}-r${ulid().slice(-10)}` : bookingId;
}

/**
 * `facts`: what the caller read for this run (the bookings route); without them they are read here
 * (booking/facts.ts), so every run carries them and no node reads them again.
 */
export async function driveBooking(
  tenantId: string,
  bookingId: string,
  options: { resumed: boolean; by: string; facts?: BookingFacts },
): Promise<{ failure?: string; booking?: RunChanges }> {
  let failure: string | undefined;
  let booking: RunChanges | undefined;
  // The run a person looks up in the Step Functions console (issue 19 item 4: this review item, not an
  // ExecutionsFailed/TimedOut alarm, is how a failed booking run is signalled).
  let executionArn: string | undefined;
  try {
    const facts = options.facts ?? (await readBookingFacts(tenantId, bookingId));
    const run = await runBookingWorkflow(executionNameFor(bookingId, options.resumed), { tenantId, bookingId, ...(facts ? { facts } : {}) });
    executionArn = run.executionArn;
    if (run.status !== 'SUCCEEDED') failure = `${run.status}: ${run.error ?? ''} ${run.cause ?? ''}`.trim();
    else booking = bookingOfOutput(run.output);
  } catch (error) {
    failure = `StartSyncExecution failed: ${(error as Error).name}`;
  }
  if (failure) {
    logger.error('booking workflow did not succeed', { tenantId, bookingId, failure, by: options.by });
    await openReviewItem(
      tenantId,
      {
        kind: 'workflow_failed',
        reason: `The booking workflow did not finish (${failure})`,
        subject: { type: 'booking', id: bookingId },
        payload: { by: options.by, resumed: options.resumed, workflow: 'booking', executionArn: executionArn ?? null },
      },
      now(),
    );
    await updateBooking(tenantId, bookingId, { status: 'pending_confirmation', statusReason: 'workflow_failed' }, { onlyFrom: ['received'], at: now() });
  }
  return failure ? { failure } : booking ? { booking } : {};
}

/**
 * What a committed run wrote on the booking (the ASL's Answer state: the fields CommitSlot's write
 * left, capacity/commit-slot.handler.ts RUN_FIELDS), to lay over the booking as the caller stored
 * it; undefined when the run ended elsewhere (rejected, review, dispatch): read it then.
 */
function bookingOfOutput(output: string | undefined): RunChanges | undefined {
  if (!output) return undefined;
  const booking = (JSON.parse(output) as { booking?: unknown }).booking;
  return booking && typeof booking === 'object' ? (booking as RunChanges) : undefined;
}
