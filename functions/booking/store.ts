/**
 * Booking records. Keys: the booking, its timeline and its notification ledger share one partition
 * (`T#<tenant>#BOOKING#<id>`), so `GET /v1/bookings/{id}` is a single Query.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { InvariantError, isConditionalCheckFailed } from '../shared/errors';
import type { Booking, BookingStatus, CreateBookingRequest } from './schemas';
import { getItems, queryPages, queryPartition, sendConditional } from '../shared/dynamo';
import { normalizePhone } from '../recognise/phone';

export const bookingKeys = {
  partition: (tenantId: string, bookingId: string) => `T#${tenantId}#BOOKING#${bookingId}`,
  booking: (tenantId: string, bookingId: string) => ({ pk: bookingKeys.partition(tenantId, bookingId), sk: 'BOOKING' }),
  /** Node and outcome in the key: one node may log two outcomes in the same millisecond. */
  timelineEntry: (tenantId: string, bookingId: string, at: string, node: string, outcome: string) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: `TIMELINE#${at}#${node}#${outcome}`,
  }),
  timelinePrefix: 'TIMELINE#',
  /** Per-tenant list of bookings by creation time: a pointer row per booking (the booking itself stays the one truth). */
  listPartition: (tenantId: string) => `T#${tenantId}#BOOKINGS`,
  listEntry: (tenantId: string, createdAt: string, bookingId: string) => ({
    pk: bookingKeys.listPartition(tenantId),
    sk: `CREATED#${createdAt}#${bookingId}`,
  }),
  /** The bookings made for one phone (E.164), by creation time: how a customer's text reply finds its booking. */
  phonePartition: (tenantId: string, phoneE164: string) => `T#${tenantId}#BOOKINGS#PHONE#${phoneE164}`,
  phoneEntry: (tenantId: string, phoneE164: string, createdAt: string, bookingId: string) => ({
    pk: bookingKeys.phonePartition(tenantId, phoneE164),
    sk: `CREATED#${createdAt}#${bookingId}`,
  }),
};

/** What DynamoDB holds for a booking: the public shape plus what the workflow needs. */
export interface BookingRecord extends Booking {
  tenantId: string;
  request: CreateBookingRequest;
  holdId?: string;
  /** 1 at booking; +1 per reschedule or reassignment (ledger rows of later versions are new rows). */
  scheduleVersion?: number;
  /**
   * The schedule version of the last move that told the customer a new time (every move but one of
   * the technician alone: booking/changes.ts moveVersions); absent on bookings never moved since it
   * was recorded. Only a newer time text replaces a time text (notify/send.ts supersededBy).
   */
  windowVersion?: number;
  /** Written by the job trail. */
  checklist?: Array<{ item: string; done: boolean }>;
  materials?: Array<{ part: string; quantity: number; status: 'to_pick' }>;
  trail?: { assignedTechnicianId?: string; completedAt?: string; failedSteps?: string[] };
  crm?: { adapter: string; externalIds: Record<string, string>; syncedAt: string; state?: string };
  /** The reservation (Idempotency-Key, or request hash) that made this booking: booking/reservation-store.ts. */
  reservationKey?: string;
  /**
   * The recovery index (GSI byDue, partition `RECOVER`): when the recovery sweep next looks at this
   * booking. Set at creation; the sweep removes it once the booking is settled (booking/recovery.ts).
   */
  duePk?: string;
  dueAt?: string;
  /** How often the recovery sweep re-drove this booking's workflow. */
  recoveryRuns?: number;
  /** When the first CRM create of this booking was sent (a retry looks for what it may have made). */
  crmCreateAttemptAt?: string;
  /** The lead this request became when it could not be booked (functions/leads/; set once, with the lead). */
  leadId?: string;
  /**
   * Job lifecycle fields the attribution report reads (reports/attribution.ts). Issue 6 writes
   * them as the job moves on; amounts are in cents of the tenant's currency.
   */
  acceptedAt?: string;
  completedAt?: string;
  invoicedAt?: string;
  invoicedAmountCents?: number;
  paidAt?: string;
  paidAmountCents?: number;
  /** The payment link of the open invoice, made once per invoice and amount (renewals/payment-link.ts). */
  paymentLink?: { url: string; amountCents: number; invoicedAt?: string; provider: string; createdAt: string };
  /**
   * Job lifecycle from the field (functions/lifecycle/): the job's state, a version every applied
   * event bumps (conditional writes compare it), the last applied event, the event ids seen.
   */
  jobState?: string;
  jobVersion?: number;
  lastEventAt?: string;
  lastEventId?: string;
  jobEventIds?: Set<string>;
  /** The event whose downstream actions have all run (a redelivered event re-runs them until then). */
  jobEffectsEventId?: string;
  dispatchedAt?: string;
  technicianName?: string;
  eta?: string;
  enRouteAt?: string;
  cancelledAt?: string;
  noShowAt?: string;
  rescheduledAt?: string;
  /** The last move of the job from the field (an FSM `rescheduled` event, lifecycle/field-schedule.ts) and the window it left. */
  fieldMove?: { eventId: string; from: { date: string; start: string; end: string; technicianId?: string } | null; claimed: boolean };
  nextMaintenanceDate?: string;
  /** The latest `delayed` report from the field (running long / held up): dispatch suggestions read it. */
  delayMinutes?: number;
  delayReportedAt?: string;
  delayEventId?: string;
  delayReason?: string | null;
  /** When the customer confirmed the visit by text (reply C / YES: notify/two-way.ts). */
  customerConfirmedAt?: string;
  /** Facts messages about this job quote (eta, technician, amount): rendered by notify/send.handler.ts. */
  messageVars?: Record<string, string>;
}

/**
 * The booking's first writes: the booking (only if new), its row in the tenant's booking list and
 * under its phone. Together or not at all: one transaction (createBookingRecord, or a new request's
 * one transaction with its reservation: reservation-store.ts reserveBookingWith).
 */
export function bookingRecordPuts(record: BookingRecord) {
  const phone = normalizePhone(record.request.customer.phone, record.request.address.country);
  return [
    {
      Put: {
        TableName: config.tableName,
        Item: { ...bookingKeys.booking(record.tenantId, record.bookingId), type: 'Booking', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: config.tableName,
        Item: {
          ...bookingKeys.listEntry(record.tenantId, record.createdAt, record.bookingId),
          type: 'BookingListEntry',
          bookingId: record.bookingId,
          createdAt: record.createdAt,
        },
      },
    },
    ...(phone
      ? [
          {
            Put: {
              TableName: config.tableName,
              Item: {
                ...bookingKeys.phoneEntry(record.tenantId, phone, record.createdAt, record.bookingId),
                type: 'BookingPhoneEntry',
                bookingId: record.bookingId,
              },
            },
          },
        ]
      : []),
  ];
}

export async function createBookingRecord(record: BookingRecord): Promise<void> {
  await documentClient().send(new TransactWriteCommand({ TransactItems: bookingRecordPuts(record) }));
}

export async function getBookingRecord(tenantId: string, bookingId: string): Promise<BookingRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: bookingKeys.booking(tenantId, bookingId), ConsistentRead: true }),
  );
  return Item as BookingRecord | undefined;
}

/** Several bookings by id, consistent, in one BatchGetItem per 100 (in the ids' order; undefined where absent). */
export async function getBookingRecords(tenantId: string, bookingIds: readonly string[]): Promise<Array<BookingRecord | undefined>> {
  const records: Array<BookingRecord | undefined> = [];
  for (let start = 0; start < bookingIds.length; start += 100) {
    const keys = bookingIds.slice(start, start + 100).map((id) => bookingKeys.booking(tenantId, id));
    records.push(...((await getItems(keys, { consistent: true })) as Array<BookingRecord | undefined>));
  }
  return records;
}

export async function requireBookingRecord(tenantId: string, bookingId: string): Promise<BookingRecord> {
  const record = await getBookingRecord(tenantId, bookingId);
  if (!record) throw new InvariantError(`Booking ${bookingId} does not exist`);
  return record;
}

/** The booking with its timeline, oldest entry first; undefined when this tenant has no such booking. */
export async function getBookingWithTimeline(tenantId: string, bookingId: string): Promise<Booking | undefined> {
  const Items = await queryPartition(bookingKeys.partition(tenantId, bookingId), { consistent: true });
  const booking = Items.find((item) => item.sk === 'BOOKING') as BookingRecord | undefined;
  if (!booking) return undefined;
  return { ...toPublicBooking(booking), timeline: timelineOf(Items) };
}

type TimelineEntry = NonNullable<Booking['timeline']>[number];

/**
 * A booking's timeline, oldest first, from the items of its partition: the entries the booking item
 * holds (its `timeline` list, appended by the node's own write: bookingUpdate's `timeline` option)
 * and the separate TIMELINE# items (appendTimeline: writers that do not update the booking).
 */
export function timelineOf(items: Array<Record<string, unknown>>): TimelineEntry[] {
  const booking = items.find((item) => item.sk === 'BOOKING') as BookingRecord | undefined;
  const separate = items
    .filter((item) => String(item.sk).startsWith(bookingKeys.timelinePrefix))
    .map((item) => ({
      at: item.at as string,
      node: item.node as string,
      outcome: item.outcome as string,
      ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
    }));
  // A stable sort. Entries of one instant come from one use case that passed its `at` down: its own
  // entry (a separate item, written first) before the consequences noted on the booking's update
  // (e.g. a reschedule, then its CRM write).
  return [...separate, ...(booking?.timeline ?? [])].sort((a, b) => a.at.localeCompare(b.at));
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
    ...(record.sourceSettings ? { sourceSettings: record.sourceSettings } : {}),
    ...(record.crm ? { crm: record.crm } : {}),
    ...(record.flags?.length ? { flags: record.flags } : {}),
    ...(record.jobState
      ? {
          job: {
            state: record.jobState,
            version: record.jobVersion ?? 0,
            ...(record.lastEventAt ? { lastEventAt: record.lastEventAt } : {}),
            ...(record.lastEventId ? { lastEventId: record.lastEventId } : {}),
            ...(record.completedAt ? { completedAt: record.completedAt } : {}),
            ...(record.invoicedAmountCents !== undefined ? { invoicedAmountCents: record.invoicedAmountCents } : {}),
            ...(record.paidAt ? { paidAt: record.paidAt } : {}),
            ...(record.paidAmountCents !== undefined ? { paidAmountCents: record.paidAmountCents } : {}),
          },
        }
      : {}),
    ...(record.request.triage
      ? {
          triage: {
            intent: record.request.triage.intent,
            trade: record.request.triage.trade,
            urgency: record.request.triage.urgency,
            jobType: record.request.triage.jobType,
            reasons: record.request.triage.reasons,
            route: record.request.triage.route,
          },
        }
      : {}),
    ...(record.delayReportedAt
      ? { delay: { minutes: record.delayMinutes ?? 0, reportedAt: record.delayReportedAt, ...(record.delayReason ? { reason: record.delayReason } : {}) } }
      : {}),
    ...reservationFacts(record),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.alternatives?.length ? { alternatives: record.alternatives } : {}),
    ...(record.leadId ? { leadId: record.leadId } : {}),
  };
}

/** Statuses whose booking no longer holds (or never got) a technician's time. */
const ENDED: ReadonlySet<string> = new Set(['rejected', 'dismissed', 'cancelled']);

/**
 * Whether a technician's time is held for the booking, said explicitly (issue 15: a bot must not
 * guess from a status that nothing was reserved). Absent while the booking is still being made.
 */
function reservationFacts(record: BookingRecord): Pick<Booking, 'reserved' | 'reservedReason' | 'note'> {
  if (record.status === 'received') return {};
  if (record.window && !ENDED.has(record.status)) return { reserved: true };
  const reservedReason = record.statusReason ?? record.status;
  const note = ENDED.has(record.status)
    ? `Nothing is reserved: this booking is ${record.status}.`
    : 'Nothing is reserved yet: the request is kept and dispatch will contact the customer to agree a time. Do not tell the customer a time is booked.';
  return { reserved: false, reservedReason, note };
}

export async function appendTimeline(
  tenantId: string,
  bookingId: string,
  node: string,
  outcome: string,
  detail?: Record<string, unknown>,
  at: Date = new Date(),
): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: config.tableName, Item: timelineEntryItem(tenantId, bookingId, node, outcome, detail, at) }));
}

/** The item appendTimeline puts: also a transaction item for a writer whose entry goes with its own writes (notify/schedule-store.ts). */
export function timelineEntryItem(tenantId: string, bookingId: string, node: string, outcome: string, detail: Record<string, unknown> | undefined, at: Date) {
  const iso = at.toISOString();
  return { ...bookingKeys.timelineEntry(tenantId, bookingId, iso, node, outcome), type: 'TimelineEntry', at: iso, node, outcome, detail };
}

/** A timeline entry a booking write carries (bookingUpdate's `timeline` option): node, outcome, detail. */
export interface TimelineNote {
  node: string;
  outcome: string;
  detail?: Record<string, unknown>;
  /** When it happened, when not at the write's own time (a note an earlier node passed on in the workflow state). */
  at?: string;
}

/** The options of a booking write; see bookingUpdate. */
export interface BookingUpdateOptions {
  onlyFrom?: BookingStatus[];
  at?: Date;
  /** ifHoldId: also require the booking to still own this hold (null: no hold) — moving a booking is a CAS on it. */
  ifHoldId?: string | null;
  /**
   * The timeline entry of this change, appended to the booking's `timeline` list by the same
   * UpdateItem (one write, not two). When the condition fails, updateBooking writes it on its own
   * (appendTimeline), so the timeline still says what the node did. Several: an earlier node's note
   * passed on in the workflow state, then this node's.
   */
  timeline?: TimelineNote | TimelineNote[];
}

/**
 * Sets fields on the booking. `onlyFrom` makes it a compare-and-swap on the status, so a late or
 * repeated node cannot overwrite a decision already taken.
 */
/** The UpdateItem that `updateBooking` sends: also a transaction item where a change spans records. */
export function bookingUpdate(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: BookingUpdateOptions = {},
) {
  const at = (options.at ?? new Date()).toISOString();
  const entries = Object.entries({ ...fields, updatedAt: at }).filter(([, value]) => value !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = entries.map(([key, value], index) => {
    names[`#f${index}`] = key;
    values[`:v${index}`] = value;
    return `#f${index} = :v${index}`;
  });
  const notes = timelineNotes(options.timeline);
  if (notes.length) {
    names['#timeline'] = 'timeline';
    values[':timelineEntry'] = notes.map(({ node, outcome, detail, at: noteAt }) => ({ at: noteAt ?? at, node, outcome, ...(detail ? { detail } : {}) }));
    values[':noTimeline'] = [];
    sets.push('#timeline = list_append(if_not_exists(#timeline, :noTimeline), :timelineEntry)');
  }
  let condition = 'attribute_exists(pk)';
  if (options.ifHoldId !== undefined) {
    if (options.ifHoldId === null) condition += ' AND attribute_not_exists(holdId)';
    else {
      values[':ifHoldId'] = options.ifHoldId;
      condition += ' AND holdId = :ifHoldId';
    }
  }
  if (options.onlyFrom?.length) {
    names['#status'] = 'status';
    const placeholders = options.onlyFrom.map((status, index) => {
      values[`:from${index}`] = status;
      return `:from${index}`;
    });
    condition += ` AND #status IN (${placeholders.join(', ')})`;
  }
  return {
    TableName: config.tableName,
    Key: bookingKeys.booking(tenantId, bookingId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export async function updateBooking(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: BookingUpdateOptions = {},
): Promise<boolean> {
  return (await sendBookingUpdate(tenantId, bookingId, fields, options, 'NONE')).updated;
}

/** updateBooking with other items in the same transaction (a change's follow-up: follow-up-store.ts); false when any condition failed. */
export async function updateBookingWith(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: BookingUpdateOptions,
  alsoWrite: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
): Promise<boolean> {
  return sendConditional(new TransactWriteCommand({ TransactItems: [{ Update: bookingUpdate(tenantId, bookingId, fields, options) }, ...alsoWrite] }));
}

/**
 * updateBooking that answers with the booking as this write left it (ReturnValues ALL_NEW, no read
 * after it), undefined when the condition failed: CommitSlot's answer to the run, which the bookings
 * route answers with instead of reading the booking again (issue 19).
 */
export async function updateBookingReturning(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: BookingUpdateOptions = {},
): Promise<BookingRecord | undefined> {
  return (await sendBookingUpdate(tenantId, bookingId, fields, options, 'ALL_NEW')).record;
}

async function sendBookingUpdate(
  tenantId: string,
  bookingId: string,
  fields: Partial<Omit<BookingRecord, 'tenantId' | 'bookingId'>>,
  options: BookingUpdateOptions,
  returnValues: 'NONE' | 'ALL_NEW',
): Promise<{ updated: boolean; record?: BookingRecord }> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({ ...bookingUpdate(tenantId, bookingId, fields, options), ReturnValues: returnValues }),
    );
    return { updated: true, ...(Attributes ? { record: Attributes as BookingRecord } : {}) };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  // The condition failed: the timeline still says what the node did.
  for (const { node, outcome, detail, at } of timelineNotes(options.timeline)) {
    await appendTimeline(tenantId, bookingId, node, outcome, detail, at ? new Date(at) : options.at);
  }
  return { updated: false };
}

/** One TransactWriteItems of items built by their owners (e.g. a hold's commit the run carries): false when a condition failed. */
export function sendBookingTransaction(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> {
  return sendConditional(new TransactWriteCommand({ TransactItems: items }));
}

function timelineNotes(timeline: TimelineNote | TimelineNote[] | undefined): TimelineNote[] {
  return timeline === undefined ? [] : Array.isArray(timeline) ? timeline : [timeline];
}

/**
 * The tenant's bookings created in [from, to) (ISO instants), oldest first: one Query of the list
 * rows, then the bookings themselves in batches of 100, so status, window and lifecycle fields are
 * always the booking's current ones.
 */
export async function listBookingRecords(tenantId: string, range: { from: string; to: string }, limit = 5_000): Promise<BookingRecord[]> {
  const ids: string[] = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': bookingKeys.listPartition(tenantId),
      ':from': `CREATED#${range.from}`,
      ':to': `CREATED#${range.to}`,
    },
  })) {
    for (const item of page) if ((item.createdAt as string) < range.to) ids.push(item.bookingId as string);
    if (ids.length >= limit) break;
  }
  const records: BookingRecord[] = [];
  const chosen = ids.slice(0, limit);
  for (let start = 0; start < chosen.length; start += 100) {
    let keys: Array<Record<string, unknown>> = chosen.slice(start, start + 100).map((id) => bookingKeys.booking(tenantId, id));
    // BatchGet may return part of a batch under load: ask again for what it left.
    for (let attempt = 0; keys.length && attempt < 8; attempt++) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: keys } } }));
      records.push(...((result.Responses?.[config.tableName] ?? []) as BookingRecord[]));
      keys = (result.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
      if (keys.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (keys.length) throw new Error(`Could not read ${keys.length} bookings after retries`);
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.bookingId.localeCompare(b.bookingId));
}

/**
 * The bookings made for a phone (E.164), newest first (at most `limit`): a text reply is matched to
 * the customer's latest open booking among them (notify/customer-reply.ts decides which).
 */
export async function listBookingsByPhone(tenantId: string, phoneE164: string, limit = 10): Promise<BookingRecord[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': bookingKeys.phonePartition(tenantId, phoneE164) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  const records = await Promise.all(Items.map((item) => getBookingRecord(tenantId, item.bookingId as string)));
  return records.filter((r): r is BookingRecord => Boolean(r));
}
