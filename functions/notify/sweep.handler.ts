/**
 * Schedule NotificationSweeper (EventBridge Scheduler, rate(1 minute)): queues every ledger row that
 * is due on the notify queue. Send first, then mark: a crash between the two re-sends, and the
 * worker's exactly-once record makes that harmless; the other order could lose a message.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { sqsClient } from '../shared/clients';
import { config } from '../shared/config';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { listDueRows, markQueued, type LedgerMessage } from './store';

const PAGE = 100;
const MAX_PAGES = 20;

export async function sweepDueNotifications(at: Date): Promise<number> {
  let queued = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await listDueRows(at, PAGE);
    if (!due.length) break;
    for (let i = 0; i < due.length; i += 10) {
      const batch = due.slice(i, i + 10);
      const result = await sqsClient().send(
        new SendMessageBatchCommand({
          QueueUrl: config.notifyQueueUrl,
          Entries: batch.map((row: LedgerMessage, index) => ({ Id: String(index), MessageBody: JSON.stringify(row) })),
        }),
      );
      const sent = new Set((result.Successful ?? []).map((entry) => Number(entry.Id)));
      for (const [index, row] of batch.entries()) {
        if (sent.has(index) && (await markQueued(row, at))) queued++;
      }
    }
    if (due.length < PAGE) break;
  }
  return queued;
}

export const handler = middy(async () => {
  const queued = await sweepDueNotifications(now());
  logger.info('notification sweep', { queued });
  return { queued };
});
