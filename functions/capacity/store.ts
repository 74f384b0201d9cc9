/**
 * Capacity claims and holds. All of a tenant's claims share the partition `T#<tenant>#SLOTS`,
 * sorted by date, so availability for any date range is one Query:
 *   SLOT#<date>#M#<start>#<technician>#<kk>  minute unit k (two digits, 1-based) of the technician's
 *                                        window starting <start>: UNIT_MINUTES of its time
 *   SLOT#<date>#W#<start>#<technician>   a whole window: written before minute units (read as every
 *                                        unit of the window; nothing writes it any more, so no
 *                                        migration: such items end with their bookings)
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
  unit: (tenantId: string, date: string, start: string, technicianId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#M#${start}#${technicianId}#${String(index).padStart(2, '0')}`,
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
  const [, date, kind, a, b, c] = sk.split('#');
  if (!date) return undefined;
  if (kind === 'M') return { kind: 'unit', date, start: a, technicianId: b, index: Number(c) };
  if (kind === 'W') return { kind: 'slot', date, start: a, technicianId: b };
  if (kind === 'L') return { kind: 'techDay', date, technicianId: a, index: Number(b) };
  if (kind === 'J') return { kind: 'jobTypeDay', date, jobTypeId: a, index: Number(b) };
  return undefined;
}

/** Every claim item a plan needs (a plan from before minute units: its whole-window items). */
export function planKeys(tenantId: string, plan: ClaimPlan): Array<{ pk: string; sk: string }> {
  const { units } = plan;
  return [
    ...(units
      ? plan.windowStarts.flatMap((start) => (units[start] ?? []).map((k) => capacityKeys.unit(tenantId, plan.date, start, plan.technicianId, k)))
      : plan.windowStarts.map((start) => capacityKeys.slot(tenantId, plan.date, start, plan.technicianId))),
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
  const won = await sendConditional(new TransactWriteCommand({ TransactItems: claimHoldItems(hold, now) }));
  return won ? 'won' : 'taken';
}

/**
 * The transaction items of claimHold: the hold record and every item of its plan, each put on
 * condition it is free, an expired hold's, or already this hold's. Part of a larger transaction
 * when the claim and a booking's change must happen together (an accepted emergency).
 */
export function claimHoldItems(hold: Omit<HoldRecord, 'keys' | 'status'> & { status?: 'HELD' | 'BOOKED' }, now: Date): TransactItem[] {
  const keys = planKeys(hold.tenantId, hold.plan);
  const status = hold.status ?? 'HELD';
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claimable = 'attribute_not_exists(pk) OR (#status = :held AND (expiresAt < :now OR holdId = :holdId))';
  const values = { ':held': 'HELD', ':now': nowSeconds, ':holdId': hold.holdId };
  return [
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
  ];
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

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Sends claim and hold items (with whatever else the caller adds) as one transaction: false when a condition did not hold. */
export async function sendClaimTransaction(items: TransactItem[]): Promise<boolean> {
  return sendConditional(new TransactWriteCommand({ TransactItems: items }));
}

/** A committed hold for a booking's (new) plan: the record reassignment puts in place of the old one. */
export function bookedHold(args: { tenantId: string; bookingId: string; plan: ClaimPlan; emergency: boolean; at: Date; holdId: string }): HoldRecord {
  return {
    tenantId: args.tenantId,
    holdId: args.holdId,
    status: 'BOOKED',
    plan: args.plan,
    emergency: args.emergency,
    keys: planKeys(args.tenantId, args.plan),
    bookingId: args.bookingId,
    source: 'booking',
    createdAt: args.at.toISOString(),
  };
}

/** One booked job changing hold: what it owns now and what it will own. */
export interface HoldMove {
  oldHold: Pick<HoldRecord, 'holdId' | 'keys'>;
  newHold: HoldRecord;
}

const STATUS = { '#status': 'status' };

function claimItem(tenantId: string, key: { pk: string; sk: string }, holdId: string, bookingId: string | undefined) {
  return { ...key, ...parseClaimKey(key.sk), type: 'CapacityClaim', tenantId, status: 'BOOKED', holdId, bookingId };
}

/** The new hold put in place and the old one released (both conditional: a replay or a concurrent change cancels). */
function holdSwapItems(tenantId: string, { oldHold, newHold }: HoldMove): TransactItem[] {
  return [
    {
      Put: {
        TableName: config.tableName,
        Item: { ...capacityKeys.hold(tenantId, newHold.holdId), type: 'Hold', ...newHold },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(tenantId, oldHold.holdId),
        UpdateExpression: 'SET #status = :released',
        ConditionExpression: '#status = :booked',
        ExpressionAttributeNames: STATUS,
        ExpressionAttributeValues: { ':released': 'RELEASED', ':booked': 'BOOKED' },
      },
    },
  ];
}

/**
 * The items that move booked jobs to new holds in ONE transaction (a swap, a chain, a day plan's
 * changes): an item only an old hold had is deleted, one only a new hold needs is put (if free or an
 * expired hold's), one both need changes owner; each new hold is put and each old one released.
 * Any concurrent change to any of these items cancels the transaction. The bookings' own updates
 * are the caller's (booking/store's bookingUpdate), sent in the same transaction.
 */
export function moveHoldItems(tenantId: string, moves: HoldMove[], at: Date): TransactItem[] {
  const owners = new Map<string, { key: { pk: string; sk: string }; oldHoldId?: string; next?: HoldRecord }>();
  for (const { oldHold, newHold } of moves) {
    for (const key of oldHold.keys) owners.set(key.sk, { ...owners.get(key.sk), key, oldHoldId: oldHold.holdId });
    for (const key of newHold.keys) owners.set(key.sk, { ...owners.get(key.sk), key, next: newHold });
  }
  const items: TransactItem[] = [];
  for (const { key, oldHoldId, next } of owners.values()) {
    if (oldHoldId && next) {
      items.push({
        Update: {
          TableName: config.tableName,
          Key: key,
          UpdateExpression: 'SET holdId = :holdId, bookingId = :bookingId',
          ConditionExpression: 'holdId = :old AND #status = :booked',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':holdId': next.holdId, ':bookingId': next.bookingId, ':old': oldHoldId, ':booked': 'BOOKED' },
        },
      });
    } else if (oldHoldId) {
      items.push({ Delete: { TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :old', ExpressionAttributeValues: { ':old': oldHoldId } } });
    } else if (next) {
      items.push({
        Put: {
          TableName: config.tableName,
          Item: claimItem(tenantId, key, next.holdId, next.bookingId),
          // Free, or an abandoned hold that has expired: what claimHold accepts.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :held AND expiresAt < :now)',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':held': 'HELD', ':now': Math.floor(at.getTime() / 1000) },
        },
      });
    }
  }
  for (const move of moves) items.push(...holdSwapItems(tenantId, move));
  return items;
}

/*
 * Staged moves, for a set of moves larger than one transaction (dispatch/apply-plan.ts). The items
 * pass through a parking owner (`holdId = parkedBy`, status BOOKED, so nobody else can claim them):
 * 1. park (any order, in chunks): each job's old items go from its old hold to the parking owner,
 *    and each new item no moving job owns now is claimed for the parking owner (if free).
 * 2. finalize (any order, in chunks): each new item goes from the parking owner to its new hold, an
 *    old item no job needs any more is deleted, the holds swap and the booking moves.
 * Because every item any move touches is parked before any job is finalized, no chunk waits on
 * another (a swap or chain across chunks cannot deadlock), and nobody can take a freed slot in
 * between. Undoing a park (`unparkHoldItems`) gives each old item back and deletes what was claimed.
 */

/** Step 1 for one job: its old items to the parking owner, its new items nobody moving owns claimed for it. */
export function parkHoldItems(tenantId: string, move: HoldMove, parkedBy: string, ownedByMovingJobs: Set<string>, at: Date): TransactItem[] {
  return [
    ...move.oldHold.keys.map(
      (key): TransactItem => ({
        Update: {
          TableName: config.tableName,
          Key: key,
          UpdateExpression: 'SET holdId = :park',
          ConditionExpression: 'holdId = :old AND #status = :booked',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':park': parkedBy, ':old': move.oldHold.holdId, ':booked': 'BOOKED' },
        },
      }),
    ),
    ...move.newHold.keys
      .filter((key) => !ownedByMovingJobs.has(key.sk))
      .map(
        (key): TransactItem => ({
          Put: {
            TableName: config.tableName,
            // No bookingId while parked: the board shows the job where it is until it is finalized.
            Item: claimItem(tenantId, key, parkedBy, undefined),
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :held AND expiresAt < :now)',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: { ':held': 'HELD', ':now': Math.floor(at.getTime() / 1000) },
          },
        }),
      ),
  ];
}

/**
 * Step 2 for a chunk of jobs: their new items from the parking owner to their new holds, holds
 * swapped. An old item of theirs is left to the job that takes it when that job is in the chunk or
 * already moved; it loses its bookingId (a parked item belongs to no job on the board) when the job
 * taking it comes later (`laterNeeds`); otherwise nobody needs it and it is deleted. Every item is
 * written once per transaction.
 */
export function finalizeParkedItems(
  tenantId: string,
  chunk: HoldMove[],
  parkedBy: string,
  neededByMovingJobs: Set<string>,
  laterNeeds: Set<string>,
): TransactItem[] {
  const takenHere = new Set(chunk.flatMap((m) => m.newHold.keys.map((k) => k.sk)));
  const items: TransactItem[] = [];
  for (const move of chunk) {
    for (const key of move.newHold.keys) {
      items.push({
        Update: {
          TableName: config.tableName,
          Key: key,
          UpdateExpression: 'SET holdId = :holdId, bookingId = :bookingId',
          ConditionExpression: 'holdId = :park',
          ExpressionAttributeValues: { ':holdId': move.newHold.holdId, ':bookingId': move.newHold.bookingId, ':park': parkedBy },
        },
      });
    }
    for (const key of move.oldHold.keys) {
      if (takenHere.has(key.sk)) continue;
      const condition = { ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } };
      if (laterNeeds.has(key.sk)) items.push({ Update: { TableName: config.tableName, Key: key, UpdateExpression: 'REMOVE bookingId', ...condition } });
      else if (!neededByMovingJobs.has(key.sk)) items.push({ Delete: { TableName: config.tableName, Key: key, ...condition } });
    }
    items.push(...holdSwapItems(tenantId, move));
  }
  return items;
}

/**
 * Undoes step 1 for one job, item by item (each write conditional on the item still being parked,
 * so running it twice, or after a partial park, is safe): old items back to the old hold, items
 * claimed for the parking owner deleted.
 */
export async function unparkHoldItems(move: HoldMove, parkedBy: string, ownedByMovingJobs: Set<string>): Promise<void> {
  for (const key of move.oldHold.keys) {
    await sendConditional(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        UpdateExpression: 'SET holdId = :old',
        ConditionExpression: 'holdId = :park',
        ExpressionAttributeValues: { ':old': move.oldHold.holdId, ':park': parkedBy },
      }),
    );
  }
  for (const key of move.newHold.keys.filter((k) => !ownedByMovingJobs.has(k.sk))) {
    await sendConditional(
      new DeleteCommand({ TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } }),
    );
  }
}

/**
 * Gives back what is still parked for a job that cannot be finalized (its booking was changed by a
 * person meanwhile, e.g. cancelled): its parked items are deleted, the rest of the plan goes on.
 */
export async function dropParkedItems(move: HoldMove, parkedBy: string): Promise<void> {
  for (const key of [...move.oldHold.keys, ...move.newHold.keys]) {
    await sendConditional(
      new DeleteCommand({ TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } }),
    );
  }
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
