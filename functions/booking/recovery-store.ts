/**
 * The recovery index's reads and writes (booking/recovery.ts decides): which bookings are due for
 * a look (the sparse `byDue` index, partition RECOVERY_PARTITION), and when the sweep looks next.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config';
import { dueItems, sendConditional } from '../shared/dynamo';
import { RECOVERY_PARTITION } from './recovery';
import { bookingKeys } from './store';

/** Bookings due for a look by `by`, oldest due first (at most `limit`); `tenantId` narrows it (tests). */
export async function dueBookings(by: Date, limit: number, tenantId?: string): Promise<Array<{ tenantId: string; bookingId: string }>> {
  return (await dueItems(RECOVERY_PARTITION, by, limit, tenantId)).map((item) => ({ tenantId: item.tenantId as string, bookingId: item.bookingId as string }));
}

/** Sets (or, with undefined, removes) when the sweep next looks at the booking. */
export async function setRecoveryDue(tenantId: string, bookingId: string, dueAt: string | undefined): Promise<void> {
  await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: bookingKeys.booking(tenantId, bookingId),
      ...(dueAt
        ? { UpdateExpression: 'SET duePk = :due, dueAt = :dueAt', ExpressionAttributeValues: { ':due': RECOVERY_PARTITION, ':dueAt': dueAt } }
        : { UpdateExpression: 'REMOVE duePk, dueAt' }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}
