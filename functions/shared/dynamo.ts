/** DynamoDB helpers every store shares. */
import {
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
