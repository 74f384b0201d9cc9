/**
 * The status-events worker's review items: a job event that failed its last receive (or can never
 * apply) opens one, with the message kept for redrive; the redriven event that then applies resolves it.
 */
import { findOpenReviewItems, openReviewItem, resolveReviewItem } from '../review/store';
import { readableError } from '../shared/worker';
import { WORKER_NODE } from './actions';
import type { StatusEventMessage } from './schemas';

const QUEUE = 'status-events';

export async function openFailureItem(message: StatusEventMessage, error: Error, attempts: number, at: Date): Promise<void> {
  const subject = { type: 'booking', id: message.bookingId };
  if ((await findOpenReviewItems(message.tenantId, subject, 'workflow_failed')).some((item) => item.payload?.eventId === message.event.eventId)) return;
  await openReviewItem(
    message.tenantId,
    {
      kind: 'workflow_failed',
      reason: `${error.name}: ${error.message} — job event ${message.event.eventId} (${message.event.type}) failed ${attempts} times; it is in the status-events DLQ`,
      subject,
      payload: { node: WORKER_NODE, eventId: message.event.eventId, type: message.event.type, error: error.name, cause: error.message, attempts },
      redrive: { type: 'message', queue: QUEUE, body: message as unknown as Record<string, unknown> },
    },
    at,
  );
}

/** A body that is not a job event for booking `bookingId` of `tenantId`: reviewed with the body kept for redrive. */
export async function openUnreadableEventItem(
  subject: { tenantId: string; bookingId: string },
  body: Record<string, unknown>,
  error: Error,
  attempts: number,
  final: boolean,
  at: Date,
): Promise<void> {
  await openReviewItem(
    subject.tenantId,
    {
      kind: 'workflow_failed',
      reason: `${final ? 'A job event that is not valid' : 'A job event'} for booking ${subject.bookingId} cannot be applied: ${readableError(error)}`,
      subject: { type: 'booking', id: subject.bookingId },
      payload: { node: WORKER_NODE, error: error.name, attempts },
      redrive: { type: 'message', queue: QUEUE, body },
    },
    at,
  );
}

/** A redriven event that now went through closes its review item. */
export async function resolveRedrivenEvent(message: StatusEventMessage, at: Date): Promise<void> {
  const open = await findOpenReviewItems(message.tenantId, { type: 'booking', id: message.bookingId }, 'workflow_failed');
  for (const item of open.filter((i) => i.payload?.node === WORKER_NODE && i.payload?.eventId === message.event.eventId)) {
    await resolveReviewItem(message.tenantId, item.reviewItemId, WORKER_NODE, `Job event ${message.event.eventId} applied on redrive`, at);
  }
}
