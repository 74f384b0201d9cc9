/**
 * The SQS calls operations makes on the work queues and their dead-letter queues: counts, the newest
 * message move task, one send, one move. The queues' names and URLs are ops/queues.ts's.
 */
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, SendMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/queue-client';

export type QueueAttributeName = 'QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessagesDelayed';

export async function queueAttributes(url: string, names: QueueAttributeName[]): Promise<Record<string, string | undefined>> {
  const { Attributes = {} } = await sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
  return Attributes as Record<string, string | undefined>;
}

export async function queueArn(url: string): Promise<string> {
  const arn = (await queueAttributes(url, ['QueueArn'])).QueueArn;
  if (!arn) throw new Error(`No QueueArn for ${url}`);
  return arn;
}

/** The newest message move task whose source is `sourceArn`, if any. */
export async function lastMoveTask(sourceArn: string) {
  const { Results = [] } = await sqsClient().send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
  return Results[0];
}

/** Sends one message with string attributes; returns the SQS MessageId. */
export async function sendToQueue(url: string, body: Record<string, unknown>, attributes: Record<string, string> = {}): Promise<string> {
  const { MessageId } = await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: JSON.stringify(body),
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
    }),
  );
  return MessageId!;
}

/** StartMessageMoveTask from `sourceArn` to `destinationArn`; returns the task handle. */
export async function startMessageMove(sourceArn: string, destinationArn: string): Promise<string> {
  const { TaskHandle } = await sqsClient().send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
  return TaskHandle ?? '';
}
