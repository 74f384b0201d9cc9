/**
 * The CRM outbox's one piece of state on the booking: a short lease (`crmSyncLease`, epoch ms) so
 * that two deliveries of one booking's write (at-least-once delivery, a redrive racing a retry, two
 * records in one batch) never call the CRM at the same time; the loser comes back after its backoff
 * and then finds the write already done.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bookingKeys } from '../booking/store';
import { config } from '../shared/config';
import { sendConditional } from '../shared/dynamo';

export async function acquireCrmSyncLease(tenantId: string, bookingId: string, holder: string, at: Date, leaseMs = 60_000): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      UpdateExpression: 'SET crmSyncLease = :until, crmSyncLeaseHolder = :holder',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(crmSyncLease) OR crmSyncLease < :now OR crmSyncLeaseHolder = :holder)',
      ExpressionAttributeValues: { ':until': at.getTime() + leaseMs, ':now': at.getTime(), ':holder': holder },
    }),
  );
}

export async function releaseCrmSyncLease(tenantId: string, bookingId: string, holder: string): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      UpdateExpression: 'REMOVE crmSyncLease, crmSyncLeaseHolder',
      ConditionExpression: 'crmSyncLeaseHolder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
    }),
  );
}
