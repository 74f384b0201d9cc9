/**
 * Worker NotifyWorker (notify queue): sends each due message (notify/send.ts) through the tenant's
 * provider (local outbox, Twilio SMS, SES email). Partial batch responses: one bad message never
 * fails its neighbours. Every failed message reaches review before the DLQ, whatever threw
 * (shared/worker.ts); one that cannot be addressed (no phone for the technician, no email for the
 * customer) is not retried: reviewed at once, the row failed.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { reviewedRecordHandler } from '../shared/worker';
import { MessageRejectedError } from './providers/types';
import { NotifyMessageSchema } from './schemas';
import { reviewFailedMessage, sendNotification } from './send';

const processor = new BatchProcessor(EventType.SQS);

async function sendOne(record: SQSRecord): Promise<void> {
  // The message id claims the row (a redelivery of this message may take it again; another may not).
  await sendNotification(NotifyMessageSchema.parse(JSON.parse(record.body)), { messageId: record.messageId });
}

const sendOneReviewed = reviewedRecordHandler(sendOne, {
  worker: 'notify',
  review: reviewFailedMessage,
  // Refused by the provider, no address, or a body that is not a message: retrying cannot help.
  isFinal: (error) => error instanceof MessageRejectedError || error.name === 'ZodError' || error instanceof SyntaxError,
});

export const handler = async (event: SQSEvent) => processPartialResponse(event, sendOneReviewed, processor);
