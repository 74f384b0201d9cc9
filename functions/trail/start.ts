/**
 * Starts a booking's job trail (Standard workflow) from code: dispatch confirming or accepting a
 * booking that waited. The booking workflow starts it natively for bookings committed straight away.
 * The execution name `trail-<bookingId>` makes a second start a no-op.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/clients';

export function trailExecutionName(bookingId: string): string {
  return `trail-${bookingId}`;
}

export async function startJobTrail(tenantId: string, bookingId: string): Promise<'started' | 'already_started'> {
  const stateMachineArn = process.env.JOB_TRAIL_STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('Missing environment variable JOB_TRAIL_STATE_MACHINE_ARN');
  try {
    await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name: trailExecutionName(bookingId), input: JSON.stringify({ tenantId, bookingId }) }));
    return 'started';
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return 'already_started';
    throw error;
  }
}
