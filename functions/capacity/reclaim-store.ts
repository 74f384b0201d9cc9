/**
 * The recovery sweep's list of counters with HELD claims (capacity/store.ts puts a counter item in
 * the sparse `byDue` index, partition RECLAIM_PARTITION, whenever a HELD claim lands on it): which
 * are due, and when to look at one again, or never (no HELD claim left on it).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config';
import { getItem, dueItems, sendConditional } from '../shared/dynamo';
import { counterEntries, RECLAIM_PARTITION, reclaimDueAt } from './store';

type Key = { pk: string; sk: string };

/** Counter items due for a look by `by`, oldest due first (at most `limit`); `tenantId` narrows it (tests). */
export async function dueCounters(by: Date, limit: number, tenantId?: string): Promise<Key[]> {
  return (await dueItems(RECLAIM_PARTITION, by, limit, tenantId)).map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
}

/**
 * Sets when the sweep looks at the counter next: when its earliest HELD claim runs out, or (none
 * left) never. Conditional on no HELD claim having arrived since the item was read (`heldSeq`), so a
 * new hold is never taken off the list; refused, the counter simply stays due.
 */
export async function rescheduleCounter(key: Key): Promise<boolean> {
  const item = await getItem(key, { consistent: true });
  if (!item) return false;
  const held = counterEntries(item).filter((e) => e.status === 'HELD' && e.expiresAt !== undefined);
  const next = held.length ? reclaimDueAt(Math.min(...held.map((e) => e.expiresAt!))) : undefined;
  const values = { ...(next ? { ':next': next } : {}), ...(item.heldSeq === undefined ? {} : { ':seq': item.heldSeq }) };
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: next ? 'SET dueAt = :next' : 'REMOVE duePk, dueAt',
      ConditionExpression: item.heldSeq === undefined ? 'attribute_not_exists(heldSeq)' : 'heldSeq = :seq',
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}
