/**
 * Slot claims. All of a tenant's claims share the partition `T#<tenant>#SLOTS`, sorted by
 * `SLOT#<date>#<start>#<technician>`, so availability for any date range is one Query.
 * No double booking is a storage guarantee: a claim is a conditional Put.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { isConditionalCheckFailed } from '../shared/errors';
import type { SlotClaim } from './availability';

export const slotKeys = {
  partition: (tenantId: string) => `T#${tenantId}#SLOTS`,
  slot: (tenantId: string, date: string, start: string, technicianId: string) => ({
    pk: slotKeys.partition(tenantId),
    sk: `SLOT#${date}#${start}#${technicianId}`,
  }),
  dateFrom: (date: string) => `SLOT#${date}#`,
  /** '~' sorts after every window start, so this bounds the last day inclusively. */
  dateTo: (date: string) => `SLOT#${date}#~`,
};

export async function listClaims(tenantId: string, fromDate: string, toDate: string): Promise<SlotClaim[]> {
  const claims: SlotClaim[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': slotKeys.partition(tenantId),
          ':from': slotKeys.dateFrom(fromDate),
          ':to': slotKeys.dateTo(toDate),
        },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      claims.push({
        date: item.date,
        start: item.start,
        technicianId: item.technicianId,
        status: item.status,
        holdId: item.holdId,
        bookingId: item.bookingId,
        expiresAt: item.expiresAt,
      });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return claims;
}

export interface ClaimRequest {
  tenantId: string;
  date: string;
  start: string;
  technicianId: string;
  holdId: string;
  bookingId: string;
  expiresAt: number;
  now: Date;
}

/**
 * Soft-holds a slot. Wins when the slot is free, when the hold on it has expired, or when it is
 * already this hold (a retried request re-entering). Of concurrent claims exactly one wins.
 */
export async function claimSlot(claim: ClaimRequest): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...slotKeys.slot(claim.tenantId, claim.date, claim.start, claim.technicianId),
          type: 'SlotClaim',
          tenantId: claim.tenantId,
          date: claim.date,
          start: claim.start,
          technicianId: claim.technicianId,
          status: 'HELD',
          holdId: claim.holdId,
          bookingId: claim.bookingId,
          expiresAt: claim.expiresAt,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (#status = :held AND (expiresAt < :now OR holdId = :holdId))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':held': 'HELD',
          ':now': Math.floor(claim.now.getTime() / 1000),
          ':holdId': claim.holdId,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * HELD(holdId) -> BOOKED. Succeeds while nobody else has re-claimed the slot, even if the hold's
 * time ran out meanwhile; a repeated commit of the same hold is a no-op success.
 */
export async function commitSlot(
  tenantId: string,
  slot: { date: string; start: string; technicianId: string },
  holdId: string,
): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: slotKeys.slot(tenantId, slot.date, slot.start, slot.technicianId),
        UpdateExpression: 'SET #status = :booked REMOVE expiresAt',
        ConditionExpression: 'holdId = :holdId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':booked': 'BOOKED', ':holdId': holdId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

export async function getClaim(
  tenantId: string,
  slot: { date: string; start: string; technicianId: string },
): Promise<SlotClaim | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: config.tableName,
      Key: slotKeys.slot(tenantId, slot.date, slot.start, slot.technicianId),
      ConsistentRead: true,
    }),
  );
  return Item as SlotClaim | undefined;
}
