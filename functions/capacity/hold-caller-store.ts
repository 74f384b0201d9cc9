/**
 * The caller of a hold (what the bot knew when it held: customerId, contact, address, attribution,
 * transcript), kept beside the hold as `T#<tenant>#HOLD#<holdId>` / `CALLER`, so that a caller who
 * hangs up before booking is not lost (leads/hung-up.ts makes them a lead).
 * The hold record itself carries the TTL attribute `expiresAt` (an expired hold may vanish any
 * time after it runs out), so the caller is its own item: it outlives the hold by a week and sits
 * in the sparse `byDue` index (partition HOLD_CALLER_PARTITION, due just after the hold runs out)
 * until the sweep has decided, once, whether the caller became a lead.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config';
import { documentClient } from '../shared/clients';
import { dueItems, sendConditional } from '../shared/dynamo';
import type { HoldCaller } from './schemas';

export const HOLD_CALLER_PARTITION = 'HOLDCALLER';
/** How long after the hold runs out the sweep looks (a booking committing at the last second wins). */
export const HOLD_CALLER_LOOK_AFTER_MS = 5_000;
/** The caller item outlives its hold by this much (DynamoDB TTL), then goes. */
const KEEP_AFTER_EXPIRY_S = 7 * 86_400;

export const holdCallerKeys = {
  caller: (tenantId: string, holdId: string) => ({ pk: `T#${tenantId}#HOLD#${holdId}`, sk: 'CALLER' }),
};

export interface HoldCallerRecord {
  tenantId: string;
  holdId: string;
  jobTypeId: string;
  postalCode: string;
  emergency: boolean;
  caller: HoldCaller;
  /** When the hold was made (ISO). */
  createdAt: string;
  /** When the hold runs out (ISO). */
  holdExpiresAt: string;
  /** The lead it became (set once, with the lead). */
  leadId?: string;
}

const FIELDS = ['tenantId', 'holdId', 'jobTypeId', 'postalCode', 'emergency', 'caller', 'createdAt', 'holdExpiresAt', 'leadId'] as const;

function toRecord(item: Record<string, unknown>): HoldCallerRecord {
  return Object.fromEntries(FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as unknown as HoldCallerRecord;
}

/**
 * The Put that keeps the caller of a new hold, due for a look just after the hold runs out: one item
 * of the hold's claim transaction (capacity/store.ts claimHold `alongside`), so a hold is never kept
 * without its caller, nor a caller without its hold (a crash between two writes lost the caller).
 */
export function holdCallerPutItem(record: Omit<HoldCallerRecord, 'leadId'>) {
  const expiry = Date.parse(record.holdExpiresAt);
  return {
    Put: {
      TableName: config.tableName,
      Item: {
        ...holdCallerKeys.caller(record.tenantId, record.holdId),
        type: 'HoldCaller',
        ...record,
        duePk: HOLD_CALLER_PARTITION,
        dueAt: new Date(expiry + HOLD_CALLER_LOOK_AFTER_MS).toISOString(),
        expiresAt: Math.floor(expiry / 1000) + KEEP_AFTER_EXPIRY_S,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function getHoldCaller(tenantId: string, holdId: string): Promise<HoldCallerRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: holdCallerKeys.caller(tenantId, holdId), ConsistentRead: true }),
  );
  return Item ? toRecord(Item) : undefined;
}

/** Hold callers due for a look by `by`, oldest first (at most `limit`); `tenantId` narrows it (tests). */
export async function dueHoldCallers(by: Date, limit: number, tenantId?: string): Promise<Array<{ tenantId: string; holdId: string }>> {
  return (await dueItems(HOLD_CALLER_PARTITION, by, limit, tenantId)).map((item) => ({ tenantId: item.tenantId as string, holdId: item.holdId as string }));
}

/** Looks again at `dueAt`, or (undefined) never: the caller booked, or the bot released the hold. */
export async function setHoldCallerDue(tenantId: string, holdId: string, dueAt: string | undefined): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: holdCallerKeys.caller(tenantId, holdId),
      ...(dueAt ? { UpdateExpression: 'SET dueAt = :dueAt', ExpressionAttributeValues: { ':dueAt': dueAt } } : { UpdateExpression: 'REMOVE duePk, dueAt' }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/**
 * The transaction item that ties the caller to the lead it became: once only (a second sweep's
 * transaction fails on it, so it makes no second lead). The caller stays on the sweep's list until
 * the lead has its callback and CRM row (leads/record.ts recordHungUpLead), then leaves it.
 */
export function holdCallerLeadItem(tenantId: string, holdId: string, leadId: string) {
  return {
    Update: {
      TableName: config.tableName,
      Key: holdCallerKeys.caller(tenantId, holdId),
      UpdateExpression: 'SET leadId = :leadId',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(leadId)',
      ExpressionAttributeValues: { ':leadId': leadId },
    },
  };
}
