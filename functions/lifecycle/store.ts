/**
 * The job lifecycle lives on the booking item (a booking is the job): `jobState`, `jobVersion`,
 * `lastEventAt`, `lastEventId`, the set `jobEventIds`, and each state's own fields. An event is made
 * to stick with one conditional UpdateItem on `jobVersion`, so of two workers applying events to one
 * job at once, one wins and the other re-reads and decides again.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys, type BookingRecord } from '../booking/store';
import { queueUrlEnv } from '../registry';
import { sqsClient } from '../shared/queue-client';
import { config } from '../shared/config';
import { StatusEventMessageSchema, type StatusEventMessage } from './schemas';
import { LIFECYCLE_STATES, type JobLifecycle, type LifecycleState } from './transitions';
import { sendConditional } from '../shared/dynamo';

export function lifecycleOf(booking: BookingRecord): JobLifecycle {
  const state = (LIFECYCLE_STATES as readonly string[]).includes(booking.jobState ?? '') ? (booking.jobState as LifecycleState) : 'booked';
  return {
    state,
    version: booking.jobVersion ?? 0,
    lastEventAt: booking.lastEventAt,
    lastEventId: booking.lastEventId,
    seenEventIds: new Set(booking.jobEventIds ?? []),
  };
}

/**
 * Writes the applied event and the state's fields if the job is still at `expectedVersion`.
 * False when another event got there first (the caller re-reads and decides again).
 */
export async function commitJobEvent(
  tenantId: string,
  bookingId: string,
  expectedVersion: number,
  next: JobLifecycle,
  fields: Record<string, unknown>,
  at: Date,
): Promise<boolean> {
  const names: Record<string, string> = { '#ids': 'jobEventIds', '#version': 'jobVersion' };
  const values: Record<string, unknown> = {
    ':ids': new Set([next.lastEventId!]),
    ':expected': expectedVersion,
  };
  const sets: string[] = [];
  const all = {
    ...fields,
    jobState: next.state,
    jobVersion: next.version,
    lastEventAt: next.lastEventAt,
    lastEventId: next.lastEventId,
    updatedAt: at.toISOString(),
  };
  Object.entries(all)
    .filter(([, value]) => value !== undefined)
    .forEach(([key, value], index) => {
      if (key !== 'jobVersion') names[`#f${index}`] = key;
      values[`:v${index}`] = value;
      sets.push(`${key === 'jobVersion' ? '#version' : `#f${index}`} = :v${index}`);
    });
  const condition =
    expectedVersion === 0
      ? 'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :expected)'
      : 'attribute_exists(pk) AND #version = :expected';
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      UpdateExpression: `SET ${sets.join(', ')} ADD #ids :ids`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Records a `delayed` report on the job (not a state change: jobVersion is untouched). The latest
 * report by event time wins; a repeated or older report changes nothing ('kept').
 */
export async function recordDelay(
  tenantId: string,
  bookingId: string,
  report: { eventId: string; occurredAt: string; delayMinutes: number; reason?: string },
  at: Date,
): Promise<'recorded' | 'kept'> {
  const written = await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      UpdateExpression: 'SET delayMinutes = :minutes, delayReportedAt = :reportedAt, delayEventId = :eventId, delayReason = :reason, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(delayReportedAt) OR delayReportedAt < :reportedAt)',
      ExpressionAttributeValues: {
        ':minutes': report.delayMinutes,
        ':reportedAt': new Date(report.occurredAt).toISOString(),
        ':eventId': report.eventId,
        ':reason': report.reason ?? null,
        ':now': at.toISOString(),
      },
    }),
  );
  return written ? 'recorded' : 'kept';
}

/** Marks an applied event's downstream actions as all done (only for the event that is still the last). */
export async function markEffectsDone(tenantId: string, bookingId: string, eventId: string): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      UpdateExpression: 'SET jobEffectsEventId = :id',
      ConditionExpression: 'lastEventId = :id',
      ExpressionAttributeValues: { ':id': eventId },
    }),
  );
}

/** Both routes end here: the event goes to the status-events queue; the worker applies it. */
export async function enqueueStatusEvent(message: StatusEventMessage): Promise<string | undefined> {
  const queueUrl = process.env[queueUrlEnv('status-events')];
  if (!queueUrl) throw new Error(`Missing environment variable ${queueUrlEnv('status-events')}`);
  const sent = await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(StatusEventMessageSchema.parse(message)) }));
  return sent.MessageId;
}
