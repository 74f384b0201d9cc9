/**
 * The CRM outbox: a booking whose CRM write found the CRM down is kept (pending_crm_sync) and its
 * write goes to the `crm-sync` queue; CrmSyncWorker retries it with growing backoff until the CRM is
 * back, then writes it exactly once. Backoff is pure here; the queue send is one small function.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { queueUrlEnv } from '../registry';
import { sqsClient } from '../shared/clients';
import { JOB_STATES } from './mapping';

export const CrmSyncMessageSchema = z.object({
  tenantId: z.string().min(1),
  bookingId: z.string().min(1),
  /** Why it was queued (the first error), for the review item if it never succeeds. */
  firstError: z.string().max(1_000).optional(),
  /** The job state to write (default: what the booking is now: pending_approval or booked). */
  state: z.enum(JOB_STATES).optional(),
  /** When the write was asked for: a successful write of the same state after it covers it. */
  requestedAt: z.string().optional(),
});
export type CrmSyncMessage = z.infer<typeof CrmSyncMessageSchema>;

/** SQS caps a visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export interface BackoffSettings {
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * Settings from the environment (AWS: 30 s doubling to 15 min, so 5 receives span ~8 minutes plus
 * the queue's own delays; tests and the local demo shorten them with the same variables).
 */
export function backoffSettings(env: NodeJS.ProcessEnv = process.env): BackoffSettings {
  const base = Number(env.CRM_SYNC_BACKOFF_BASE_SECONDS ?? 30);
  const max = Number(env.CRM_SYNC_BACKOFF_MAX_SECONDS ?? 900);
  return { baseSeconds: Number.isFinite(base) && base >= 0 ? base : 30, maxSeconds: Number.isFinite(max) && max >= 0 ? max : 900 };
}

/**
 * How long a failed message stays invisible before its next try: base * 2^(receives-1), capped,
 * and never shorter than the CRM's own Retry-After.
 */
export function crmSyncBackoffSeconds(receiveCount: number, settings: BackoffSettings, retryAfterSeconds?: number): number {
  const attempt = Math.max(1, Math.floor(receiveCount) || 1);
  const grown = Math.min(settings.maxSeconds, settings.baseSeconds * 2 ** Math.min(attempt - 1, 30));
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(Math.ceil(grown), Math.ceil(retryAfterSeconds ?? 0)));
}

export async function enqueueCrmSync(message: CrmSyncMessage, delaySeconds: number): Promise<string | undefined> {
  const queueUrl = process.env[queueUrlEnv('crm-sync')];
  if (!queueUrl) throw new Error(`Missing environment variable ${queueUrlEnv('crm-sync')}`);
  const sent = await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(CrmSyncMessageSchema.parse({ requestedAt: new Date().toISOString(), ...message })),
      // SQS allows at most 15 minutes of delay on a message.
      DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
    }),
  );
  return sent.MessageId;
}
