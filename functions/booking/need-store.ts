/**
 * Need claims (one job per need, booking/duplicates.ts): one item per need identity (a trade at a
 * phone, a trade at an address) naming the booking that serves it. Taken with a conditional Put
 * before the booking is made, so of two concurrent requests for one need exactly one books; handed
 * on with a compare-and-swap on the holder when the holder no longer stands (rejected, cancelled,
 * past). The booking is the one owner of its status: the claim only points at it.
 * Keys: `T#<tenant>#NEED#<identity>` / `NEED`. TTL: the booking horizon and a day.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { sendConditional } from '../shared/dynamo';
import { epochSeconds } from '../shared/time';

export const needKeys = {
  need: (tenantId: string, identity: string) => ({ pk: `T#${tenantId}#NEED#${identity}`, sk: 'NEED' }),
};

export interface NeedClaim {
  bookingId: string;
  createdAt: string;
  expiresAt: number;
}

/** The conditional Put of a claim: it is `bookingId`'s when new, already its own, or expired (also a transaction item: reservation-store.ts). */
export function needClaimPut(tenantId: string, identity: string, bookingId: string, at: Date, ttlSeconds: number) {
  return {
    TableName: config.tableName,
    Item: { ...needKeys.need(tenantId, identity), type: 'NeedClaim', bookingId, createdAt: at.toISOString(), expiresAt: epochSeconds(at) + ttlSeconds },
    ConditionExpression: 'attribute_not_exists(pk) OR bookingId = :self OR expiresAt < :now',
    ExpressionAttributeValues: { ':self': bookingId, ':now': epochSeconds(at) },
  };
}

/** Claims `identity` for `bookingId`; true when it is now this booking's (new, already its own, or expired). */
export async function claimNeed(tenantId: string, identity: string, bookingId: string, at: Date, ttlSeconds: number): Promise<boolean> {
  return sendConditional(new PutCommand(needClaimPut(tenantId, identity, bookingId, at, ttlSeconds)));
}

export async function getNeed(tenantId: string, identity: string): Promise<NeedClaim | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: needKeys.need(tenantId, identity), ConsistentRead: true }));
  return Item as NeedClaim | undefined;
}

/** Hands the claim from a holder that no longer stands to `bookingId`: a CAS on the holder. */
export async function takeOverNeed(tenantId: string, identity: string, from: string, bookingId: string, at: Date, ttlSeconds: number): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: needKeys.need(tenantId, identity),
      UpdateExpression: 'SET bookingId = :self, createdAt = :at, expiresAt = :until',
      ConditionExpression: 'bookingId = :from',
      ExpressionAttributeValues: { ':self': bookingId, ':from': from, ':at': at.toISOString(), ':until': epochSeconds(at) + ttlSeconds },
    }),
  );
}

/** Gives back a claim this booking took (it turned out to be a repeat through another identity). */
export async function releaseNeed(tenantId: string, identity: string, bookingId: string): Promise<void> {
  await sendConditional(
    new DeleteCommand({
      TableName: config.tableName,
      Key: needKeys.need(tenantId, identity),
      ConditionExpression: 'bookingId = :self',
      ExpressionAttributeValues: { ':self': bookingId },
    }),
  );
}
