/**
 * Worker CrmSyncWorker (crm-sync queue): each record is one outbox doorbell, run by
 * crm/run-sync.ts (what a failed write means: crm/sync-policy.ts). A body that does not parse can
 * never succeed: reviewed at once. Partial batch responses (Powertools batch): one booking never
 * holds up its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { ZodError } from '../shared/zod';
import { now } from '../shared/time';
import { reviewedRecordHandler } from '../shared/worker';
import { CrmSyncMessageSchema } from './outbox-store';
import { openCrmReviewItem, runCrmSync } from './run-sync';

const processor = new BatchProcessor(EventType.SQS);

/** A lead's doorbell (it names `leadId`, no booking): its tenant and lead, when the body says so. */
function leadOf(record: SQSRecord): { tenantId: string; leadId: string } | undefined {
  try {
    const body = JSON.parse(record.body) as Record<string, unknown>;
    return typeof body.tenantId === 'string' && typeof body.leadId === 'string' && !body.bookingId
      ? { tenantId: body.tenantId, leadId: body.leadId }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whatever throws (a body that does not parse, a read that fails), the last receive opens the review item first (shared/worker.ts). */
const syncOneReviewed = reviewedRecordHandler(
  (record: SQSRecord) =>
    runCrmSync(CrmSyncMessageSchema.parse(JSON.parse(record.body)), { deliveryId: record.messageId, sentAt: Number(record.attributes?.SentTimestamp) }),
  {
    worker: 'crm-sync',
    isFinal: (error) => error instanceof ZodError || error instanceof SyntaxError,
    review: async ({ record, error, attempts, subject }) => {
      const lead = leadOf(record);
      if (!subject && !lead) throw error; // nothing names a tenant: the DLQ (and its alarm) keeps it
      await openCrmReviewItem(lead ?? { tenantId: subject!.tenantId, bookingId: subject!.bookingId }, error, attempts, now());
    },
  },
);

// A batch whose every record failed is still a normal partial response (the backoff is already set per message).
export const handler = async (event: SQSEvent) => processPartialResponse(event, syncOneReviewed, processor, { throwOnFullBatchFailure: false });
