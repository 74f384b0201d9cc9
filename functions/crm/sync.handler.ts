/**
 * Worker CrmSyncWorker (crm-sync queue): writes a kept booking to the CRM once the CRM is back.
 * - success: the CRM has the booking exactly once (a booking already synced is never written
 *   again), the booking goes pending_crm_sync -> confirmed with its external ids, and any open
 *   crm_write_failed review item about it is resolved (this is how a redrive closes its item);
 * - CRM still down: the message stays invisible for a growing backoff (ChangeMessageVisibility by
 *   ApproximateReceiveCount, at least the CRM's Retry-After) and is reported as a batch failure;
 * - last receive (maxReceiveCount): a crm_write_failed review item with the error is written first,
 *   then the message fails once more and SQS moves it to the DLQ;
 * - CRM refuses the data or credentials: review item at once, message done (retrying cannot help;
 *   the item's redrive re-sends it after a person fixes the cause).
 * Partial batch responses (Powertools batch): one booking never holds up its neighbours.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { appendTimeline, getBookingRecord, updateBooking } from '../booking/store';
import { deadLetterPolicy } from '../registry';
import { findOpenReviewItems, openReviewItem, resolveReviewItemsFor } from '../review/store';
import { sqsClient } from '../shared/clients';
import { CrmRejectedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import type { UnavailableWithRetry } from './adapters/http';
import { backoffSettings, crmSyncBackoffSeconds, CrmSyncMessageSchema, type CrmSyncMessage } from './outbox';
import { acquireCrmSyncLease, releaseCrmSyncLease } from './store';
import { crmStateOf, writeBookingToCrm } from './write';

const processor = new BatchProcessor(EventType.SQS);
const queueUrls = new Map<string, string>();

/** The queue's URL from the record's ARN (works in AWS and against the local SQS server alike). */
async function queueUrlOf(record: SQSRecord): Promise<string> {
  let url = queueUrls.get(record.eventSourceARN);
  if (!url) {
    const [, , , , account, name] = record.eventSourceARN.split(':');
    const found = await sqsClient().send(new GetQueueUrlCommand({ QueueName: name!, QueueOwnerAWSAccountId: account }));
    url = found.QueueUrl!;
    queueUrls.set(record.eventSourceARN, url);
  }
  return url;
}

/** Something a person must look at: one open item per booking, with the error first in its reason. */
async function openCrmReviewItem(message: CrmSyncMessage, error: Error, attempts: number, at: Date): Promise<void> {
  const subject = { type: 'booking', id: message.bookingId };
  if ((await findOpenReviewItems(message.tenantId, subject, 'crm_write_failed')).length) return;
  const rejected = error instanceof CrmRejectedError || error.name === 'CrmRejectedError';
  await openReviewItem(
    message.tenantId,
    {
      kind: 'crm_write_failed',
      reason: rejected
        ? `${error.name}: ${error.message} — the CRM refused the booking; fix the cause, then redrive`
        : `${error.name}: ${error.message} — the CRM stayed unreachable through ${attempts} attempts; the write is in the crm-sync DLQ`,
      subject,
      payload: { node: 'CrmSyncWorker', error: error.name, cause: error.message, attempts, ...(message.firstError ? { firstError: message.firstError } : {}) },
      redrive: { type: 'message', queue: 'crm-sync', body: { tenantId: message.tenantId, bookingId: message.bookingId } },
    },
    at,
  );
  await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', rejected ? 'rejected' : 'gave_up', { error: error.name, attempts }, at);
}

async function settleSynced(message: CrmSyncMessage, externalIds: Record<string, string>, at: Date): Promise<void> {
  const confirmed = await updateBooking(
    message.tenantId,
    message.bookingId,
    { status: 'confirmed', statusReason: 'crm_synced_after_outage' },
    { onlyFrom: ['pending_crm_sync'], at },
  );
  const resolved = await resolveReviewItemsFor(
    message.tenantId,
    { type: 'booking', id: message.bookingId },
    'crm_write_failed',
    'CrmSyncWorker',
    'The CRM write went through on retry',
    at,
  );
  if (confirmed || resolved.length) {
    await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', 'synced', { externalIds, confirmed, resolvedReviewItems: resolved.length }, at);
  }
}

async function syncOne(record: SQSRecord): Promise<void> {
  const message = CrmSyncMessageSchema.parse(JSON.parse(record.body));
  const at = now();
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  if (!(await getBookingRecord(message.tenantId, message.bookingId))) {
    logger.warn('crm-sync: no such booking, dropping the message', { tenantId: message.tenantId, bookingId: message.bookingId });
    return;
  }
  const leased = await acquireCrmSyncLease(message.tenantId, message.bookingId, record.messageId, at);
  try {
    // Another delivery is writing this booking right now: come back after the backoff.
    if (!leased) throw new Error('Another delivery is writing this booking to the CRM');
    // Read after taking the lease: what the last holder wrote is visible now.
    const booking = (await getBookingRecord(message.tenantId, message.bookingId))!;
    const state = message.state ?? crmStateOf(booking);
    // Written already (an earlier delivery, a redrive of a message that did go through, or a later
    // write of the same state, which read the booking fresh): never twice.
    const covered = booking.crm?.syncedAt && booking.crm.state === state && (!message.requestedAt || booking.crm.syncedAt >= message.requestedAt);
    if (covered) {
      await settleSynced(message, booking.crm!.externalIds, at);
      return;
    }
    // The workflow has not settled the booking yet (this message raced it): come back later.
    if (booking.status === 'received') throw new Error('The booking workflow has not settled this booking yet');
    const result = await writeBookingToCrm(message.tenantId, message.bookingId, at, { node: 'CrmSyncWorker', state });
    await settleSynced(message, result.externalIds, at);
  } catch (error) {
    const failure = error as Error;
    const rejected = failure instanceof CrmRejectedError || failure.name === 'CrmRejectedError';
    if (rejected) {
      await openCrmReviewItem(message, failure, receiveCount, at);
      return;
    }
    if (receiveCount >= deadLetterPolicy.maxReceiveCount) {
      await openCrmReviewItem(message, failure, receiveCount, at);
      throw failure;
    }
    const visibility = crmSyncBackoffSeconds(receiveCount, backoffSettings(), (failure as UnavailableWithRetry).retryAfterSeconds);
    await sqsClient().send(
      new ChangeMessageVisibilityCommand({ QueueUrl: await queueUrlOf(record), ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibility }),
    );
    await appendTimeline(message.tenantId, message.bookingId, 'CrmSyncWorker', 'retry_later', { error: failure.name, attempt: receiveCount, retryInSeconds: visibility }, at);
    throw failure;
  } finally {
    if (leased) await releaseCrmSyncLease(message.tenantId, message.bookingId, record.messageId);
  }
}

// A batch whose every record failed is still a normal partial response (the backoff is already set per message).
export const handler = async (event: SQSEvent) => processPartialResponse(event, syncOne, processor, { throwOnFullBatchFailure: false });
