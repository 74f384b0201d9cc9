/**
 * The booking workflow's runs: one synchronous Express execution (StartSyncExecution) per call. The
 * only module of booking/ that talks to Step Functions; booking/drive.ts decides what a run's outcome
 * means.
 */
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/workflow-client';
import { config } from '../shared/config';

export interface BookingRunOutcome {
  executionArn?: string;
  status?: string;
  error?: string;
  cause?: string;
  /** The run's output (JSON), when it succeeded. */
  output?: string;
}

/** Runs the booking workflow for one booking and answers with how the run ended (StartSyncExecution answers 200 for failed runs too). */
export async function runBookingWorkflow(name: string, input: { tenantId: string; bookingId: string; facts?: object }): Promise<BookingRunOutcome> {
  const run = await sfnClient().send(new StartSyncExecutionCommand({ stateMachineArn: config.bookingStateMachineArn, name, input: JSON.stringify(input) }));
  return { executionArn: run.executionArn, status: run.status, error: run.error, cause: run.cause, output: run.output };
}
