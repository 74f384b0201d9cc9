/**
 * Booking reservations: an Idempotency-Key (or, without one, the request's hash) reserves a booking
 * id with one conditional Put before any work is done (Stripe's idempotency model); a new request's
 * Put travels in one transaction with its need claims and its booking record (reserveBookingWith). The record is the
 * one owner of "which booking this request made" and of the run's lease:
 *   in_progress (lockedUntil in the future) -> another run works on it: 409 with the booking id and
 *     Retry-After;
 *   in_progress (lockedUntil past) -> that run died (crash, timeout): a retry, or the recovery sweep,
 *     takes the lease over with a conditional update and resumes the SAME booking;
 *   completed -> the first answer is replayed.
 * Written by hand because Powertools idempotency's in-progress record cannot carry a value decided
 * before the work (the booking id), and its expired in-progress record makes a retry start over with
 * a new booking — which is the crash finding of issue 12.
 * Keys: `T#<tenant>#IDEMPOTENCY` / `BOOKING#<key>` (the partition Powertools used; old records there
 * have other sort keys and simply expire).
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, type TransactWriteCommandInput, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { sendConditional } from '../shared/dynamo';
import { isConditionalCheckFailed } from '../shared/errors';
import { epochSeconds } from '../shared/time';

export const reservationKeys = {
  partition: (tenantId: string) => `T#${tenantId}#IDEMPOTENCY`,
  reservation: (tenantId: string, key: string) => ({ pk: reservationKeys.partition(tenantId), sk: `BOOKING#${key}` }),
};

/** The request's identity when it comes without a key, and what a key's later requests must match. */
export function bookingRequestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** How long one run owns a reservation: the API's 29 s budget and a margin. */
export const BOOKING_LEASE_MS = 35_000;

export interface StoredResponse {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BookingReservation {
  tenantId: string;
  key: string;
  bookingId: string;
  requestHash: string;
  status: 'in_progress' | 'completed';
  /** Epoch ms until which the current run owns the reservation. */
  lockedUntil: number;
  /** Runs so far (1 for the first; each takeover adds one). */
  runs: number;
  response?: StoredResponse;
  createdAt: string;
  /** TTL (epoch s). */
  expiresAt: number;
}

export type ReserveOutcome = { reserved: true; reservation: BookingReservation } | { reserved: false; reservation: BookingReservation };

/** The reservation a new request makes for `key`: `bookingId`, this run's lease. */
function newReservation(tenantId: string, key: string, requestHash: string, bookingId: string, at: Date): BookingReservation {
  return {
    tenantId,
    key,
    bookingId,
    requestHash,
    status: 'in_progress',
    lockedUntil: at.getTime() + BOOKING_LEASE_MS,
    runs: 1,
    createdAt: at.toISOString(),
    expiresAt: epochSeconds(at) + config.idempotencyTtlSeconds,
  };
}

/** The conditional Put that reserves the key: only one request wins it; an expired record counts as absent. */
function reservationPut(reservation: BookingReservation, at: Date) {
  return {
    TableName: config.tableName,
    Item: { ...reservationKeys.reservation(reservation.tenantId, reservation.key), type: 'BookingReservation', ...reservation },
    ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
    ExpressionAttributeValues: { ':now': epochSeconds(at) },
  };
}

/**
 * Reserves `key` for `bookingId`: a conditional Put that only one request can win. The loser reads
 * what the winner reserved. An expired record (TTL not yet applied) counts as absent.
 */
export async function reserveBooking(
  tenantId: string,
  key: string,
  requestHash: string,
  bookingId: string,
  at: Date,
  /** A write just found the key reserved (reserveBookingWith's `keyTaken`): read the reservation before trying to write it. */
  takenAlready = false,
): Promise<ReserveOutcome> {
  const reservation = newReservation(tenantId, key, requestHash, bookingId, at);
  if (takenAlready) {
    const existing = await getReservation(tenantId, key);
    if (existing) return { reserved: false, reservation: existing };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const won = await sendConditional(new PutCommand(reservationPut(reservation, at)));
    if (won) return { reserved: true, reservation };
    const existing = await getReservation(tenantId, key);
    // Deleted between the two calls (TTL): try again.
    if (existing) return { reserved: false, reservation: existing };
  }
  throw new Error('Could not reserve the booking id');
}

/** A write that belongs with a new request's reservation (need-store.ts needClaimPut, store.ts bookingRecordPuts). */
export type ReservedWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A new request's writes in one TransactWriteItems (issue 19: one round trip instead of three or
 * four): the reservation of `key` for `bookingId` and `writes`, the other first writes of its
 * booking (its need claims, the booking record). All or nothing: true when every condition held,
 * false when any did not (the key is reserved already, the need is held, a concurrent transaction
 * touched one of the items): nothing was written, and the caller takes the one-write-at-a-time path
 * (reserveBooking, booking/need.ts), which tells the cases apart. The booking id is the transaction's
 * ClientRequestToken, so the SDK's own retry of a transaction that was applied is answered as applied.
 */
export async function reserveBookingWith(
  tenantId: string,
  key: string,
  requestHash: string,
  bookingId: string,
  at: Date,
  writes: ReservedWrite[],
): Promise<{ reserved: boolean; reservation: BookingReservation; keyTaken: boolean }> {
  const reservation = newReservation(tenantId, key, requestHash, bookingId, at);
  try {
    await documentClient().send(
      new TransactWriteCommand({ TransactItems: [{ Put: reservationPut(reservation, at) }, ...writes], ClientRequestToken: bookingId }),
    );
    return { reserved: true, reservation, keyTaken: false };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // The reasons are in the items' order: the first is the reservation's (a replay: the key is taken).
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    return { reserved: false, reservation, keyTaken: reasons?.[0]?.Code === 'ConditionalCheckFailed' };
  }
}

export async function getReservation(tenantId: string, key: string): Promise<BookingReservation | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: reservationKeys.reservation(tenantId, key), ConsistentRead: true }),
  );
  return Item as BookingReservation | undefined;
}

/**
 * Takes over a reservation whose run died (its lease ran out) and is not completed: true when this
 * caller now owns it (and must resume the same booking), false when another run is alive or won.
 */
export async function takeOverReservation(tenantId: string, key: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: reservationKeys.reservation(tenantId, key),
      UpdateExpression: 'SET lockedUntil = :until, runs = runs + :one',
      ConditionExpression: '#status = :inProgress AND lockedUntil < :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':until': at.getTime() + BOOKING_LEASE_MS, ':now': at.getTime(), ':one': 1, ':inProgress': 'in_progress' },
    }),
  );
}

/** The write that completes a reservation (unconditional): as an item of a transaction, e.g. with the admission places given back. */
export function reservationCompletion(tenantId: string, key: string, response: StoredResponse): ReservedWrite {
  return {
    Update: {
      TableName: config.tableName,
      Key: reservationKeys.reservation(tenantId, key),
      UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'completed', ':response': response },
    },
  };
}

/** The run finished: its answer is what every replay gets from now on. */
export async function completeReservation(tenantId: string, key: string, response: StoredResponse): Promise<void> {
  await documentClient().send(new UpdateCommand(reservationCompletion(tenantId, key, response).Update!));
}

/** The run failed before it could answer (a 5xx): let the next retry take over at once. */
export async function releaseReservationLease(tenantId: string, key: string): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: reservationKeys.reservation(tenantId, key),
      UpdateExpression: 'SET lockedUntil = :zero',
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':zero': 0, ':inProgress': 'in_progress' },
    }),
  );
}
