/** Starting a job trail execution (Express workflow): the one Step Functions call trail/start.ts makes. */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/workflow-client';

/** Starts `name` on the trail state machine: 'already_started' when an execution of that name exists (the local endpoint says so; Express in AWS does not). */
export async function startTrailExecution(name: string, input: Record<string, unknown>): Promise<'started' | 'already_started'> {
  const stateMachineArn = process.env.JOB_TRAIL_STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('Missing environment variable JOB_TRAIL_STATE_MACHINE_ARN');
  try {
    await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return 'started';
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return 'already_started';
    throw error;
  }
}
