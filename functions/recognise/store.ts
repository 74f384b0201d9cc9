/**
 * Customers. A customer lives at `T#<tenant>#CUSTOMER#<id>`. Lookup items point at it:
 * - a phone claim `T#<tenant>#PHONE#<e164>` and an email claim `T#<tenant>#EMAIL#<email>`, each
 *   unique, created in the same transaction as the customer with a condition, so two concurrent
 *   first-time callers with one phone (or email) can never become two customers;
 * - address index items `T#<tenant>#ADDRESS#<normalised>` / `CUSTOMER#<id>` (several customers may
 *   share an address: a landlord and a tenant), written with the customer or when it gains an address.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { sendConditional } from '../shared/dynamo';
import { config } from '../shared/config';
import { normalizeAddress } from './address';

export const customerKeys = {
  customer: (tenantId: string, customerId: string) => ({ pk: `T#${tenantId}#CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  phoneClaim: (tenantId: string, phoneE164: string) => ({ pk: `T#${tenantId}#PHONE#${phoneE164}`, sk: 'CUSTOMER' }),
  emailClaim: (tenantId: string, email: string) => ({ pk: `T#${tenantId}#EMAIL#${email}`, sk: 'CUSTOMER' }),
  addressPartition: (tenantId: string, addressKey: string) => `T#${tenantId}#ADDRESS#${addressKey}`,
  addressIndex: (tenantId: string, addressKey: string, customerId: string) => ({
    pk: customerKeys.addressPartition(tenantId, addressKey),
    sk: `CUSTOMER#${customerId}`,
  }),
};

export interface CustomerAddress {
  line1: string;
  line2?: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface ServiceVisit {
  bookingId?: string;
  date: string;
  jobType: string;
  summary?: string;
  technicianId?: string;
  /** From the field when the job completed (functions/lifecycle/). */
  equipmentNotes?: string;
  technicianNotes?: string;
}

export interface EquipmentRecord {
  kind: string;
  make?: string;
  model?: string;
  installedOn?: string;
  warrantyUntil?: string;
}

export interface CustomerProfileFields {
  serviceHistory: ServiceVisit[];
  equipment: EquipmentRecord[];
  membership: { status: 'none' | 'active' | 'lapsed' | 'cancelled'; plan?: string; renewsOn?: string };
  openEstimates: Array<{ estimateId: string; summary: string; amount?: number; createdAt: string }>;
  communicationPreferences: { channels: Array<'sms' | 'email' | 'call'>; quietHours?: { start: string; end: string }; optedOut: boolean };
  /** Written by the job lifecycle when a job is paid: account status, last-paid date and amount. */
  account?: { status: 'current' | 'balance_due'; lastPaidAt?: string; lastPaidAmountCents?: number; balanceCents?: number };
  /** Next maintenance visit due (YYYY-MM-DD), set when a job type with an interval completes. */
  nextMaintenanceDue?: string;
}

export interface CustomerRecord extends CustomerProfileFields {
  tenantId: string;
  customerId: string;
  name: string;
  phoneE164: string;
  email?: string;
  addresses: CustomerAddress[];
  createdAt: string;
  updatedAt: string;
}

/** What a new customer starts with: real, stored, empty facts (filled by the CRM sync and the lifecycle). */
export function emptyProfile(): CustomerProfileFields {
  return {
    serviceHistory: [],
    equipment: [],
    membership: { status: 'none' },
    openEstimates: [],
    communicationPreferences: { channels: ['sms'], optedOut: false },
  };
}

async function claimOwner(key: { pk: string; sk: string }): Promise<string | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
  return Item?.customerId as string | undefined;
}

export function findCustomerIdByPhone(tenantId: string, phoneE164: string): Promise<string | undefined> {
  return claimOwner(customerKeys.phoneClaim(tenantId, phoneE164));
}

export function findCustomerIdByEmail(tenantId: string, email: string): Promise<string | undefined> {
  return claimOwner(customerKeys.emailClaim(tenantId, email));
}

export async function findCustomerIdsByAddress(tenantId: string, addressKey: string): Promise<string[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': customerKeys.addressPartition(tenantId, addressKey) },
      ConsistentRead: true,
      Limit: 25,
    }),
  );
  return Items.map((item) => item.customerId as string);
}

/** A stored customer with the profile fields an older record may lack filled in as empty. */
function withProfile(item: Record<string, unknown>): CustomerRecord {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return { ...emptyProfile(), ...(rest as unknown as CustomerRecord) };
}

export async function getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: customerKeys.customer(tenantId, customerId), ConsistentRead: true }),
  );
  return Item ? withProfile(Item) : undefined;
}

export async function getCustomers(tenantId: string, customerIds: string[]): Promise<CustomerRecord[]> {
  const ids = [...new Set(customerIds)].slice(0, 100);
  if (!ids.length) return [];
  const { Responses } = await documentClient().send(
    new BatchGetCommand({
      RequestItems: { [config.tableName]: { Keys: ids.map((id) => customerKeys.customer(tenantId, id)), ConsistentRead: true } },
    }),
  );
  const found = (Responses?.[config.tableName] ?? []).map(withProfile);
  return ids.map((id) => found.find((c) => c.customerId === id)).filter((c): c is CustomerRecord => Boolean(c));
}

export type CreateOutcome = { created: true; customerId: string } | { created: false; conflict: 'phone' | 'email' };

/**
 * Creates the customer with its lookup items in one transaction. `claimPhone`/`claimEmail` say which
 * unique claims to take (an uncertain-match record books without the claim another customer holds).
 * A claim taken concurrently by someone else fails the whole write: the caller recognises again.
 */
export async function createCustomer(customer: CustomerRecord, claims: { phone: boolean; email: boolean }): Promise<CreateOutcome> {
  const put = (Item: Record<string, unknown>) => ({
    Put: { TableName: config.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const items = [
    put({ ...customerKeys.customer(customer.tenantId, customer.customerId), type: 'Customer', ...customer }),
    ...(claims.phone ? [put({ ...customerKeys.phoneClaim(customer.tenantId, customer.phoneE164), type: 'PhoneClaim', customerId: customer.customerId })] : []),
    ...(claims.email && customer.email
      ? [put({ ...customerKeys.emailClaim(customer.tenantId, customer.email), type: 'EmailClaim', customerId: customer.customerId })]
      : []),
    ...customer.addresses.map((address) => ({
      Put: {
        TableName: config.tableName,
        Item: {
          ...customerKeys.addressIndex(customer.tenantId, normalizeAddress(address), customer.customerId),
          type: 'AddressIndex',
          customerId: customer.customerId,
        },
      },
    })),
  ];
  if (await sendConditional(new TransactWriteCommand({ TransactItems: items }))) return { created: true, customerId: customer.customerId };
  const phoneOwner = claims.phone ? await findCustomerIdByPhone(customer.tenantId, customer.phoneE164) : undefined;
  return { created: false, conflict: phoneOwner ? 'phone' : 'email' };
}

/** Adds what the caller told us that the record lacks (a new service address, a missing email). */
export async function enrichCustomer(tenantId: string, customerId: string, patch: { email?: string; address?: CustomerAddress }, at: Date): Promise<void> {
  const existing = await getCustomer(tenantId, customerId);
  if (!existing) return;
  const addresses = [...(existing.addresses ?? [])];
  const addressKey = patch.address ? normalizeAddress(patch.address) : undefined;
  const addAddress = patch.address && !addresses.some((a) => normalizeAddress(a) === addressKey);
  let addEmail = Boolean(patch.email && !existing.email);
  if (addEmail) {
    // Take the email claim only if nobody holds it; otherwise leave the record as it is.
    addEmail = await sendConditional(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...customerKeys.emailClaim(tenantId, patch.email!), type: 'EmailClaim', customerId },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
  if (addAddress) {
    addresses.push(patch.address!);
    await documentClient().send(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...customerKeys.addressIndex(tenantId, addressKey!, customerId), type: 'AddressIndex', customerId },
      }),
    );
  }
  // Profile fields an older record lacks are stored as empty facts, so lookups read real fields.
  const values: Record<string, unknown> = { ':addresses': addresses, ':at': at.toISOString() };
  const sets = ['addresses = :addresses', 'updatedAt = :at'];
  if (addEmail) {
    sets.push('email = :email');
    values[':email'] = patch.email;
  }
  Object.entries(emptyProfile()).forEach(([key, value], index) => {
    sets.push(`${key} = if_not_exists(${key}, :p${index})`);
    values[`:p${index}`] = value;
  });
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeValues: values,
    }),
  );
}

/** The customers a caller's phone, email and normalised address point at (tenant-scoped by key). */
export async function findCandidates(
  tenantId: string,
  facts: { phoneE164?: string; email?: string; addressKey?: string },
): Promise<{ byPhone?: CustomerRecord; byEmail?: CustomerRecord; byAddress: CustomerRecord[] }> {
  const [phoneId, emailId, addressIds] = await Promise.all([
    facts.phoneE164 ? findCustomerIdByPhone(tenantId, facts.phoneE164) : undefined,
    facts.email ? findCustomerIdByEmail(tenantId, facts.email) : undefined,
    facts.addressKey ? findCustomerIdsByAddress(tenantId, facts.addressKey) : [],
  ]);
  const customers = await getCustomers(
    tenantId,
    [phoneId, emailId, ...addressIds].filter((id): id is string => Boolean(id)),
  );
  const byId = (id?: string) => (id ? customers.find((c) => c.customerId === id) : undefined);
  return {
    byPhone: byId(phoneId),
    byEmail: byId(emailId),
    byAddress: addressIds.map(byId).filter((c): c is CustomerRecord => Boolean(c)),
  };
}

/** STOP / START from the customer: messages stop or resume (the worker checks this before every send). */
export async function setMessagingOptOut(tenantId: string, customerId: string, optedOut: boolean, at: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: 'SET communicationPreferences.optedOut = :optedOut, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':optedOut': optedOut, ':at': at.toISOString() },
    }),
  );
}

/**
 * A completed job's visit on the customer's service history, with the equipment it found and the
 * next maintenance date: once per booking (the visit's booking id is remembered), so a redelivered
 * event adds nothing. False when the customer is missing or the visit is already there.
 */
export async function recordServiceVisit(
  tenantId: string,
  customerId: string,
  facts: { visit: ServiceVisit & { bookingId: string }; equipment: EquipmentRecord[]; nextMaintenanceDue?: string },
): Promise<boolean> {
  const values: Record<string, unknown> = {
    ':visit': [facts.visit],
    ':empty': [],
    ':equipment': facts.equipment,
    ':id': facts.visit.bookingId,
    ':ids': new Set([facts.visit.bookingId]),
  };
  let extra = '';
  if (facts.nextMaintenanceDue) {
    values[':next'] = facts.nextMaintenanceDue;
    extra = ', nextMaintenanceDue = :next';
  }
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: `SET serviceHistory = list_append(if_not_exists(serviceHistory, :empty), :visit), equipment = list_append(if_not_exists(equipment, :empty), :equipment)${extra} ADD serviceVisitBookingIds :ids`,
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(serviceVisitBookingIds, :id)',
      ExpressionAttributeValues: values,
    }),
  );
}

/** A payment's account facts, never replacing a newer payment's. False when skipped. */
export async function recordPayment(
  tenantId: string,
  customerId: string,
  payment: { paidAt: string; amountCents: number; balanceCents: number },
): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: 'SET account = :account',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(account.lastPaidAt) OR account.lastPaidAt < :at)',
      ExpressionAttributeValues: {
        ':at': payment.paidAt,
        ':account': {
          status: payment.balanceCents > 0 ? 'balance_due' : 'current',
          lastPaidAt: payment.paidAt,
          lastPaidAmountCents: payment.amountCents,
          balanceCents: payment.balanceCents,
        },
      },
    }),
  );
}

/** The membership summary on the profile (the membership itself is renewals/store.ts's). */
export async function setMembershipSummary(
  tenantId: string,
  customerId: string,
  summary: CustomerProfileFields['membership'] & { membershipId: string },
): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: 'SET membership = :summary',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':summary': summary },
    }),
  );
}
