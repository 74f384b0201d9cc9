/**
 * Capacity claims and holds. All of a tenant's claims share the partition `T#<tenant>#SLOTS`,
 * sorted by date, so availability for any date range is one Query:
 *   SLOT#<date>#W#<start>#<technician>   a slot
 *   SLOT#<date>#L#<technician>#<k>       the technician's k-th job that day (daily limit)
 *   SLOT#<date>#J#<jobType>#<k>          the company's k-th job of that type that day (daily cap)
 * A hold is a record `T#<tenant>#HOLD#<holdId>` listing the items it claimed. Claiming is one
 * TransactWriteItems of conditional Puts: of concurrent claims on any shared item exactly one wins.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { CapacityClaim, ClaimPlan } from './availability';
import { queryPages, sendConditional } from '../shared/dynamo';

export const capacityKeys = {
  partition: (tenantId: string) => `T#${tenantId}#SLOTS`,
  slot: (tenantId: string, date: string, start: string, technicianId: string) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#W#${start}#${technicianId}`,
  }),
  techDay: (tenantId: string, date: string, technicianId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#L#${technicianId}#${index}`,
  }),
  jobTypeDay: (tenantId: string, date: string, jobTypeId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#J#${jobTypeId}#${index}`,
  }),
  dateFrom: (date: string) => `SLOT#${date}#`,
  /** '~' sorts after every other character used in keys, so this bounds the last day inclusively. */
  dateTo: (date: string) => `SLOT#${date}#~`,
  hold: (tenantId: string, holdId: string) => ({ pk: `T#${tenantId}#HOLD#${holdId}`, sk: 'HOLD' }),
};

/** Reads a claim's identity back from its sort key. */
export function parseClaimKey(sk: string): Pick<CapacityClaim, 'kind' | 'date' | 'start' | 'technicianId' | 'jobTypeId' | 'index'> | undefined {
  const [, date, kind, a, b] = sk.split('#');
  if (!date) return undefined;
  if (kind === 'W') return { kind: 'slot', date, start: a, technicianId: b };
  if (kind === 'L') return { kind: 'techDay', date, technicianId: a, index: Number(b) };
  if (kind === 'J') return { kind: 'jobTypeDay', date, jobTypeId: a, index: Number(b) };
  return undefined;
}

/** Every claim item a plan needs. */
export function planKeys(tenantId: string, plan: ClaimPlan): Array<{ pk: string; sk: string }> {
  return [
    ...plan.windowStarts.map((start) => capacityKeys.slot(tenantId, plan.date, start, plan.technicianId)),
    capacityKeys.techDay(tenantId, plan.date, plan.technicianId, plan.techDayIndex),
    ...(plan.jobTypeDayIndex !== undefined ? [capacityKeys.jobTypeDay(tenantId, plan.date, plan.jobTypeId, plan.jobTypeDayIndex)] : []),
  ];
}

export async function listClaims(tenantId: string, fromDate: string, toDate: string): Promise<CapacityClaim[]> {
  const claims: CapacityClaim[] = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': capacityKeys.partition(tenantId),
      ':from': capacityKeys.dateFrom(fromDate),
      ':to': capacityKeys.dateTo(toDate),
    },
    ConsistentRead: true,
  })) {
    for (const item of page) {
      const identity = parseClaimKey(item.sk);
      if (!identity) continue;
      claims.push({ ...identity, status: item.status, holdId: item.holdId, bookingId: item.bookingId, expiresAt: item.expiresAt });
    }
  }
  return claims;
}

export interface HoldRecord {
  tenantId: string;
  holdId: string;
  status: 'HELD' | 'BOOKED' | 'RELEASED';
  plan: ClaimPlan;
  emergency: boolean;
  keys: Array<{ pk: string; sk: string }>;
  /** Epoch seconds; a BOOKED hold no longer expires. */
  expiresAt?: number;
  bookingId?: string;
  source: 'api' | 'booking' | 'external';
  createdAt: string;
}

export type ClaimOutcome = 'won' | 'taken';

/**
 * Claims every item of the plan in one transaction. An item may be claimed when it is free, when
 * its hold has expired, or when it is already this hold's (a retried request re-entering).
 * 'taken': another claim holds an item (or a concurrent transaction touched one): look again.
 */
export async function claimHold(hold: Omit<HoldRecord, 'keys' | 'status'> & { status?: 'HELD' | 'BOOKED' }, now: Date): Promise<ClaimOutcome> {
  const keys = planKeys(hold.tenantId, hold.plan);
  const status = hold.status ?? 'HELD';
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claimable = 'attribute_not_exists(pk) OR (#status = :held AND (expiresAt < :now OR holdId = :holdId))';
  const values = { ':held': 'HELD', ':now': nowSeconds, ':holdId': hold.holdId };
  const won = await sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: config.tableName,
            Item: { ...capacityKeys.hold(hold.tenantId, hold.holdId), type: 'Hold', ...hold, status, keys },
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':held': 'HELD' },
          },
        },
        ...keys.map((key) => ({
          Put: {
            TableName: config.tableName,
            Item: {
              ...key,
              ...parseClaimKey(key.sk),
              type: 'CapacityClaim',
              tenantId: hold.tenantId,
              status,
              holdId: hold.holdId,
              bookingId: hold.bookingId,
              expiresAt: status === 'HELD' ? hold.expiresAt : undefined,
            },
            ConditionExpression: claimable,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          },
        })),
      ],
    }),
  );
  return won ? 'won' : 'taken';
}

export async function getHold(tenantId: string, holdId: string): Promise<HoldRecord | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: capacityKeys.hold(tenantId, holdId), ConsistentRead: true }));
  return Item as HoldRecord | undefined;
}

/** Is this hold still the owner of its items and unexpired? */
export function isHoldLive(hold: HoldRecord, now: Date): boolean {
  return hold.status === 'HELD' && (hold.expiresAt ?? 0) > Math.floor(now.getTime() / 1000);
}

/** Ties a hold to the booking that will commit it (before CommitSlot runs). */
export async function attachHoldToBooking(tenantId: string, holdId: string, bookingId: string): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: capacityKeys.hold(tenantId, holdId),
      UpdateExpression: 'SET bookingId = :bookingId',
      ConditionExpression: '#status = :held AND (attribute_not_exists(bookingId) OR bookingId = :bookingId)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':bookingId': bookingId, ':held': 'HELD' },
    }),
  );
}

/**
 * HELD(holdId) -> BOOKED for the hold and every item it claimed, in one transaction. Succeeds while
 * nobody else has re-claimed an item (even if the hold's time ran out meanwhile); committing an
 * already committed hold for the same booking is a no-op success.
 */
export async function commitHold(tenantId: string, holdId: string, bookingId: string): Promise<boolean> {
  const hold = await getHold(tenantId, holdId);
  if (!hold) return false;
  if (hold.status === 'BOOKED') return hold.bookingId === bookingId;
  if (hold.status !== 'HELD') return false;
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: config.tableName,
            Key: capacityKeys.hold(tenantId, holdId),
            UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt',
            ConditionExpression: '#status = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':booked': 'BOOKED', ':held': 'HELD', ':bookingId': bookingId },
          },
        },
        ...hold.keys.map((key) => ({
          Update: {
            TableName: config.tableName,
            Key: key,
            UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt',
            ConditionExpression: 'holdId = :holdId',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':booked': 'BOOKED', ':holdId': holdId, ':bookingId': bookingId },
          },
        })),
      ],
    }),
  );
}

/** One item of a TransactWriteItems (the document client's shape). */
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * The transaction items that commit a hold for a booking: HELD(holdId) -> BOOKED on the hold and on
 * every item it claimed, each conditional on still being this hold's. Part of a larger transaction
 * (a reschedule commits the new hold, moves the booking and releases the old hold at once).
 */
export function commitHoldItems(hold: HoldRecord, bookingId: string): TransactItem[] {
  const set = { UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt', ExpressionAttributeNames: { '#status': 'status' } };
  return [
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(hold.tenantId, hold.holdId),
        ...set,
        ConditionExpression: '#status = :held',
        ExpressionAttributeValues: { ':booked': 'BOOKED', ':held': 'HELD', ':bookingId': bookingId },
      },
    },
    ...hold.keys.map((key) => ({
      Update: {
        TableName: config.tableName,
        Key: key,
        ...set,
        ConditionExpression: 'holdId = :holdId',
        ExpressionAttributeValues: { ':booked': 'BOOKED', ':holdId': hold.holdId, ':bookingId': bookingId },
      },
    })),
  ];
}

/**
 * The transaction items that give back what a hold still owns (read now, consistently): each item
 * it owns is deleted on condition it is still its, and the hold is marked RELEASED on condition its
 * status is still the one read. Items a newer claim has taken over are not touched. Nothing when
 * the hold is unknown or already released. Sent with the booking's own update in one
 * TransactWriteItems, so a release is never decided on a booking that changed meanwhile.
 */
export async function releaseHoldItems(tenantId: string, holdId: string): Promise<TransactItem[]> {
  const hold = await getHold(tenantId, holdId);
  if (!hold || hold.status === 'RELEASED') return [];
  const owned = await Promise.all(
    hold.keys.map(async (key) => {
      const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
      return Item?.holdId === holdId ? key : undefined;
    }),
  );
  return [
    ...owned
      .filter((key) => key !== undefined)
      .map((key) => ({
        Delete: {
          TableName: config.tableName,
          Key: key,
          ConditionExpression: 'holdId = :holdId',
          ExpressionAttributeValues: { ':holdId': holdId },
        },
      })),
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(tenantId, holdId),
        UpdateExpression: 'SET #status = :released REMOVE expiresAt',
        ConditionExpression: '#status = :was',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'RELEASED', ':was': hold.status },
      },
    },
  ];
}

/**
 * Gives the hold's capacity back: deletes each item still owned by this hold and marks the hold
 * RELEASED. `includeBooked` also releases a committed booking's capacity (cancel, dismiss).
 * Items a newer claim has taken over are left alone.
 */
export async function releaseHold(tenantId: string, holdId: string, options: { includeBooked?: boolean } = {}): Promise<HoldRecord['status'] | 'unknown'> {
  const hold = await getHold(tenantId, holdId);
  if (!hold) return 'unknown';
  if (hold.status === 'RELEASED') return 'RELEASED';
  if (hold.status === 'BOOKED' && !options.includeBooked) return 'BOOKED';
  const statuses = options.includeBooked ? ['HELD', 'BOOKED'] : ['HELD'];
  for (const key of hold.keys) {
    await sendConditional(
      new DeleteCommand({
        TableName: config.tableName,
        Key: key,
        ConditionExpression: 'holdId = :holdId AND #status IN (:s0, :s1)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':holdId': holdId, ':s0': statuses[0], ':s1': statuses[1] ?? statuses[0] },
      }),
    );
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: capacityKeys.hold(tenantId, holdId),
      UpdateExpression: 'SET #status = :released REMOVE expiresAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':released': 'RELEASED' },
    }),
  );
  return 'RELEASED';
}

/** Marks when the tenant's schedule data (technicians' jobs) was last synced from its FSM. */
export async function recordScheduleSync(tenantKey: { pk: string; sk: string }, syncedAt: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: tenantKey,
      UpdateExpression: 'SET scheduleSource.lastSyncAt = :at',
      ExpressionAttributeValues: { ':at': syncedAt },
    }),
  );
}
