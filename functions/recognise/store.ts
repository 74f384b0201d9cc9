/**
 * Customers. A customer lives at `T#<tenant>#CUSTOMER#<id>`. Lookup items point at it:
 * - a phone claim `T#<tenant>#PHONE#<e164>` and an email claim `T#<tenant>#EMAIL#<email>`, each
 *   unique, created in the same transaction as the customer with a condition, so two concurrent
 *   first-time callers with one phone (or email) can never become two customers;
 * - address index items `T#<tenant>#ADDRESS#<normalised>` / `CUSTOMER#<id>` (several customers may
 *   share an address: a landlord and a tenant), written with the customer or when it gains an address.
 */
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient } from '../shared/clients';
import { getItems, sendConditional } from '../shared/dynamo';
import { config } from '../shared/config';
import type { CrmCustomer, CrmLink } from '../crm/read-sync-schemas';
import { normalizeAddress } from './address';
import { similarNames } from './match';
import { normalizeEmail, normalizePhone } from './phone';

export const customerKeys = {
  customer: (tenantId: string, customerId: string) => ({ pk: `T#${tenantId}#CUSTOMER#${customerId}`, sk: 'PROFILE' }),
  phoneClaim: (tenantId: string, phoneE164: string) => ({ pk: `T#${tenantId}#PHONE#${phoneE164}`, sk: 'CUSTOMER' }),
  emailClaim: (tenantId: string, email: string) => ({ pk: `T#${tenantId}#EMAIL#${email}`, sk: 'CUSTOMER' }),
  /** The CRM's customer id -> ours (read sync): unique, so a re-read page updates instead of creating. */
  crmClaim: (tenantId: string, adapter: string, crmCustomerId: string) => ({ pk: `T#${tenantId}#CRMCUSTOMER#${adapter}#${crmCustomerId}`, sk: 'CUSTOMER' }),
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
  /** The language messages go out in (absent: English); the customer's reply ESPAÑOL / ENGLISH sets it. */
  language?: 'en' | 'es';
}

export interface CustomerRecord extends CustomerProfileFields {
  tenantId: string;
  customerId: string;
  name: string;
  /** The preferred phone for messages: the latest one the customer gave (its claim points here). */
  phoneE164: string;
  /** Every phone the customer gave, latest first (each one's claim points here; lookups find them by any). */
  phones?: string[];
  /** The preferred email: the latest one given. */
  email?: string;
  /** Every email the customer gave, latest first. */
  emails?: string[];
  addresses: CustomerAddress[];
  /** The CRM customer this record is (read sync): bookings are written against these ids. */
  crm?: CrmLink;
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

/** A stored customer with the profile fields an older record may lack filled in as empty (also for readers that fetched the item with others). */
export function withProfile(item: Record<string, unknown>): CustomerRecord {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return { ...emptyProfile(), ...(rest as unknown as CustomerRecord) };
}

export async function getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: customerKeys.customer(tenantId, customerId), ConsistentRead: true }),
  );
  return Item ? withProfile(Item) : undefined;
}

/**
 * The customer and other items by key (the booking that names it) in one consistent BatchGetItem
 * instead of one GetItem each (issue 19: crm/write.ts reads the booking and its customer together).
 */
export async function getCustomerWith(
  tenantId: string,
  customerId: string,
  keys: ReadonlyArray<{ pk: string; sk: string }>,
): Promise<{ customer?: CustomerRecord; items: Array<Record<string, unknown> | undefined> }> {
  const { customers, items } = await getCustomersWith(tenantId, [customerId], keys);
  return { customer: customers[0], items };
}

/**
 * Customers (those found; at most 99) and other items by key in one consistent BatchGetItem (issue 19:
 * RecogniseCustomer reads the booking with the customers its caller's claims named).
 */
export async function getCustomersWith(
  tenantId: string,
  customerIds: readonly string[],
  keys: ReadonlyArray<{ pk: string; sk: string }>,
): Promise<{ customers: CustomerRecord[]; items: Array<Record<string, unknown> | undefined> }> {
  const ids = [...new Set(customerIds)].slice(0, 100 - keys.length);
  const found = await getItems([...keys, ...ids.map((id) => customerKeys.customer(tenantId, id))], { consistent: true });
  const customers = found.slice(keys.length).filter((item): item is Record<string, unknown> => Boolean(item));
  return { customers: customers.map(withProfile), items: found.slice(0, keys.length) };
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

/** One item of a TransactWriteItems: what a caller adds to a customer write (the booking's own change, a review item). */
export type CustomerWriteAlso = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Creates the customer with its lookup items in one transaction. `claimPhone`/`claimEmail` say which
 * unique claims to take (an uncertain-match record books without the claim another customer holds).
 * A claim taken concurrently by someone else fails the whole write: the caller recognises again.
 * `also`: writes that belong with the new customer (the booking that points at it), in the same
 * transaction: one request, and never a customer without the booking's pointer (issue 19).
 */
export async function createCustomer(
  customer: CustomerRecord,
  claims: { phone: boolean; email: boolean },
  also: CustomerWriteAlso[] = [],
): Promise<CreateOutcome> {
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
    ...also,
  ];
  if (await sendConditional(new TransactWriteCommand({ TransactItems: items }))) return { created: true, customerId: customer.customerId };
  const phoneOwner = claims.phone ? await findCustomerIdByPhone(customer.tenantId, customer.phoneE164) : undefined;
  return { created: false, conflict: phoneOwner ? 'phone' : 'email' };
}

/** Takes a phone or email claim for the customer unless another customer holds it: true when it is theirs. */
function takeClaim(key: { pk: string; sk: string }, type: 'PhoneClaim' | 'EmailClaim', customerId: string): Promise<boolean> {
  return sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...key, type, customerId },
      ConditionExpression: 'attribute_not_exists(pk) OR customerId = :self',
      ExpressionAttributeValues: { ':self': customerId },
    }),
  );
}

/**
 * Adds what the caller told us to the record, never silently dropping it (issue 15): a new service
 * address; a new phone or email becomes the preferred one for messages (the latest given) and the
 * earlier ones stay known (`phones`, `emails`; their claims still find the customer). A phone or
 * email another customer holds is left with them. `existing` is the record as the caller just read
 * it (findCandidates), not read again; `language` is the one the caller spoke (the bot heard it).
 * The customer's update, a new address's index item and `also` (the booking's pointer at the
 * customer) go in one request (issue 19); only a new phone or email claim, whose refusal is an
 * answer (another customer holds it), is its own conditional write first.
 */
export async function enrichCustomer(
  existing: CustomerRecord,
  patch: { phoneE164?: string; email?: string; address?: CustomerAddress; language?: 'en' | 'es' },
  at: Date,
  also: CustomerWriteAlso[] = [],
): Promise<void> {
  const { tenantId, customerId } = existing;
  const addresses = [...(existing.addresses ?? [])];
  const addressKey = patch.address ? normalizeAddress(patch.address) : undefined;
  const addAddress = patch.address && !addresses.some((a) => normalizeAddress(a) === addressKey);
  const addPhone =
    Boolean(patch.phoneE164 && patch.phoneE164 !== existing.phoneE164) &&
    (await takeClaim(customerKeys.phoneClaim(tenantId, patch.phoneE164!), 'PhoneClaim', customerId));
  const addEmail =
    Boolean(patch.email && patch.email !== existing.email) && (await takeClaim(customerKeys.emailClaim(tenantId, patch.email!), 'EmailClaim', customerId));
  if (addAddress) addresses.push(patch.address!);
  // Profile fields an older record lacks are stored as empty facts, so lookups read real fields.
  const values: Record<string, unknown> = { ':addresses': addresses, ':at': at.toISOString() };
  const names: Record<string, string> = {};
  const sets = ['addresses = :addresses', 'updatedAt = :at'];
  const latestFirst = (latest: string, current: string | undefined, known: string[] | undefined) => [
    ...new Set([latest, ...(known ?? (current ? [current] : []))]),
  ];
  if (addPhone) {
    sets.push('phoneE164 = :phone', 'phones = :phones');
    values[':phone'] = patch.phoneE164;
    values[':phones'] = latestFirst(patch.phoneE164!, existing.phoneE164, existing.phones);
  }
  if (addEmail) {
    sets.push('email = :email', 'emails = :emails');
    values[':email'] = patch.email;
    values[':emails'] = latestFirst(patch.email!, existing.email, existing.emails);
  }
  if (patch.language) {
    sets.push('#language = :language');
    names['#language'] = 'language';
    values[':language'] = patch.language;
  }
  Object.entries(emptyProfile()).forEach(([key, value], index) => {
    sets.push(`${key} = if_not_exists(${key}, :p${index})`);
    values[`:p${index}`] = value;
  });
  const update = {
    TableName: config.tableName,
    Key: customerKeys.customer(tenantId, customerId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
  const addressItem = addAddress
    ? [{ Put: { TableName: config.tableName, Item: { ...customerKeys.addressIndex(tenantId, addressKey!, customerId), type: 'AddressIndex', customerId } } }]
    : [];
  if (!addressItem.length && !also.length) {
    await documentClient().send(new UpdateCommand(update));
    return;
  }
  await documentClient().send(new TransactWriteCommand({ TransactItems: [{ Update: update }, ...addressItem, ...also] }));
}

/** The customers a caller's phone, email and normalised address point at (tenant-scoped by key). */
/** The claim items a caller's phone and email are looked up by (phone first), as findCandidates and the bookings route read them. */
export function callerClaimKeys(tenantId: string, facts: { phoneE164?: string; email?: string }): Array<{ pk: string; sk: string }> {
  return [
    ...(facts.phoneE164 ? [customerKeys.phoneClaim(tenantId, facts.phoneE164)] : []),
    ...(facts.email ? [customerKeys.emailClaim(tenantId, facts.email)] : []),
  ];
}

/** The customer a claim item (as read by key) names. */
export function claimOwnerOf(claim: Record<string, unknown> | undefined): string | undefined {
  return claim?.customerId as string | undefined;
}

/**
 * The customers a caller's phone, email and normalised address point at (tenant-scoped by key).
 * `known`: the claims' owners as read already (the bookings route's read) and the customers read
 * with them; only the address index is read then, and the customers it names beyond those.
 */
export async function findCandidates(
  tenantId: string,
  facts: { phoneE164?: string; email?: string; addressKey?: string },
  known?: { phoneId?: string; emailId?: string; customers: CustomerRecord[] },
): Promise<{ byPhone?: CustomerRecord; byEmail?: CustomerRecord; byAddress: CustomerRecord[] }> {
  // The phone and email claims in one request (issue 19), beside the address index's query.
  const claimKeys = known ? [] : callerClaimKeys(tenantId, facts);
  const [claims, addressIds] = await Promise.all([
    claimKeys.length ? getItems(claimKeys, { consistent: true }) : [],
    facts.addressKey ? findCustomerIdsByAddress(tenantId, facts.addressKey) : [],
  ]);
  const phoneId = known ? known.phoneId : facts.phoneE164 ? claimOwnerOf(claims[0]) : undefined;
  const emailId = known ? known.emailId : facts.email ? claimOwnerOf(claims[facts.phoneE164 ? 1 : 0]) : undefined;
  const read = known?.customers ?? [];
  const customers = [
    ...read,
    ...(await getCustomers(
      tenantId,
      [phoneId, emailId, ...addressIds].filter((id): id is string => Boolean(id) && !read.some((c) => c.customerId === id)),
    )),
  ];
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

/** The language the customer's messages go out in (their reply ESPAÑOL / ENGLISH, the bot, the CRM). */
export async function setCustomerLanguage(tenantId: string, customerId: string, language: 'en' | 'es', at: Date): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: 'SET #language = :language, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#language': 'language' },
      ExpressionAttributeValues: { ':language': language, ':at': at.toISOString() },
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

export function findCustomerIdByCrmId(tenantId: string, adapter: string, crmCustomerId: string): Promise<string | undefined> {
  return claimOwner(customerKeys.crmClaim(tenantId, adapter, crmCustomerId));
}

export type CrmUpsertOutcome = { customerId: string; outcome: 'created' | 'updated' | 'linked' | 'skipped'; writes: number };

/**
 * A customer read from the CRM (crm/read-sync.ts), stored once per CRM id:
 * - already linked (the CRM-id claim): its CRM facts are refreshed (membership, open estimates,
 *   equipment, new locations), nothing is created;
 * - a JobRelay customer holds its phone (or email) under a similar name: that customer is linked
 *   to the CRM id (one person, one record);
 * - otherwise a new customer with the CRM-id claim and the free phone/email claims, in one
 *   transaction, so a page read again after a crash finds it and never makes a second one.
 * The CRM owns these facts; JobRelay's own (service history, account, preferences) are left alone.
 * `skipped`: no valid phone and no email, nothing a caller could be recognised by.
 */
export async function upsertCrmCustomer(tenantId: string, adapter: string, crm: CrmCustomer, country: string, at: Date): Promise<CrmUpsertOutcome> {
  const phones = [...new Set(crm.phones.map((p) => normalizePhone(p, country)).filter((p): p is string => Boolean(p)))];
  const emails = [...new Set(crm.emails.map((e) => normalizeEmail(e)).filter((e): e is string => Boolean(e)))];
  const addresses = crm.locations.map((l) => l.address);
  const link: CrmLink = {
    adapter,
    customerId: crm.crmId,
    locations: Object.fromEntries(crm.locations.filter((l) => l.crmId).map((l) => [normalizeAddress(l.address), l.crmId!])),
    syncedAt: at.toISOString(),
  };
  const facts = {
    membership: crm.membership ? { status: crm.membership.status, plan: crm.membership.plan, renewsOn: crm.membership.renewsOn } : undefined,
    openEstimates: crm.openEstimates,
    equipment: crm.equipment,
  };

  const linkedId = await findCustomerIdByCrmId(tenantId, adapter, crm.crmId);
  if (linkedId) return { customerId: linkedId, outcome: 'updated', writes: await refreshCrmFacts(tenantId, linkedId, link, addresses, facts, at) };

  const owners = await Promise.all([...phones.map((p) => findCustomerIdByPhone(tenantId, p)), ...emails.map((e) => findCustomerIdByEmail(tenantId, e))]);
  const ownerId = owners.find((id): id is string => Boolean(id));
  const owner = ownerId ? await getCustomer(tenantId, ownerId) : undefined;
  if (owner && !owner.crm && similarNames(owner.name, crm.name)) {
    const claimed = await sendConditional(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...customerKeys.crmClaim(tenantId, adapter, crm.crmId), type: 'CrmCustomerClaim', customerId: owner.customerId },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (!claimed) return upsertCrmCustomer(tenantId, adapter, crm, country, at);
    return { customerId: owner.customerId, outcome: 'linked', writes: 1 + (await refreshCrmFacts(tenantId, owner.customerId, link, addresses, facts, at)) };
  }
  if (!phones.length && !emails.length) return { customerId: '', outcome: 'skipped', writes: 0 };

  const customerId = ulid(at.getTime());
  const freePhones = phones.filter((_, i) => !owners[i]);
  const freeEmails = emails.filter((_, i) => !owners[phones.length + i]);
  const record: CustomerRecord = {
    tenantId,
    customerId,
    name: crm.name,
    phoneE164: phones[0] ?? '',
    ...(emails[0] ? { email: emails[0] } : {}),
    addresses,
    ...emptyProfile(),
    ...(facts.membership ? { membership: facts.membership } : {}),
    openEstimates: facts.openEstimates,
    equipment: facts.equipment,
    crm: link,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const put = (Item: Record<string, unknown>, conditional = true) => ({
    Put: { TableName: config.tableName, Item, ...(conditional ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) },
  });
  const items = [
    put({ ...customerKeys.customer(tenantId, customerId), type: 'Customer', ...record }),
    put({ ...customerKeys.crmClaim(tenantId, adapter, crm.crmId), type: 'CrmCustomerClaim', customerId }),
    ...freePhones.map((p) => put({ ...customerKeys.phoneClaim(tenantId, p), type: 'PhoneClaim', customerId })),
    ...freeEmails.map((e) => put({ ...customerKeys.emailClaim(tenantId, e), type: 'EmailClaim', customerId })),
    ...[...new Set(addresses.map(normalizeAddress))].map((key) =>
      put({ ...customerKeys.addressIndex(tenantId, key, customerId), type: 'AddressIndex', customerId }, false),
    ),
  ];
  // A claim taken meanwhile (a caller booking right now, or the same page in a second delivery): read again.
  if (!(await sendConditional(new TransactWriteCommand({ TransactItems: items })))) return upsertCrmCustomer(tenantId, adapter, crm, country, at);
  return { customerId, outcome: 'created', writes: items.length };
}

/** The CRM's facts on a customer already linked to it. Returns the writes made. */
async function refreshCrmFacts(
  tenantId: string,
  customerId: string,
  link: CrmLink,
  crmAddresses: CustomerAddress[],
  facts: { membership?: CustomerProfileFields['membership']; openEstimates: CustomerProfileFields['openEstimates']; equipment: EquipmentRecord[] },
  at: Date,
): Promise<number> {
  const existing = await getCustomer(tenantId, customerId);
  if (!existing) return 0;
  const known = new Set(existing.addresses.map(normalizeAddress));
  const added = crmAddresses.filter((a) => !known.has(normalizeAddress(a)));
  const equipmentKey = (e: EquipmentRecord) => `${e.kind}|${e.make ?? ''}|${e.model ?? ''}`.toLowerCase();
  const crmEquipment = new Set(facts.equipment.map(equipmentKey));
  const values: Record<string, unknown> = {
    ':crm': { ...link, locations: { ...(existing.crm?.locations ?? {}), ...link.locations } },
    ':addresses': [...existing.addresses, ...added],
    ':estimates': facts.openEstimates,
    ':equipment': [...facts.equipment, ...existing.equipment.filter((e) => !crmEquipment.has(equipmentKey(e)))],
    ':at': at.toISOString(),
  };
  const sets = ['crm = :crm', 'addresses = :addresses', 'openEstimates = :estimates', 'equipment = :equipment', 'updatedAt = :at'];
  if (facts.membership) {
    values[':membership'] = facts.membership;
    sets.push('membership = :membership');
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: customerKeys.customer(tenantId, customerId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeValues: values,
    }),
  );
  for (const address of added) {
    await documentClient().send(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...customerKeys.addressIndex(tenantId, normalizeAddress(address), customerId), type: 'AddressIndex', customerId },
      }),
    );
  }
  return 1 + added.length;
}
