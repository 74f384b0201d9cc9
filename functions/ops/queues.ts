/**
 * The work queues and their dead-letter queues, as operations sees them: depth per queue, and the
 * two ways to put work back: send one stored message again, or move a DLQ back to its queue with
 * StartMessageMoveTask (the AWS console's "Start DLQ redrive"). URLs come from the environment
 * (`<NAME>_QUEUE_URL`, `<NAME>_DLQ_URL`), set by the `queues:*` grants in CDK and by the local runtime.
 */
import { dlqUrlEnv, type QueueName, queues, queueUrlEnv } from '../registry';
import { ApiError } from '../shared/errors';
import { lastMoveTask, queueArn, queueAttributes as attributes, sendToQueue, startMessageMove } from './queue-store';

export type { QueueName };

export interface QueueDepth {
  queue: QueueName;
  visible: number;
  inFlight: number;
  delayed: number;
  deadLetter: { visible: number; inFlight: number };
  /** The newest StartMessageMoveTask on the DLQ, if any. */
  lastRedrive?: { status: string; moved: number; toMove?: number; startedAt?: string; failureReason?: string };
}

function urlOf(env: string): string {
  const url = process.env[env];
  if (!url) throw new ApiError('service_unavailable', `Queue URL ${env} is not configured`);
  return url;
}

export const queueUrl = (name: QueueName) => urlOf(queueUrlEnv(name));
export const dlqUrl = (name: QueueName) => urlOf(dlqUrlEnv(name));

export async function queueDepths(): Promise<QueueDepth[]> {
  return Promise.all(
    queues.map(async (spec): Promise<QueueDepth> => {
      const counts = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
      const [main, dead] = await Promise.all([attributes(queueUrl(spec.name), [...counts]), attributes(dlqUrl(spec.name), [...counts, 'QueueArn'])]);
      const last = await lastMoveTask(dead.QueueArn!);
      return {
        queue: spec.name,
        visible: Number(main.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(main.ApproximateNumberOfMessagesDelayed ?? 0),
        deadLetter: {
          visible: Number(dead.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(dead.ApproximateNumberOfMessagesNotVisible ?? 0),
        },
        ...(last
          ? {
              lastRedrive: {
                status: last.Status ?? 'UNKNOWN',
                moved: Number(last.ApproximateNumberOfMessagesMoved ?? 0),
                ...(last.ApproximateNumberOfMessagesToMove !== undefined ? { toMove: Number(last.ApproximateNumberOfMessagesToMove) } : {}),
                ...(last.StartedTimestamp ? { startedAt: new Date(Number(last.StartedTimestamp)).toISOString() } : {}),
                ...(last.FailureReason ? { failureReason: last.FailureReason } : {}),
              },
            }
          : {}),
      };
    }),
  );
}

/** Sends a stored message body to a work queue again; returns the SQS MessageId. */
export async function resendMessage(queue: QueueName, body: Record<string, unknown>, reviewItemId: string): Promise<string> {
  return sendToQueue(queueUrl(queue), body, { reviewItemId });
}

/** Moves every message in the queue's DLQ back to the queue; returns the move task handle. */
export async function redriveDeadLetters(queue: QueueName): Promise<{ taskHandle: string; messages: number }> {
  const [sourceArn, destinationArn, depth] = await Promise.all([
    queueArn(dlqUrl(queue)),
    queueArn(queueUrl(queue)),
    attributes(dlqUrl(queue), ['ApproximateNumberOfMessages']),
  ]);
  const messages = Number(depth.ApproximateNumberOfMessages ?? 0);
  try {
    return { taskHandle: await startMessageMove(sourceArn, destinationArn), messages };
  } catch (error) {
    // One move task per DLQ at a time (AWS and the local server both refuse a second one).
    const { name, message } = error as Error;
    throw new ApiError('conflict', `The ${queue} dead-letter queue cannot be redriven now: ${name}: ${message}`);
  }
}
