/**
 * Worker CrmReadSyncWorker (crm-read-sync queue): each record is one page of a read sync, run by
 * crm/read-sync.ts (checkpointed, so a page delivered again after a crash stores nothing twice), or
 * a refresh of the customers a vendor webhook named (keyed upserts, so a second delivery is harmless).
 * A body that does not parse can never succeed: dropped with a log (it names no run to fail).
 * Partial batch responses (Powertools batch).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { ZodError } from '../shared/zod';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { reviewedRecordHandler } from '../shared/worker';
import { refreshCrmCustomers, runCrmReadSyncPage } from './read-sync';
import { CrmReadSyncQueueMessageSchema } from './read-sync-schemas';

const processor = new BatchProcessor(EventType.SQS);

const pageReviewed = reviewedRecordHandler(
  async (record: SQSRecord) => {
    const message = CrmReadSyncQueueMessageSchema.parse(JSON.parse(record.body));
    if ('refresh' in message) await refreshCrmCustomers(message, now());
    else await runCrmReadSyncPage(message, now());
  },
  {
    worker: 'crm-read-sync',
    isFinal: (error) => error instanceof ZodError || error instanceof SyntaxError,
    // The run's status record carries its error for the console and CLI; the DLQ keeps the message.
    review: async ({ error, attempts }) => {
      logger.error('crm-read-sync: page failed', { error: error.name, attempts });
    },
  },
);

export const handler = async (event: SQSEvent) => processPartialResponse(event, pageReviewed, processor, { throwOnFullBatchFailure: false });
