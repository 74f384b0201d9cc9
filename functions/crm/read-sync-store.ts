/**
 * The read sync's DynamoDB and SQS access (crm/read-sync.ts is its use case). One status record per
 * tenant, `T#<tenant>#CRMREADSYNC` / `STATUS`: the run, its cursor and counts, checkpointed after
 * every page with a condition on (runId, pages), so a page delivered twice is counted once and a
 * stale doorbell is a no-op. A `CRMREADSYNC` / `T#<tenant>` entry lists the tenants the schedule polls.
 * The crm-read-sync queue only rings the doorbell (one message per page); a lost ring is found
 * again by the schedule (a running sync whose status has not moved for a while).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queueUrlEnv } from '../registry';
import { documentClient } from '../shared/clients';
import { sqsClient } from '../shared/queue-client';
import { config } from '../shared/config';
import { sendConditional } from '../shared/dynamo';
import { TABLE } from '../shared/table';
import {
  type CrmReadSyncMessage,
  CrmReadSyncMessageSchema,
  type CrmReadSyncStatus,
  CrmReadSyncStatusSchema,
  type CrmRefreshMessage,
  CrmRefreshMessageSchema,
} from './read-sync-schemas';

export const readSyncKeys = {
  status: (tenantId: string) => ({ pk: `T#${tenantId}#CRMREADSYNC`, sk: 'STATUS' }),
  tenantsPartition: 'CRMREADSYNC',
  tenantEntry: (tenantId: string) => ({ pk: 'CRMREADSYNC', sk: `T#${tenantId}` }),
  /** A vendor webhook event already taken (at-least-once delivery): kept a week, then expired by TTL. */
  webhookEvent: (tenantId: string, provider: string, eventKey: string) => ({ pk: `T#${tenantId}#CRMWEBHOOK`, sk: `${provider}#${eventKey}` }),
};

/** How long a webhook event id is remembered (vendors retry for hours to a few days). */
const WEBHOOK_EVENT_TTL_SECONDS = 7 * 24 * 3600;

/** SQS delays at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export async function getReadSyncStatus(tenantId: string): Promise<CrmReadSyncStatus | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: readSyncKeys.status(tenantId), ConsistentRead: true }));
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, ...rest } = Item;
  return CrmReadSyncStatusSchema.parse(rest);
}

/**
 * Starts a run: false when another run is in progress and still moving (`activeSince`: a run
 * updated after this instant is alive). The tenant joins the schedule's polling list.
 */
export async function startReadSyncRun(status: CrmReadSyncStatus, activeSince: Date): Promise<boolean> {
  const started = await sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...readSyncKeys.status(status.tenantId), type: 'CrmReadSyncStatus', ...status },
      ConditionExpression: 'attribute_not_exists(pk) OR NOT (#state IN (:running, :waiting)) OR updatedAt < :activeSince',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':running': 'running', ':waiting': 'waiting', ':activeSince': activeSince.toISOString() },
    }),
  );
  if (started) {
    await documentClient().send(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...readSyncKeys.tenantEntry(status.tenantId), type: 'CrmReadSyncTenant', tenantId: status.tenantId },
      }),
    );
  }
  return started;
}

/**
 * Records the outcome of page `page` of `runId` if the status is still at that page: the checkpoint.
 * `fields` are set as given (undefined values are removed). False when someone else moved it on.
 */
export async function updateReadSyncRun(
  tenantId: string,
  at: { runId: string; page: number },
  fields: Partial<Omit<CrmReadSyncStatus, 'tenantId' | 'runId'>>,
  add: { customers?: number } = {},
): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':runId': at.runId, ':page': at.page };
  const sets: string[] = [];
  const removes: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    names[`#${key}`] = key;
    if (value === undefined) removes.push(`#${key}`);
    else {
      sets.push(`#${key} = :${key}`);
      values[`:${key}`] = value;
    }
  }
  if (add.customers) {
    names['#customers'] = 'customers';
    sets.push('#customers = #customers + :added');
    values[':added'] = add.customers;
  }
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: readSyncKeys.status(tenantId),
      UpdateExpression: `${sets.length ? `SET ${sets.join(', ')}` : ''}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'runId = :runId AND pages = :page',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** The tenants that ever started a read sync (the schedule's list; each is checked against its configuration). */
export async function listReadSyncTenants(): Promise<string[]> {
  const tenants: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': readSyncKeys.tenantsPartition },
        ExclusiveStartKey: start,
      }),
    );
    tenants.push(...(page.Items ?? []).map((item) => item.tenantId as string));
    start = page.LastEvaluatedKey;
  } while (start);
  return tenants;
}

/** Rings the doorbell for one page, after `delaySeconds` (at most 15 minutes). */
export async function ringReadSync(message: CrmReadSyncMessage, delaySeconds = 0): Promise<void> {
  const queueUrl = process.env[queueUrlEnv('crm-read-sync')];
  if (!queueUrl) throw new Error(`Missing environment variable ${queueUrlEnv('crm-read-sync')}`);
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(CrmReadSyncMessageSchema.parse(message)),
      DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
    }),
  );
}

/** Rings a refresh of named customers (a vendor webhook said they changed). */
export async function ringRefresh(message: CrmRefreshMessage): Promise<void> {
  const queueUrl = process.env[queueUrlEnv('crm-read-sync')];
  if (!queueUrl) throw new Error(`Missing environment variable ${queueUrlEnv('crm-read-sync')}`);
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(CrmRefreshMessageSchema.parse(message)) }));
}

/**
 * Takes each webhook event once: a conditional put per event key; answers the keys that were new
 * (an event delivered again finds its key and is left out).
 */
export async function takeWebhookEvents(tenantId: string, provider: string, eventKeys: string[], at: Date): Promise<string[]> {
  const expiresAt = Math.floor(at.getTime() / 1000) + WEBHOOK_EVENT_TTL_SECONDS;
  const taken = await Promise.all(
    [...new Set(eventKeys)].map(async (eventKey) => {
      const fresh = await sendConditional(
        new PutCommand({
          TableName: config.tableName,
          Item: {
            ...readSyncKeys.webhookEvent(tenantId, provider, eventKey),
            type: 'CrmWebhookEvent',
            receivedAt: at.toISOString(),
            [TABLE.ttlAttribute]: expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':now': Math.floor(at.getTime() / 1000) },
        }),
      );
      return fresh ? eventKey : undefined;
    }),
  );
  return taken.filter((key): key is string => key !== undefined);
}

/** Gives events back (their refresh could not be queued): the vendor's next delivery takes them again. */
export async function releaseWebhookEvents(tenantId: string, provider: string, eventKeys: string[]): Promise<void> {
  await Promise.all(
    eventKeys.map((eventKey) =>
      documentClient().send(new DeleteCommand({ TableName: config.tableName, Key: readSyncKeys.webhookEvent(tenantId, provider, eventKey) })),
    ),
  );
}
