/**
 * Local SQS event source mappings: long-poll each work queue and invoke its consumer with a real
 * SQSEvent batch; delete what succeeded, leave reported failures to come back after the visibility
 * timeout (and move to the DLQ after maxReceiveCount), as Lambda's mapping does with
 * ReportBatchItemFailures.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { queues } from '../functions/registry';
import { sqsClient } from '../functions/shared/queue-client';
import { invokeLambda, LOCAL_REGION } from './lambdas';
import type { LocalSqs } from './sqs';
import { LOCAL_ACCOUNT, localQueueName } from './sqs';

/** The SQS event record Lambda's event source mapping makes of a message (tests build theirs with it too). */
export function sqsRecord(message: Message, queueName: string): SQSEvent['Records'][number] {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${queueName}`,
    awsRegion: LOCAL_REGION,
  };
}

/** One receive-invoke-delete round; returns how many messages it handled. Tests call it directly. */
export async function pollOnce(sqs: LocalSqs, queue: (typeof queues)[number], waitTimeSeconds = 0): Promise<number> {
  if (!queue.consumer) return 0;
  const queueUrl = sqs.queueUrl(queue.name);
  const received = await sqsClient().send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      // The batch size the event source mapping uses in AWS (registry); SQS receives at most 10.
      MaxNumberOfMessages: Math.min(queue.batchSize, 10),
      WaitTimeSeconds: waitTimeSeconds,
      // Both names: the SQS server (local-aws-sqs) answers only the older AttributeNames, and without
      // it every record would claim ApproximateReceiveCount 1 (workers could never see their last try).
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = received.Messages ?? [];
  if (!messages.length) return 0;
  const event: SQSEvent = { Records: messages.map((m) => sqsRecord(m, localQueueName(queue.name))) };
  let failed = new Set(messages.map((m) => m.MessageId!));
  try {
    const response = (await invokeLambda(queue.consumer, event)) as SQSBatchResponse | null;
    failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch (error) {
    console.error(`local poller: ${queue.consumer} failed the whole batch:`, (error as Error).message);
  }
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length) {
    await sqsClient().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return messages.length;
}

/**
 * A queue with nothing to receive is looked at again after this long even when nothing is sent to
 * it: a failed message comes back when its visibility timeout ends, a redriven one when the DLQ's
 * move puts it back, and no send announces either.
 */
const IDLE_LOOK_MS = 1_000;

/**
 * One loop per work queue: receive (no wait) and invoke while there are messages; then wait for the
 * next send to that queue (LocalSqs.nextSend) or IDLE_LOOK_MS. Lambda's mapping long-polls, and SQS
 * answers a long poll as soon as a message is there; the SQS server answers one only when the batch
 * is full or the wait is over, so a long poll here held a lone message up to its whole wait (a
 * confirmation text waited up to a second for its worker) and scanned every queue every 10 ms.
 */
export function startPollers(sqs: LocalSqs): { stop(): Promise<void> } {
  let running = true;
  const loops = queues
    .filter((queue) => queue.consumer)
    .map(async (queue) => {
      while (running) {
        // Asked before the receive: a message sent while it runs wakes the wait after it.
        const next = sqs.nextSend(queue.name, IDLE_LOOK_MS);
        try {
          if ((await pollOnce(sqs, queue, 0)) > 0) {
            next.cancel();
            continue;
          }
        } catch (error) {
          if (running) console.error(`local poller ${queue.name}:`, (error as Error).message);
        }
        await next.sent;
      }
    });
  return {
    stop: async () => {
      running = false;
      sqs.wakeAll();
      await Promise.allSettled(loops);
    },
  };
}
