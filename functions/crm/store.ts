/**
 * The CRM outbox's one piece of state on the booking (or on a lead without one): a short lease (`crmSyncLease`, epoch ms) so
 * that two deliveries of one booking's write (at-least-once delivery, a redrive racing a retry, two
 * records in one batch) never call the CRM at the same time; the loser comes back after its backoff
 * and then finds the write already done.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../booking/store';
import { leadKeys } from '../leads/store';
import { config } from '../shared/config';
import { sendConditional } from '../shared/dynamo';

/** The record the lease sits on: the booking, or the lead a message names instead. */
export interface CrmSyncLeaseSubject {
  tenantId: string;
  bookingId?: string;
  leadId?: string;
}
const leaseKey = (subject: CrmSyncLeaseSubject) =>
  subject.leadId ? leadKeys.lead(subject.tenantId, subject.leadId) : bookingKeys.booking(subject.tenantId, subject.bookingId!);

export async function acquireCrmSyncLease(subject: CrmSyncLeaseSubject, holder: string, at: Date, leaseMs = 60_000): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: leaseKey(subject),
      UpdateExpression: 'SET crmSyncLease = :until, crmSyncLeaseHolder = :holder',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(crmSyncLease) OR crmSyncLease < :now OR crmSyncLeaseHolder = :holder)',
      ExpressionAttributeValues: { ':until': at.getTime() + leaseMs, ':now': at.getTime(), ':holder': holder },
    }),
  );
}

export async function releaseCrmSyncLease(subject: CrmSyncLeaseSubject, holder: string): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: leaseKey(subject),
      UpdateExpression: 'REMOVE crmSyncLease, crmSyncLeaseHolder',
      ConditionExpression: 'crmSyncLeaseHolder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
    }),
  );
}
