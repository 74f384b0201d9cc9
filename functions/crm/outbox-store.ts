/**
 * The CRM outbox: a booking whose CRM write found the CRM down is kept (pending_crm_sync) and its
 * write is recorded as outbox work in DynamoDB (one row per booking and job state, in the booking's
 * partition); the `crm-sync` queue only rings the doorbell. CrmSyncWorker retries with growing
 * backoff until the CRM is back, then writes it exactly once; a row whose doorbell was lost (a crash,
 * a purge, a backoff longer than SQS can delay) is found by the recovery sweep through the sparse
 * `byDue` index (partition `CRMSYNC`) and rung again. The schedule is the tenant's (`crmSync`:
 * retry for at least an hour by default) and the same locally and in AWS; tests move the injected
 * clock (shared/time.ts), never shorten it. What a failure means and the backoff are crm/sync-policy.ts;
 * this module is the outbox's store: its message, its rows and its doorbell.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../shared/zod';
import { bookingKeys } from '../booking/store';
import { leadKeys } from '../leads/store';
import { queueUrlEnv } from '../registry';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { dueItems, sendConditional } from '../shared/dynamo';
import { now } from '../shared/time';
import { JOB_STATES } from './mapping';

export const CrmSyncMessageSchema = z
  .object({
    tenantId: z.string().min(1),
    /** The booking to write; a lead without a booking (a hung-up caller, triage to a person) names `leadId` instead. */
    bookingId: z.string().min(1).optional(),
    /** A lead without a booking, written as state `lead` (crm/write.ts writeLeadToCrm). */
    leadId: z.string().min(1).optional(),
    /** Why it was queued (the first error), for the review item if it never succeeds. */
    firstError: z.string().max(1_000).optional(),
    /** The job state to write (default: what the booking is now: pending_approval or booked). */
    state: z.enum(JOB_STATES).optional(),
    /** When the write was asked for: a successful write of the same state after it covers it. */
    requestedAt: z.string().optional(),
  })
  .refine((message) => Boolean(message.bookingId) !== Boolean(message.leadId), {
    message: 'expected exactly one of bookingId and leadId',
    path: ['bookingId'],
  });
export type CrmSyncMessage = z.infer<typeof CrmSyncMessageSchema>;
/** What an outbox row and its doorbell are about: a booking, or a lead without one. */
export type CrmSyncSubject = Pick<CrmSyncMessage, 'tenantId' | 'bookingId' | 'leadId' | 'state'>;

/** The record a message writes: `{ type, id }` as review items and timelines name it. */
export function crmSyncSubject(message: Pick<CrmSyncMessage, 'bookingId' | 'leadId'>): { type: 'booking' | 'lead'; id: string } {
  return message.leadId ? { type: 'lead', id: message.leadId } : { type: 'booking', id: message.bookingId! };
}

/** SQS caps a message delay at 15 minutes. */
export const MAX_DOORBELL_DELAY_SECONDS = 900;
/** A doorbell that has not led to an attempt this long after it was due is taken as lost. */
export const DOORBELL_GRACE_SECONDS = 5 * 60;
export const CRM_SYNC_DUE_PARTITION = 'CRMSYNC';

export const crmSyncKeys = {
  /** `current`: the booking's own state at write time (crmStateOf), when the message names none. */
  work: (tenantId: string, bookingId: string, state: string | undefined) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: `CRMSYNC#${state ?? 'current'}`,
  }),
  /**
   * A lead without a booking: its row sits in the tenant's leads partition, one per state (`lead`,
   * the first write, keeps the suffix-less key it always had; `lead_booked` is the close).
   */
  leadWork: (tenantId: string, leadId: string, state?: string) => ({
    pk: leadKeys.partition(tenantId),
    sk: `CRMSYNC#LEAD#${leadId}${state && state !== 'lead' ? `#${state}` : ''}`,
  }),
  /** The row of a message (a booking's or a lead's). */
  of: (subject: CrmSyncSubject) =>
    subject.leadId
      ? crmSyncKeys.leadWork(subject.tenantId, subject.leadId, subject.state)
      : crmSyncKeys.work(subject.tenantId, subject.bookingId!, subject.state),
  prefix: 'CRMSYNC#',
};

export interface CrmSyncWork {
  tenantId: string;
  /** One of bookingId and leadId (crmSyncSubject). */
  bookingId?: string;
  leadId?: string;
  state?: (typeof JOB_STATES)[number];
  status: 'pending' | 'done' | 'gave_up';
  requestedAt: string;
  firstError?: string;
  firstFailedAt?: string;
  attempts?: number;
  lastError?: string;
  /** When the next attempt is planned (its doorbell's delivery time). */
  nextAttemptAt?: string;
  /** When the sweep rings it if nothing else has settled it: after the doorbell plus a grace. */
  dueAt?: string;
}

export async function getCrmSyncWork(tenantId: string, bookingId: string, state?: string): Promise<CrmSyncWork | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: crmSyncKeys.work(tenantId, bookingId, state), ConsistentRead: true }),
  );
  return Item as CrmSyncWork | undefined;
}

/** The outbox row of a message (a booking's or a lead's). */
export async function crmSyncWorkOf(subject: CrmSyncSubject): Promise<CrmSyncWork | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: crmSyncKeys.of(subject), ConsistentRead: true }));
  return Item as CrmSyncWork | undefined;
}

/** The row's attribute naming what it writes. */
const subjectAttribute = (message: CrmSyncSubject) => (message.leadId ? 'leadId' : 'bookingId');

/** Records the write as pending outbox work, due at `dueAt` (when the sweep will ring if nothing else did). */
export async function recordCrmSyncWork(message: CrmSyncMessage, at: Date, dueAt: Date, nextAttemptAt: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: crmSyncKeys.of(message),
      UpdateExpression:
        `SET #type = :type, tenantId = :tenantId, ${subjectAttribute(message)} = :subjectId, #status = :pending, requestedAt = :requestedAt, ` +
        // A write queued because it failed: its retry budget starts now.
        (message.firstError
          ? 'firstError = if_not_exists(firstError, :firstError), firstFailedAt = if_not_exists(firstFailedAt, :at), attempts = if_not_exists(attempts, :one), '
          : '') +
        'duePk = :duePk, dueAt = :dueAt, nextAttemptAt = :next' +
        (message.state ? ', #state = :state' : ''),
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status', ...(message.state ? { '#state': 'state' } : {}) },
      ExpressionAttributeValues: {
        ':type': 'CrmSyncWork',
        ':tenantId': message.tenantId,
        ':subjectId': crmSyncSubject(message).id,
        ':pending': 'pending',
        ':requestedAt': message.requestedAt ?? at.toISOString(),
        ...(message.firstError ? { ':firstError': message.firstError, ':at': at.toISOString(), ':one': 1 } : {}),
        ':duePk': CRM_SYNC_DUE_PARTITION,
        ':dueAt': dueAt.toISOString(),
        ':next': nextAttemptAt.toISOString(),
        ...(message.state ? { ':state': message.state } : {}),
      },
    }),
  );
}

/** A failed attempt: counted, and due again at `dueAt`. The first failure starts the retry budget. */
export async function recordCrmSyncFailure(message: CrmSyncMessage, error: string, at: Date, dueAt: Date, nextAttemptAt: Date): Promise<CrmSyncWork> {
  const { Attributes } = await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: crmSyncKeys.of(message),
      UpdateExpression:
        `SET #type = :type, tenantId = :tenantId, ${subjectAttribute(message)} = :subjectId, #status = :pending, requestedAt = if_not_exists(requestedAt, :at), ` +
        'firstFailedAt = if_not_exists(firstFailedAt, :at), lastError = :error, duePk = :duePk, dueAt = :dueAt, nextAttemptAt = :next ADD attempts :one',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: {
        ':type': 'CrmSyncWork',
        ':tenantId': message.tenantId,
        ':subjectId': crmSyncSubject(message).id,
        ':pending': 'pending',
        ':at': at.toISOString(),
        ':error': error.slice(0, 1_000),
        ':duePk': CRM_SYNC_DUE_PARTITION,
        ':dueAt': dueAt.toISOString(),
        ':next': nextAttemptAt.toISOString(),
        ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes as CrmSyncWork;
}

/** The work is over (written, or handed to a person): out of the due index, budget reset. */
export async function settleCrmSyncWork(message: CrmSyncSubject, status: 'done' | 'gave_up', at: Date): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: crmSyncKeys.of(message),
      UpdateExpression: 'SET #status = :status, settledAt = :at REMOVE duePk, dueAt, nextAttemptAt, firstFailedAt, attempts',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':at': at.toISOString() },
    }),
  );
}

/** Outbox rows due by `by` (pending work whose doorbell is due or was lost), oldest first; `tenantId` narrows it (tests). */
export async function listDueCrmSyncWork(by: Date, limit: number, tenantId?: string): Promise<CrmSyncWork[]> {
  return (await dueItems(CRM_SYNC_DUE_PARTITION, by, limit, tenantId)) as CrmSyncWork[];
}

/** The SQS client and commands, loaded by the first doorbell (doorbell-store.ts). */
async function sqs() {
  const { sqsClient, ...commands } = await import('./doorbell-store');
  return { client: sqsClient(), ...commands };
}

/** Rings the doorbell: one crm-sync message, delivered after `delaySeconds` (at most 15 minutes). */
export async function ringCrmSync(message: CrmSyncMessage, delaySeconds: number): Promise<string | undefined> {
  const { client, SendMessageCommand } = await sqs();
  const sent = await client.send(new SendMessageCommand({ QueueUrl: crmSyncQueueUrl(), ...doorbell(message, delaySeconds) }));
  return sent.MessageId;
}

function crmSyncQueueUrl(): string {
  const queueUrl = process.env[queueUrlEnv('crm-sync')];
  if (!queueUrl) throw new Error(`Missing environment variable ${queueUrlEnv('crm-sync')}`);
  return queueUrl;
}

/** A doorbell's body and delay (SQS's at most MAX_DOORBELL_DELAY_SECONDS), for SendMessage and SendMessageBatch alike. */
function doorbell(message: CrmSyncMessage, delaySeconds: number): { MessageBody: string; DelaySeconds: number } {
  return {
    MessageBody: JSON.stringify(CrmSyncMessageSchema.parse(message)),
    DelaySeconds: Math.min(MAX_DOORBELL_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
  };
}

/** The record of a write about to be rung: due DOORBELL_GRACE_SECONDS after its doorbell should have rung. */
async function recordForDoorbell(message: CrmSyncMessage, delaySeconds: number): Promise<{ message: CrmSyncMessage; delay: number }> {
  const at = now();
  const full = { requestedAt: at.toISOString(), ...message };
  const delay = Math.min(MAX_DOORBELL_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds)));
  await recordCrmSyncWork(full, at, new Date(at.getTime() + (delay + DOORBELL_GRACE_SECONDS) * 1000), new Date(at.getTime() + delay * 1000));
  return { message: full, delay };
}

/**
 * Puts a CRM write in the outbox: the record first (so it can never be lost), then the doorbell.
 * Due again DOORBELL_GRACE_SECONDS after the doorbell should have rung: if it never led to an
 * attempt, the recovery sweep rings again.
 */
export async function enqueueCrmSync(message: CrmSyncMessage, delaySeconds: number): Promise<string | undefined> {
  const recorded = await recordForDoorbell(message, delaySeconds);
  return ringCrmSync(recorded.message, recorded.delay);
}

/** SQS takes at most this many messages per SendMessageBatch. */
const DOORBELL_BATCH = 10;

/**
 * Several writes into the outbox at once (a dispatch apply's jobs): every record first, then the
 * doorbells in SendMessageBatch calls of 10. A doorbell SQS did not take is rung alone; one lost
 * anyway is rung by the recovery sweep when its record is due.
 */
export async function enqueueCrmSyncs(messages: CrmSyncMessage[], delaySeconds: number): Promise<void> {
  const recorded = await Promise.all(messages.map((message) => recordForDoorbell(message, delaySeconds)));
  const queueUrl = crmSyncQueueUrl();
  const { client, SendMessageBatchCommand } = await sqs();
  for (let start = 0; start < recorded.length; start += DOORBELL_BATCH) {
    const batch = recorded.slice(start, start + DOORBELL_BATCH);
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map(({ message, delay }, index) => ({ Id: String(index), ...doorbell(message, delay) })),
      }),
    );
    const taken = new Set((sent.Successful ?? []).map((entry) => Number(entry.Id)));
    for (const [index, { message, delay }] of batch.entries()) if (!taken.has(index)) await ringCrmSync(message, delay);
  }
}

/** The sweep rang the doorbell of a due row: due again only if this ring is lost too. */
export async function markCrmSyncRung(work: CrmSyncSubject, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: crmSyncKeys.of(work),
      UpdateExpression: 'SET dueAt = :dueAt, rungAt = :at, nextAttemptAt = :at',
      ConditionExpression: '#status = :pending AND attribute_exists(duePk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':at': at.toISOString(),
        ':dueAt': new Date(at.getTime() + DOORBELL_GRACE_SECONDS * 1000).toISOString(),
      },
    }),
  );
}

/** Outbox work still pending for a booking (any job state). */
export async function pendingCrmSyncWork(tenantId: string, bookingId: string): Promise<CrmSyncWork[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': bookingKeys.partition(tenantId, bookingId), ':prefix': crmSyncKeys.prefix, ':pending': 'pending' },
      ConsistentRead: true,
    }),
  );
  return Items as CrmSyncWork[];
}
