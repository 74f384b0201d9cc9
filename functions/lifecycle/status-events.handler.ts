/**
 * Worker StatusEventsWorker (status-events queue): applies job events from the field
 * (lifecycle/apply-event.ts). On the last receive (ApproximateReceiveCount at the DLQ limit) a review
 * item with the error comes first (lifecycle/event-review.ts), then the message fails once more and
 * moves to the DLQ; its redrive re-sends the message. Partial batch responses (Powertools batch):
 * one job never holds up its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { now } from '../shared/time';
import { reviewedRecordHandler } from '../shared/worker';
import { applyStatusEvent } from './apply-event';
import { openFailureItem, openUnreadableEventItem, resolveRedrivenEvent } from './event-review';
import { StatusEventMessageSchema } from './schemas';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const message = StatusEventMessageSchema.parse(JSON.parse(record.body));
  const at = now();
  const result = await applyStatusEvent(message, at);
  if (result.outcome === 'applied' || result.outcome === 'reapplied_effects') await resolveRedrivenEvent(message, at);
}

/**
 * Whatever throws, the record's last receive opens the review item first (shared/worker.ts); a body
 * that is not a job event (it can never apply) is reviewed at once and kept in the item for redrive.
 */
const processRecordReviewed = reviewedRecordHandler(processRecord, {
  worker: 'status-events',
  isFinal: (error) => error.name === 'ZodError' || error instanceof SyntaxError,
  review: async ({ record, error, attempts, final, subject }) => {
    if (!subject) throw error; // nothing names a tenant: the DLQ (and its alarm) keeps it
    const body = JSON.parse(record.body) as Record<string, unknown>;
    const parsed = StatusEventMessageSchema.safeParse(body);
    if (parsed.success) return openFailureItem(parsed.data, error, attempts, now());
    await openUnreadableEventItem(subject, body, error, attempts, final, now());
  },
});

// One record at a time: events of one job in one batch apply in arrival order without version races.
export const handler = async (event: SQSEvent) => processPartialResponse(event, processRecordReviewed, processor, { processInParallel: false });
