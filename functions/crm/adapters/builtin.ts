/**
 * The built-in CRM: records in the JobRelay table. A contact per customer, a job record per booking
 * with the mapped fields and its deal stage. Writes are keyed by id, so a repeated write is a no-op.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/clients';
import { config } from '../../shared/config';
import { CrmRejectedError, CrmUnavailableError } from '../../shared/errors';
import type { CrmAdapter, CrmBookingWrite, CrmWriteOptions, CrmWriteResult } from '../adapter';

export const builtinCrmKeys = {
  contact: (tenantId: string, customerId: string) => ({ pk: `T#${tenantId}#CRM`, sk: `CONTACT#${customerId}` }),
  job: (tenantId: string, bookingId: string) => ({ pk: `T#${tenantId}#CRM`, sk: `JOB#${bookingId}` }),
};

export class BuiltinCrmAdapter implements CrmAdapter {
  readonly name = 'builtin';

  async writeBooking(write: CrmBookingWrite, options: CrmWriteOptions = {}): Promise<CrmWriteResult> {
    const at = new Date().toISOString();
    const result: CrmWriteResult = { adapter: this.name, externalIds: { crmJobId: `JOB#${write.bookingId}` } };
    // The booking's record of this write goes in the same transaction (one request; issue 19).
    const record = options.recordWith?.(result);
    const contactFields = Object.fromEntries(Object.entries(write.fields).filter(([key]) => key.startsWith('customer_')));
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: config.tableName,
                Key: builtinCrmKeys.contact(write.tenantId, write.customerId),
                UpdateExpression: 'SET #type = :type, customerId = :customerId, #fields = :fields, updatedAt = :at',
                ExpressionAttributeNames: { '#type': 'type', '#fields': 'fields' },
                ExpressionAttributeValues: { ':type': 'CrmContact', ':customerId': write.customerId, ':fields': contactFields, ':at': at },
              },
            },
            {
              Put: {
                TableName: config.tableName,
                Item: {
                  ...builtinCrmKeys.job(write.tenantId, write.bookingId),
                  type: 'CrmJob',
                  bookingId: write.bookingId,
                  customerId: write.customerId,
                  state: write.state,
                  dealStage: write.dealStage,
                  fields: write.fields,
                  transcriptNote: write.transcriptNote,
                  writtenAt: at,
                },
              },
            },
            ...(record ? [record] : []),
          ],
        }),
      );
    } catch (error) {
      const { name, message } = error as Error;
      // Throttling and server faults pass; anything else is a write the store will never take.
      const transient = (error as { $retryable?: unknown }).$retryable || (error as { $fault?: string }).$fault === 'server';
      const text = `Built-in CRM store refused the write: ${name}: ${message}`;
      throw transient ? new CrmUnavailableError(text, { cause: error }) : new CrmRejectedError(text, { cause: error });
    }
    return record ? { ...result, recorded: true } : result;
  }
}
