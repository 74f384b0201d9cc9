/**
 * POST /v1/bookings/{id}/accept and /dismiss: a dispatcher decides a booking whose marketing source
 * needs acceptance (pending_approval). The booking kept its slot claim while it waited.
 * - accept: a compare-and-swap pending_approval -> confirmed (never a second claim); the CRM record
 *   moves to "booked" through the mapping table (outbox if the CRM is down); only now does the
 *   post-booking trail start (confirmation and reminders).
 * - dismiss (with a reason): pending_approval -> dismissed, and the slot claim is released (only the
 *   items this booking's hold still owns).
 * Either way the booking's pending_approval review item is resolved.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { getHold } from '../capacity/store';
import { backoffSettings, enqueueCrmSync } from '../crm/outbox';
import { DismissBookingRequestSchema } from '../crm/schemas';
import type { JobState } from '../crm/mapping';
import { writeBookingToCrm } from '../crm/write';
import { planForStatus } from '../notify/ledger';
import { addLedgerRows } from '../notify/store';
import { openReviewItem, resolveReviewItemsFor } from '../review/store';
import { ApiError } from '../shared/errors';
import { actorOf, apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { startJobTrail } from '../trail/start';
import { getTenant } from '../tenant/store';
import { endBooking } from './changes';
import { BookingIdParamsSchema } from './schemas';
import { appendTimeline, getBookingRecord, getBookingWithTimeline, updateBooking, type BookingRecord } from './store';

/**
 * Tell the CRM about the decision through the mapping table: now, or through the crm-sync outbox
 * when the CRM is down; a CRM that refuses it opens a crm_write_failed item. The decision stands.
 */
async function syncCrm(
  tenantId: string,
  id: string,
  state: JobState,
  node: string,
  at: Date,
  options: { onUnavailable?: 'pending_crm_sync' } = {},
): Promise<void> {
  try {
    await writeBookingToCrm(tenantId, id, at, { node, state });
  } catch (error) {
    const failure = error as Error;
    if (failure.name === 'CrmUnavailableError') {
      if (options.onUnavailable) {
        await updateBooking(tenantId, id, { status: 'pending_crm_sync', statusReason: 'crm_unreachable' }, { onlyFrom: ['confirmed'], at });
      }
      await enqueueCrmSync(
        { tenantId, bookingId: id, state, firstError: `${failure.name}: ${failure.message}`.slice(0, 1_000) },
        backoffSettings().baseSeconds,
      );
      await appendTimeline(tenantId, id, node, 'queued_for_crm_sync', { state, error: failure.name }, at);
      return;
    }
    await openReviewItem(
      tenantId,
      {
        kind: 'crm_write_failed',
        reason: `${failure.name}: ${failure.message} — the CRM refused the ${state} update`,
        subject: { type: 'booking', id },
        payload: { node, state, error: failure.name, cause: failure.message },
        redrive: { type: 'message', queue: 'crm-sync', body: { tenantId, bookingId: id, state } },
      },
      at,
    );
  }
}

async function pendingBooking(tenantId: string, pathParameters: Record<string, string | undefined>): Promise<BookingRecord> {
  const { id } = parseWith(BookingIdParamsSchema, pathParameters, 'path');
  const booking = await getBookingRecord(tenantId, id);
  if (!booking) throw new ApiError('not_found', `No booking ${id}`, 'id');
  if (booking.status !== 'pending_approval') {
    throw new ApiError('conflict', `Only a pending_approval booking can be accepted or dismissed (this one is ${booking.status})`, 'id');
  }
  return booking;
}

const accept = apiRoute({}, async ({ tenant: caller, pathParameters }) => {
  const at = now();
  const booking = await pendingBooking(caller.tenantId, pathParameters);
  const id = booking.bookingId;
  const hold = booking.holdId ? await getHold(caller.tenantId, booking.holdId) : undefined;
  if (hold?.status !== 'BOOKED' || hold.bookingId !== id) throw new ApiError('conflict', 'This booking holds no slot any more', 'id');
  const accepted = await updateBooking(
    caller.tenantId,
    id,
    { status: 'confirmed', statusReason: 'accepted_by_dispatch', acceptedAt: at.toISOString() },
    // Still on the hold just checked: a reschedule or dismiss that won meanwhile makes this a clean 409.
    { onlyFrom: ['pending_approval'], at, ifHoldId: hold.holdId },
  );
  if (!accepted) throw new ApiError('conflict', 'The booking was decided or moved meanwhile; read it again', 'id');
  await appendTimeline(caller.tenantId, id, 'AcceptBooking', 'accepted', { by: actorOf(caller) }, at);

  // The CRM record moves from pending approval to booked (an update of the record it already has).
  await syncCrm(caller.tenantId, id, 'booked', 'AcceptBooking', at, { onUnavailable: 'pending_crm_sync' });

  const tenant = await getTenant(caller.tenantId);
  const planned = planForStatus({ status: 'confirmed', window: booking.window, timeZone: tenant!.timeZone, now: at, channel: 'sms' });
  await addLedgerRows(caller.tenantId, id, planned);
  await resolveReviewItemsFor(caller.tenantId, { type: 'booking', id }, 'pending_approval', actorOf(caller), 'Accepted by dispatch', at);
  // Only now does the post-booking trail run (the booking workflow left it for the dispatcher).
  await startJobTrail(caller.tenantId, id);
  return { statusCode: 200, body: await getBookingWithTimeline(caller.tenantId, id) };
});

const dismiss = apiRoute({ body: DismissBookingRequestSchema }, async ({ tenant: caller, pathParameters, body }) => {
  const at = now();
  const booking = await pendingBooking(caller.tenantId, pathParameters);
  const id = booking.bookingId;
  // The status change and the release of what the booking's hold owns now: one transaction (a
  // reschedule that won meanwhile moved the claims; the decision is taken again on those).
  const decided = await endBooking(caller.tenantId, id, { status: 'dismissed', statusReason: `dismissed: ${body.reason}` }, ['pending_approval'], at);
  await appendTimeline(
    caller.tenantId,
    id,
    'DismissBooking',
    'dismissed',
    { by: actorOf(caller), reason: body.reason, slot: decided.holdId ? 'RELEASED' : 'none' },
    at,
  );
  // A CRM that has the booking (as pending approval) hears it was dismissed: the "cancelled" state.
  if (booking.crm) await syncCrm(caller.tenantId, id, 'cancelled', 'DismissBooking', at);
  await resolveReviewItemsFor(caller.tenantId, { type: 'booking', id }, 'pending_approval', actorOf(caller), `Dismissed: ${body.reason}`, at);
  return { statusCode: 200, body: await getBookingWithTimeline(caller.tenantId, id) };
});

const operations: Record<string, (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>> = {
  'POST /v1/bookings/{id}/accept': accept,
  'POST /v1/bookings/{id}/dismiss': dismiss,
};

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const operation = operations[event.routeKey];
  if (!operation) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'not_found', message: `No route ${event.routeKey}` } }),
    };
  }
  return operation(event, context);
};
