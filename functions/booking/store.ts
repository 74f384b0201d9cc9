/**
 * Booking records. Keys: the booking, its timeline and its notification ledger share one partition
 * (`T#<tenant>#BOOKING#<id>`), so `GET /v1/bookings/{id}` is a single Query.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { InvariantError, isConditionalCheckFailed } from '../shared/errors';
import type { Booking, BookingStatus, CreateBookingRequest } from './schemas';

export const bookingKeys = {
  partition: (tenantId: string, bookingId: string) => `T#${tenantId}#BOOKING#${bookingId}`,
  booking: (tenantId: string, bookingId: string) => ({ pk: bookingKeys.partition(tenantId, bookingId), sk: 'BOOKING' }),
  timelineEntry: (tenantId: string, bookingId: string, at: string, node: string) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: `TIMELINE#${at}#${node}`,
  }),
  timelinePrefix: 'TIMELINE#',
};

/** What DynamoDB holds for a booking: the public shape plus what the workflow needs. */
export interface BookingRecord extends Booking {
  tenantId: string;
  request: CreateBookingRequest;
  holdId?: string;
  crm?: { adapter: string; externalIds: Record<string, string>; syncedAt: string };
}

export async function createBookingRecord(record: BookingRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...bookingKeys.booking(record.tenantId, record.bookingId), type: 'Booking', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getBookingRecord(tenantId: string, bookingId: string): Promise<BookingRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: bookingKeys.booking(tenantId, bookingId), ConsistentRead: true }),
  );
  return Item as BookingRecord | undefined;
}

export async function requireBookingRecord(tenantId: string, bookingId: string): Promise<BookingRecord> {
  const record = await getBookingRecord(tenantId, bookingId);
  if (!record) throw new InvariantError(`Booking ${bookingId} does not exist`);
  return record;
}

/** The booking with its timeline, oldest entry first; undefined when this tenant has no such booking. */
export async function getBookingWithTimeline(tenantId: string, bookingId: string): Promise<Booking | undefined> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': bookingKeys.partition(tenantId, bookingId) },
      ConsistentRead: true,
    }),
  );
  const booking = Items.find((item) => item.sk === 'BOOKING') as BookingRecord | undefined;
  if (!booking) return undefined;
  const timeline = Items.filter((item) => String(item.sk).startsWith(bookingKeys.timelinePrefix)).map((item) => ({
    at: item.at as string,
    node: item.node as string,
    outcome: item.outcome as string,
    ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
  }));
  return { ...toPublicBooking(booking), timeline };
}

export function toPublicBooking(record: BookingRecord): Booking {
  return {
    bookingId: record.bookingId,
    status: record.status,
    ...(record.statusReason ? { statusReason: record.statusReason } : {}),
    ...(record.customerId ? { customerId: record.customerId } : {}),
    jobTypeId: record.jobTypeId,
    window: record.window ?? null,
    channel: record.channel,
    ...(record.summary ? { summary: record.summary } : {}),
    ...(record.attribution ? { attribution: record.attribution } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.alternatives?.length ? { alternatives: record.alternatives } : {}),
  };
}

export async function appendTimeline(
  tenantId: string,
  bookingId: string,
  node: string,
  outcome: string,
  detail?: Record<string, unknown>,
  at: Date = new Date(),
): Promise<void> {
  const iso = at.toISOString();
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...bookingKeys.timelineEntry(tenantId, bookingId, iso, node), type: 'TimelineEntry', at: iso, node, outcome, detail },
    }),
  );
}

/**
 * Sets fields on the booking. `onlyFrom` makes it a compare-and-swap on the status, so a late or
 * repeated node cannot overwrite a decision already taken.
 */
export async function updateBooking(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: { onlyFrom?: BookingStatus[]; at?: Date } = {},
): Promise<boolean> {
  const entries = Object.entries({ ...fields, updatedAt: (options.at ?? new Date()).toISOString() }).filter(
    ([, value]) => value !== undefined,
  );
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = entries.map(([key, value], index) => {
    names[`#f${index}`] = key;
    values[`:v${index}`] = value;
    return `#f${index} = :v${index}`;
  });
  let condition = 'attribute_exists(pk)';
  if (options.onlyFrom?.length) {
    names['#status'] = 'status';
    const placeholders = options.onlyFrom.map((status, index) => {
      values[`:from${index}`] = status;
      return `:from${index}`;
    });
    condition += ` AND #status IN (${placeholders.join(', ')})`;
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: bookingKeys.booking(tenantId, bookingId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
