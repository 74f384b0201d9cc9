/**
 * Two-way SMS records, all tenant-scoped by key:
 * - the inbound message by its provider id (`T#<tenant>#SMSIN#<MessageSid>`): claimed before any
 *   work (a lease, like the booking reservation), then completed with the answer, so a provider
 *   retry of the same message acts once and gets the first answer again;
 * - the conversation with a phone (`T#<tenant>#SMSCONV#<e164>`): what we asked and wait for (a
 *   numbered window, YES to cancel), with an expiry every read checks (TTL deletes it later);
 * - the thread on the booking (`SMS#<at>#<direction>#<ref>` in the booking's partition): each text
 *   in and each answer out, which the booking's activity shows.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../booking/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { queryPrefix, sendConditional } from '../shared/dynamo';
import { epochSeconds } from '../shared/time';
import type { Awaiting } from './customer-reply';

export const replyKeys = {
  inbound: (tenantId: string, messageSid: string) => ({ pk: `T#${tenantId}#SMSIN#${messageSid}`, sk: 'REPLY' }),
  conversation: (tenantId: string, phoneE164: string) => ({ pk: `T#${tenantId}#SMSCONV#${phoneE164}`, sk: 'STATE' }),
  threadPrefix: 'SMS#',
  threadEntry: (tenantId: string, bookingId: string, at: string, direction: 'in' | 'out', ref: string) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: `SMS#${at}#${direction}#${ref}`,
  }),
};

/** How long an inbound message id is remembered (a provider retries within hours, not weeks). */
const INBOUND_RETENTION_DAYS = 30;
/** How long one handling of a reply may take before another delivery of it may take over. */
const LEASE_SECONDS = 30;

/** The answer given to an inbound message: replayed to a retry of it. */
export interface ReplyAnswer {
  action: string;
  text?: string;
  bookingId?: string;
}

export type InboundClaim = { state: 'claimed' } | { state: 'done'; answer: ReplyAnswer } | { state: 'in_progress' };

/** Claims an inbound message for handling: first delivery (or one whose handler died) wins. */
export async function claimInbound(tenantId: string, messageSid: string, at: Date): Promise<InboundClaim> {
  const key = replyKeys.inbound(tenantId, messageSid);
  const claimed = await sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...key,
        type: 'InboundSms',
        status: 'in_progress',
        leaseUntil: epochSeconds(at) + LEASE_SECONDS,
        receivedAt: at.toISOString(),
        expiresAt: epochSeconds(at) + INBOUND_RETENTION_DAYS * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': epochSeconds(at) },
    }),
  );
  if (claimed) return { state: 'claimed' };
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
  if (Item?.status === 'done') return { state: 'done', answer: Item.answer as ReplyAnswer };
  return { state: 'in_progress' };
}

export async function completeInbound(tenantId: string, messageSid: string, answer: ReplyAnswer): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: replyKeys.inbound(tenantId, messageSid),
      UpdateExpression: 'SET #status = :done, answer = :answer REMOVE leaseUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':answer': answer },
    }),
  );
}

/**
 * A reply that is about no booking (a number we have no booking for) has the inbound message itself
 * as the subject of its dispatcher alert: the ledger row's subject id is `SMSIN~<MessageSid>`, and
 * the facts the alert quotes sit on the inbound record.
 */
export const INBOUND_SUBJECT_PREFIX = 'SMSIN~';

export interface InboundAlertFacts {
  from: string;
  text: string;
  customerId?: string;
}

export async function noteInboundForDispatch(tenantId: string, messageSid: string, facts: InboundAlertFacts): Promise<string> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: replyKeys.inbound(tenantId, messageSid),
      UpdateExpression: 'SET alert = :facts',
      ExpressionAttributeValues: { ':facts': facts },
    }),
  );
  return `${INBOUND_SUBJECT_PREFIX}${messageSid}`;
}

/** The facts of an inbound message's dispatcher alert, by its subject id (undefined for any other subject). */
export async function inboundAlertFacts(tenantId: string, subjectId: string): Promise<InboundAlertFacts | undefined> {
  if (!subjectId.startsWith(INBOUND_SUBJECT_PREFIX)) return undefined;
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: replyKeys.inbound(tenantId, subjectId.slice(INBOUND_SUBJECT_PREFIX.length)), ConsistentRead: true }),
  );
  return Item?.alert as InboundAlertFacts | undefined;
}

/** The handling failed: the next delivery of the message may try again at once. */
export async function releaseInbound(tenantId: string, messageSid: string): Promise<void> {
  await documentClient()
    .send(
      new DeleteCommand({
        TableName: config.tableName,
        Key: replyKeys.inbound(tenantId, messageSid),
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'in_progress' },
      }),
    )
    .catch(() => undefined);
}

/** What the conversation with this phone waits for, unless it expired. */
export async function getAwaiting(tenantId: string, phoneE164: string, at: Date): Promise<Awaiting | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: replyKeys.conversation(tenantId, phoneE164), ConsistentRead: true }),
  );
  if (!Item || Number(Item.expiresAt) <= epochSeconds(at)) return undefined;
  return Item.awaiting as Awaiting;
}

export async function setAwaiting(tenantId: string, phoneE164: string, awaiting: Awaiting, at: Date, ttlMinutes: number): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...replyKeys.conversation(tenantId, phoneE164),
        type: 'SmsConversation',
        awaiting,
        updatedAt: at.toISOString(),
        expiresAt: epochSeconds(at) + ttlMinutes * 60,
      },
    }),
  );
}

export async function clearAwaiting(tenantId: string, phoneE164: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: config.tableName, Key: replyKeys.conversation(tenantId, phoneE164) }));
}

export interface ThreadEntry {
  at: string;
  direction: 'in' | 'out';
  text: string;
  /** What the reply did (confirmed, rescheduled, customer_reply, ...); on inbound texts. */
  action?: string;
  messageSid?: string;
}

/** One text of the conversation, kept on its booking. */
export async function addThreadEntry(tenantId: string, bookingId: string, entry: ThreadEntry, ref: string): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...replyKeys.threadEntry(tenantId, bookingId, entry.at, entry.direction, ref), type: 'SmsThreadEntry', ...entry },
    }),
  );
}

export async function listThread(tenantId: string, bookingId: string): Promise<ThreadEntry[]> {
  const items = await queryPrefix(bookingKeys.partition(tenantId, bookingId), replyKeys.threadPrefix, { consistent: true });
  return items.map((item) => ({
    at: item.at,
    direction: item.direction,
    text: item.text,
    ...(item.action ? { action: item.action } : {}),
    ...(item.messageSid ? { messageSid: item.messageSid } : {}),
  }));
}
