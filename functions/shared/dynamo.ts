/** DynamoDB helpers every store shares. */
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DeleteCommand,
  type PutCommand,
  type QueryCommandInput,
  type TransactWriteCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { config } from './config';
import { isConditionalCheckFailed } from './errors';

/**
 * Sends a conditional write: true when it was applied, false when its condition (or a transaction's)
 * did not hold. Any other failure is thrown. The one place that turns a lost race into a boolean.
 */
export async function sendConditional(command: PutCommand | UpdateCommand | DeleteCommand | TransactWriteCommand): Promise<boolean> {
  try {
    // One overload per command type: send each through the client as the union it is.
    await documentClient().send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** One item by its key (eventually consistent unless `consistent`), undefined when absent. */
export async function getItem(key: { pk: string; sk: string }, options: { consistent?: boolean } = {}): Promise<Record<string, any> | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: key, ...(options.consistent ? { ConsistentRead: true } : {}) }),
  );
  return Item;
}

/**
 * Several items by their keys in one BatchGetItem (at most 100, distinct), in the keys' order,
 * undefined where absent. One request instead of one per item: DynamoDB still bills each item read.
 * Keys DynamoDB left unprocessed (throttling) are asked again, a few times.
 */
export async function getItems(
  keys: ReadonlyArray<{ pk: string; sk: string }>,
  options: { consistent?: boolean } = {},
): Promise<Array<Record<string, any> | undefined>> {
  const id = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}\u0000${String(key.sk)}`;
  const found = new Map<string, Record<string, any>>();
  let pending: Array<{ pk: string; sk: string }> = [...new Map(keys.map((key) => [id(key), { pk: key.pk, sk: key.sk }])).values()];
  for (let attempt = 0; pending.length; attempt++) {
    // Throttled past the SDK's own retries: a transient error for the caller's retry.
    if (attempt === 6) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after ${attempt} requests`);
    if (attempt) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const { Responses, UnprocessedKeys } = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: pending, ...(options.consistent ? { ConsistentRead: true } : {}) } } }),
    );
    for (const item of Responses?.[config.tableName] ?? []) found.set(id(item as { pk: string; sk: string }), item);
    pending = (UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Array<{ pk: string; sk: string }>;
  }
  return keys.map((key) => found.get(id(key)));
}

/** Every item of one partition, all pages (sorted by sort key). */
export async function queryPartition(pk: string, options: { consistent?: boolean } = {}): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ...(options.consistent ? { ConsistentRead: true } : {}),
  })) {
    items.push(...page);
  }
  return items;
}

/**
 * Every item of one partition whose sort key starts with `prefix`, all pages. `filter` narrows
 * them server-side (its placeholders go in `names` / `values`).
 */
export async function queryPrefix(
  pk: string,
  prefix: string,
  options: { filter?: string; names?: Record<string, string>; values?: Record<string, unknown>; consistent?: boolean } = {},
): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ...(options.filter ? { FilterExpression: options.filter } : {}),
    ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...options.values },
    ...(options.consistent ? { ConsistentRead: true } : {}),
  })) {
    items.push(...page);
  }
  return items;
}

/**
 * The pages of a Query, one array of items at a time, following LastEvaluatedKey. Callers that need
 * only so many items stop iterating (`break`) and no further page is read.
 */
export async function* queryPages(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): AsyncGenerator<Array<Record<string, any>>> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/**
 * Items of one partition of the sparse `byDue` index due by `by`, oldest due first, at most `limit`.
 * Paged on while a filter leaves pages short: `tenantId` narrows it (tests share one table), and one
 * tenant's items never hide another's. Each sweep's store reads its own partition through this.
 */
export async function dueItems(partition: string, by: Date, limit: number, tenantId?: string): Promise<Array<Record<string, any>>> {
  const due: Array<Record<string, any>> = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    IndexName: 'byDue',
    KeyConditionExpression: 'duePk = :due AND dueAt <= :by',
    ...(tenantId ? { FilterExpression: 'tenantId = :tenantId' } : {}),
    ExpressionAttributeValues: { ':due': partition, ':by': by.toISOString(), ...(tenantId ? { ':tenantId': tenantId } : {}) },
  })) {
    due.push(...page);
    if (due.length >= limit) break;
  }
  return due.slice(0, limit);
}
