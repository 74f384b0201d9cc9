/**
 * Emergency dispatch records. The dispatch lives in its booking's partition (`DISPATCH`) and, while a
 * paging round is open, in the sparse `byDue` index (partition `DISPATCH`, due at its next moment)
 * that the dispatch sweep reads. Pages are found by technician (`ONCALLPAGE#<tech>#<booking>`, for an
 * SMS reply) and by link token (`PAGETOKEN#<sha256>`, the token itself is never stored).
 * Every change of a dispatch is a conditional update on its version.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../booking/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { queryPrefix, sendConditional } from '../shared/dynamo';
import type { IndexName } from '../shared/table';
import { epochSeconds } from '../shared/time';
import type { DispatchState } from './plan';

export const DISPATCH_DUE_PARTITION = 'DISPATCH';
const DUE_INDEX: IndexName = 'byDue';
/** Page pointers and link tokens outlive any paging round, then expire. */
const PAGE_TTL_SECONDS = 2 * 24 * 3600;

export const emergencyKeys = {
  dispatch: (tenantId: string, bookingId: string) => ({ pk: bookingKeys.partition(tenantId, bookingId), sk: 'DISPATCH' }),
  page: (tenantId: string, technicianId: string, bookingId: string) => ({ pk: `T#${tenantId}`, sk: `ONCALLPAGE#${technicianId}#${bookingId}` }),
  pagePrefix: (technicianId: string) => `ONCALLPAGE#${technicianId}#`,
  pageToken: (tenantId: string, tokenHash: string) => ({ pk: `T#${tenantId}`, sk: `PAGETOKEN#${tokenHash}` }),
};

export interface DispatchRecord extends DispatchState {
  tenantId: string;
  bookingId: string;
  trade: string;
  postalCode: string;
  /** Said in "YES <code>": tells two open emergencies apart for a technician paged for both. */
  code: string;
  acceptedBy?: string;
  acceptedAt?: string;
  /** The review item reporting that the accepted emergency overbooked its technician (reported once). */
  overbookingReviewItemId?: string;
  version: number;
}

export async function getDispatch(tenantId: string, bookingId: string): Promise<DispatchRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: emergencyKeys.dispatch(tenantId, bookingId), ConsistentRead: true }),
  );
  return Item as DispatchRecord | undefined;
}

/** Creates the dispatch once (a re-entered node finds it and creates nothing). */
export async function createDispatch(record: DispatchRecord, dueAt: string): Promise<boolean> {
  return sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...emergencyKeys.dispatch(record.tenantId, record.bookingId), type: 'EmergencyDispatch', ...record, duePk: DISPATCH_DUE_PARTITION, dueAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Writes the dispatch's new state if nobody changed it since `expectedVersion` read it. `dueAt`
 * undefined takes it out of the sweep's index (nothing more to do by time).
 */
export async function saveDispatch(record: DispatchRecord, expectedVersion: number, dueAt: string | undefined): Promise<boolean> {
  const { tenantId, bookingId } = record;
  // Only the dispatch's own facts: never its key, type or index attributes as read.
  const { status, candidates, pages, startedAt, escalatedAt, trade, postalCode, code, acceptedBy, acceptedAt, overbookingReviewItemId } = record;
  const fields = {
    status,
    candidates,
    pages,
    startedAt,
    escalatedAt,
    trade,
    postalCode,
    code,
    acceptedBy,
    acceptedAt,
    overbookingReviewItemId,
    version: expectedVersion + 1,
    ...(dueAt ? { duePk: DISPATCH_DUE_PARTITION, dueAt } : {}),
  };
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': expectedVersion };
  const sets = entries.map(([key, value], index) => {
    names[`#f${index}`] = key;
    values[`:v${index}`] = value;
    return `#f${index} = :v${index}`;
  });
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: emergencyKeys.dispatch(tenantId, bookingId),
      UpdateExpression: `SET ${sets.join(', ')}${dueAt ? '' : ' REMOVE duePk, dueAt'}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Dispatches whose next moment (a page timeout, the escalation) is due by `dueBy`, every tenant. */
export async function listDueDispatches(dueBy: Date, limit = 100): Promise<Array<{ tenantId: string; bookingId: string }>> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'duePk = :due AND dueAt <= :by',
      ExpressionAttributeValues: { ':due': DISPATCH_DUE_PARTITION, ':by': dueBy.toISOString() },
      Limit: limit,
    }),
  );
  return Items.map((item) => ({ tenantId: item.tenantId as string, bookingId: item.bookingId as string }));
}

export function hashPageToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Remembers a page: by technician (for their SMS reply) and by the link's token hash. */
export async function putPage(args: { tenantId: string; bookingId: string; technicianId: string; code: string; tokenHash: string; at: Date }): Promise<void> {
  const { tenantId, bookingId, technicianId, code, tokenHash, at } = args;
  const expiresAt = epochSeconds(at) + PAGE_TTL_SECONDS;
  const common = { type: 'OnCallPage', tenantId, bookingId, technicianId, code, pagedAt: at.toISOString(), expiresAt };
  await Promise.all([
    documentClient().send(new PutCommand({ TableName: config.tableName, Item: { ...emergencyKeys.page(tenantId, technicianId, bookingId), ...common } })),
    documentClient().send(new PutCommand({ TableName: config.tableName, Item: { ...emergencyKeys.pageToken(tenantId, tokenHash), ...common } })),
  ]);
}

export interface PageRef {
  tenantId: string;
  bookingId: string;
  technicianId: string;
  code: string;
  pagedAt: string;
}

/** The pages sent to a technician (live ones: TTL may not have deleted the expired yet), newest first. */
export async function listPagesOf(tenantId: string, technicianId: string, at: Date): Promise<PageRef[]> {
  const items = await queryPrefix(`T#${tenantId}`, emergencyKeys.pagePrefix(technicianId));
  return (items as Array<PageRef & { expiresAt: number }>)
    .filter((item) => item.expiresAt > epochSeconds(at))
    .sort((a, b) => b.pagedAt.localeCompare(a.pagedAt));
}

export async function findPageByToken(tenantId: string, tokenHash: string, at: Date): Promise<PageRef | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: emergencyKeys.pageToken(tenantId, tokenHash) }));
  if (!Item || (Item.expiresAt as number) <= epochSeconds(at)) return undefined;
  return Item as PageRef;
}
