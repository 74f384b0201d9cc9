/**
 * The human review queue. Items live at `T#<tenant>#REVIEW`, sorted by a ULID (`ITEM#<ulid>`), so
 * the queue lists oldest first with one Query, an age filter is a key range, and everything stays
 * tenant-scoped by key. While an item is open, a lookup row `OPEN#<subjectType>#<subjectId>#<kind>#<id>`
 * in the same partition lets a worker find the items it settles by subject and kind with one
 * Query; resolving deletes that row in the same transaction.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime, ulid } from 'ulid';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { RedrivePlan, ReviewItem, ReviewKind, ReviewStatus } from './schemas';
import { durationMs } from './duration';
import { queryPages, queryPrefix, sendConditional } from '../shared/dynamo';

export interface ReviewSubject {
  type: string;
  id: string;
}

export const reviewKeys = {
  partition: (tenantId: string) => `T#${tenantId}#REVIEW`,
  itemPrefix: 'ITEM#',
  item: (tenantId: string, reviewItemId: string) => ({ pk: reviewKeys.partition(tenantId), sk: `ITEM#${reviewItemId}` }),
  openPrefix: (subject: ReviewSubject, kind?: ReviewKind) => `OPEN#${subject.type}#${subject.id}#${kind ? `${kind}#` : ''}`,
  open: (tenantId: string, subject: ReviewSubject, kind: ReviewKind, reviewItemId: string) => ({
    pk: reviewKeys.partition(tenantId),
    sk: `${reviewKeys.openPrefix(subject, kind)}${reviewItemId}`,
  }),
};

const ITEM_FIELDS = [
  'reviewItemId',
  'kind',
  'status',
  'reason',
  'subject',
  'payload',
  'redrive',
  'redrives',
  'createdAt',
  'resolvedAt',
  'resolvedBy',
  'resolutionNote',
] as const;

function toReviewItem(item: Record<string, unknown>): ReviewItem {
  return Object.fromEntries(ITEM_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as ReviewItem;
}

/** What opening a review item says. */
export interface ReviewItemOpening {
  kind: ReviewKind;
  reason: string;
  subject: ReviewSubject;
  payload?: Record<string, unknown>;
  /** How a person can re-run the failed step from the queue (see RedrivePlanSchema). */
  redrive?: RedrivePlan;
}

export async function openReviewItem(tenantId: string, item: ReviewItemOpening, at: Date = new Date()): Promise<ReviewItem> {
  const { record, writes } = reviewItemWrites(tenantId, item, at);
  await documentClient().send(new TransactWriteCommand({ TransactItems: writes }));
  return record;
}

/**
 * The item and its open-lookup row as transaction items, for a caller whose review item belongs in
 * the same transaction as the change it is about (recognise/recognise.ts: the new customer it names).
 */
export function reviewItemWrites(tenantId: string, item: ReviewItemOpening, at: Date = new Date()) {
  const record: ReviewItem = { reviewItemId: ulid(at.getTime()), status: 'open', createdAt: at.toISOString(), ...item };
  return {
    record,
    writes: [
      {
        Put: {
          TableName: config.tableName,
          Item: { ...reviewKeys.item(tenantId, record.reviewItemId), type: 'ReviewItem', tenantId, ...record },
        },
      },
      {
        Put: {
          TableName: config.tableName,
          Item: {
            ...reviewKeys.open(tenantId, item.subject, item.kind, record.reviewItemId),
            type: 'OpenReviewItem',
            reviewItemId: record.reviewItemId,
          },
        },
      },
    ],
  };
}

export async function getReviewItem(tenantId: string, reviewItemId: string): Promise<ReviewItem | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: reviewKeys.item(tenantId, reviewItemId), ConsistentRead: true }),
  );
  return Item ? toReviewItem(Item) : undefined;
}

export async function listReviewItems(
  tenantId: string,
  filter: { kind?: ReviewKind; status?: ReviewStatus; olderThan?: string; newerThan?: string; limit: number },
  at: Date = new Date(),
): Promise<ReviewItem[]> {
  const items: ReviewItem[] = [];
  const filters: string[] = [];
  // Item ids are ULIDs of their creation time: an age window is a sort-key range.
  const from = filter.newerThan ? `ITEM#${encodeTime(Math.max(0, at.getTime() - durationMs(filter.newerThan)), 10)}` : 'ITEM#';
  const to = filter.olderThan ? `ITEM#${encodeTime(Math.max(0, at.getTime() - durationMs(filter.olderThan)), 10)}~` : 'ITEM#~';
  const values: Record<string, unknown> = { ':pk': reviewKeys.partition(tenantId), ':from': from, ':to': to };
  if (filter.kind) {
    filters.push('kind = :kind');
    values[':kind'] = filter.kind;
  }
  if (filter.status) {
    filters.push('#status = :status');
    values[':status'] = filter.status;
  }
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: filters.length ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: filter.status ? { '#status': 'status' } : undefined,
    ExpressionAttributeValues: values,
  })) {
    for (const item of page) items.push(toReviewItem(item));
    if (items.length >= filter.limit) break;
  }
  return items.slice(0, filter.limit);
}

/** The open items about a subject (optionally of one kind), oldest first. */
export async function findOpenReviewItems(tenantId: string, subject: ReviewSubject, kind?: ReviewKind): Promise<ReviewItem[]> {
  const open = await queryPrefix(reviewKeys.partition(tenantId), reviewKeys.openPrefix(subject, kind), { consistent: true });
  const found = await Promise.all(open.map((row) => getReviewItem(tenantId, row.reviewItemId as string)));
  return found.filter((item): item is ReviewItem => item?.status === 'open');
}

/**
 * open -> resolved, with who and why. Returns the resolved item, or undefined when there is no such
 * item or it was already resolved (resolving is a compare-and-swap: two people cannot both do it).
 */
export async function resolveReviewItem(
  tenantId: string,
  reviewItemId: string,
  by: string,
  note: string,
  at: Date = new Date(),
): Promise<ReviewItem | undefined> {
  const item = await getReviewItem(tenantId, reviewItemId);
  if (!item || item.status !== 'open') return undefined;
  const resolvedAt = at.toISOString();
  const applied = await sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: config.tableName,
            Key: reviewKeys.item(tenantId, reviewItemId),
            UpdateExpression: 'SET #status = :resolved, resolvedAt = :at, resolvedBy = :by, resolutionNote = :note',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':resolved': 'resolved', ':open': 'open', ':at': resolvedAt, ':by': by, ':note': note },
          },
        },
        { Delete: { TableName: config.tableName, Key: reviewKeys.open(tenantId, item.subject, item.kind, reviewItemId) } },
      ],
    }),
  );
  if (!applied) return undefined;
  return { ...item, status: 'resolved', resolvedAt, resolvedBy: by, resolutionNote: note };
}

/**
 * For workers: the step an item was about has now succeeded (e.g. a redriven CRM sync went
 * through), so every open item of that kind about that subject is resolved. Returns what it resolved.
 */
export async function resolveReviewItemsFor(
  tenantId: string,
  subject: ReviewSubject,
  kind: ReviewKind,
  by: string,
  note: string,
  at: Date = new Date(),
): Promise<ReviewItem[]> {
  const open = await findOpenReviewItems(tenantId, subject, kind);
  const resolved = await Promise.all(open.map((item) => resolveReviewItem(tenantId, item.reviewItemId, by, note, at)));
  return resolved.filter((item): item is ReviewItem => Boolean(item));
}

/** Remembers that someone redrove the item (it stays open until the worker resolves it). */
export async function recordRedrive(
  tenantId: string,
  reviewItemId: string,
  redrive: { at: string; by: string; type: 'message' | 'dlq'; queue: string; ref?: string },
): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: reviewKeys.item(tenantId, reviewItemId),
      UpdateExpression: 'SET redrives = list_append(if_not_exists(redrives, :empty), :entry), lastRedriveAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':empty': [], ':entry': [redrive], ':at': redrive.at },
    }),
  );
}

/**
 * What a redrive of this item does: its stored plan; else, for a failed CRM write about a booking,
 * the booking is sent again to the crm-sync queue as `{tenantId, bookingId}` (the crm-sync worker's
 * message, issue 5); else, for a failed notification, the notify DLQ is moved back.
 */
export function redrivePlanFor(tenantId: string, item: ReviewItem): RedrivePlan | undefined {
  if (item.redrive) return item.redrive;
  if (item.kind === 'crm_write_failed' && item.subject.type === 'booking') {
    return { type: 'message', queue: 'crm-sync', body: { tenantId, bookingId: item.subject.id } };
  }
  if (item.kind === 'notification_failed') return { type: 'dlq', queue: 'notify' };
  return undefined;
}
