/**
 * Customers. A customer lives at `T#<tenant>#CUSTOMER#<id>`; each normalised phone is a separate
 * claim item `T#<tenant>#PHONE#<e164>` created in the same transaction with a condition, so two
 * concurrent first-time callers with one phone can never become two customers.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { isConditionalCheckFailed } from '../shared/errors';

export const customerKeys = {
  customer: (tenantId: string, customerId: string) => ({ pk: `T#${tenantId}#CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  phoneClaim: (tenantId: string, phoneE164: string) => ({ pk: `T#${tenantId}#PHONE#${phoneE164}`, sk: 'CUSTOMER' }),
};

export interface CustomerAddress {
  line1: string;
  line2?: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface CustomerRecord {
  tenantId: string;
  customerId: string;
  name: string;
  phoneE164: string;
  email?: string;
  addresses: CustomerAddress[];
  createdAt: string;
  updatedAt: string;
}

export async function findCustomerIdByPhone(tenantId: string, phoneE164: string): Promise<string | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: customerKeys.phoneClaim(tenantId, phoneE164), ConsistentRead: true }),
  );
  return Item?.customerId as string | undefined;
}

export async function getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: customerKeys.customer(tenantId, customerId) }),
  );
  return Item as CustomerRecord | undefined;
}

/**
 * Creates the customer and claims its phone atomically. Returns the id of the customer that owns the
 * phone afterwards: the new one, or the one a concurrent request created first.
 */
export async function createCustomerClaimingPhone(customer: CustomerRecord): Promise<{ customerId: string; created: boolean }> {
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: config.tableName,
              Item: {
                ...customerKeys.phoneClaim(customer.tenantId, customer.phoneE164),
                type: 'PhoneClaim',
                customerId: customer.customerId,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: config.tableName,
              Item: { ...customerKeys.customer(customer.tenantId, customer.customerId), type: 'Customer', ...customer },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return { customerId: customer.customerId, created: true };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const owner = await findCustomerIdByPhone(customer.tenantId, customer.phoneE164);
    if (!owner) throw error;
    return { customerId: owner, created: false };
  }
}

/** Adds what the caller told us that the record lacks (a new service address, a missing email). */
export async function enrichCustomer(
  tenantId: string,
  customerId: string,
  patch: { email?: string; address?: CustomerAddress },
  at: Date,
): Promise<void> {
  const existing = await getCustomer(tenantId, customerId);
  if (!existing) return;
  const addresses = [...(existing.addresses ?? [])];
  const isKnownAddress = (a: CustomerAddress) =>
    addresses.some((b) => b.postalCode === a.postalCode && b.line1.toLowerCase() === a.line1.toLowerCase());
  const addAddress = patch.address && !isKnownAddress(patch.address);
  const addEmail = patch.email && !existing.email;
  if (!addAddress && !addEmail) return;
  if (addAddress) addresses.push(patch.address!);
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: 'SET addresses = :addresses, updatedAt = :at' + (addEmail ? ', email = :email' : ''),
      ExpressionAttributeValues: { ':addresses': addresses, ':at': at.toISOString(), ...(addEmail ? { ':email': patch.email } : {}) },
    }),
  );
}
