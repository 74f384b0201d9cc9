/** The notify queue: the doorbell for ledger rows that are due (the row in notify/store.ts is the record). */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/queue-client';
import { config } from '../shared/config';
import type { LedgerMessage } from './store';

/** SQS takes at most this many messages per batch. */
export const NOTIFY_BATCH = 10;

/** Sends up to NOTIFY_BATCH messages; returns the indexes (into `messages`) that were accepted. */
export async function sendNotifyMessages(messages: LedgerMessage[]): Promise<Set<number>> {
  const result = await sqsClient().send(
    new SendMessageBatchCommand({
      QueueUrl: config.notifyQueueUrl,
      Entries: messages.map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
    }),
  );
  return new Set((result.Successful ?? []).map((entry) => Number(entry.Id)));
}
