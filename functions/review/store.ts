/**
 * The human review queue. Items live at `T#<tenant>#REVIEW`, sorted by a ULID, so the queue lists
 * oldest first with one Query and stays tenant-scoped by key.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { ReviewItem, ReviewKind } from './schemas';

export const reviewKeys = {
  partition: (tenantId: string) => `T#${tenantId}#REVIEW`,
  item: (tenantId: string, reviewItemId: string) => ({ pk: reviewKeys.partition(tenantId), sk: `ITEM#${reviewItemId}` }),
};

export async function openReviewItem(
  tenantId: string,
  item: { kind: ReviewKind; reason: string; subject: { type: string; id: string }; payload?: Record<string, unknown> },
  at: Date = new Date(),
): Promise<ReviewItem> {
  const record: ReviewItem = { reviewItemId: ulid(at.getTime()), status: 'open', createdAt: at.toISOString(), ...item };
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...reviewKeys.item(tenantId, record.reviewItemId), type: 'ReviewItem', tenantId, ...record },
    }),
  );
  return record;
}

export async function listReviewItems(
  tenantId: string,
  filter: { kind?: ReviewKind; status?: 'open' | 'resolved'; limit: number },
): Promise<ReviewItem[]> {
  const items: ReviewItem[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  const filters: string[] = [];
  const values: Record<string, unknown> = { ':pk': reviewKeys.partition(tenantId) };
  if (filter.kind) {
    filters.push('kind = :kind');
    values[':kind'] = filter.kind;
  }
  if (filter.status) {
    filters.push('#status = :status');
    values[':status'] = filter.status;
  }
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: filters.length ? filters.join(' AND ') : undefined,
        ExpressionAttributeNames: filter.status ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: values,
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      items.push({
        reviewItemId: item.reviewItemId,
        kind: item.kind,
        status: item.status,
        reason: item.reason,
        subject: item.subject,
        ...(item.payload ? { payload: item.payload } : {}),
        createdAt: item.createdAt,
      });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && items.length < filter.limit);
  return items.slice(0, filter.limit);
}
