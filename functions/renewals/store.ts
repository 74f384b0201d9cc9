/**
 * Memberships (service agreements). A membership lives in its customer's partition
 * (`T#<tenant>#CUSTOMER#<customerId>` / `MEMBERSHIP#<id>`), next to the profile; a pointer per
 * membership in `T#<tenant>#MEMBERSHIPS` lists a tenant's memberships for the daily scan, and a
 * pointer per tenant in `RENEWALS` lists the tenants that have any. Charge attempts are items
 * `MEMBERSHIP#<id>#CHARGE#<cycle>#<n>`, created with a condition before the charge, so an attempt
 * is made once however often the scan runs. The customer's `membership` summary (what recognition
 * returns) is kept in step with every change.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BookingRecord } from '../booking/store';
import { customerKeys, setMembershipSummary } from '../recognise/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { formatCents } from '../lifecycle/plan';
import type { MembershipState } from './cadence';
import { queryPages, queryPrefix, sendConditional } from '../shared/dynamo';

export interface Membership extends MembershipState {
  tenantId: string;
  membershipId: string;
  customerId: string;
  plan: string;
  priceCents: number;
  termMonths: number;
  startedOn: string;
  /** The saved card: `token` at the processor, and its customer there (Stripe `cus_...`) when it needs one. */
  paymentMethod: { provider: string; token: string; customerRef?: string };
  lapsedOn?: string;
  lastChargeId?: string;
  /** Visits the plan includes per term (members first: renewals know the visits used, visits.ts). */
  includedVisits?: number;
  /** Bumped by every change; updates are conditional on it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const membershipKeys = {
  membership: (tenantId: string, customerId: string, membershipId: string) => ({
    pk: customerKeys.customer(tenantId, customerId).pk,
    sk: `MEMBERSHIP#${membershipId}`,
  }),
  charge: (tenantId: string, customerId: string, membershipId: string, cycle: string, attempt: number) => ({
    pk: customerKeys.customer(tenantId, customerId).pk,
    sk: `MEMBERSHIP#${membershipId}#CHARGE#${cycle}#${attempt}`,
  }),
  /** A member's completed visit, counted against the term that ends on `cycle` (the renewal date), once per booking. */
  visit: (tenantId: string, customerId: string, membershipId: string, cycle: string, bookingId: string) => ({
    pk: customerKeys.customer(tenantId, customerId).pk,
    sk: `${membershipKeys.visitPrefix(membershipId, cycle)}${bookingId}`,
  }),
  visitPrefix: (membershipId: string, cycle: string) => `MEMBERSHIP#${membershipId}#VISIT#${cycle}#`,
  tenantList: (tenantId: string) => `T#${tenantId}#MEMBERSHIPS`,
  listEntry: (tenantId: string, membershipId: string) => ({ pk: membershipKeys.tenantList(tenantId), sk: `M#${membershipId}` }),
  tenantsPartition: 'RENEWALS',
  tenantEntry: (tenantId: string) => ({ pk: 'RENEWALS', sk: `T#${tenantId}` }),
};

/** Messages about a membership name `membership~<id>~<cycle>` as their subject (one set per cycle). */
export const MEMBERSHIP_SUBJECT_PREFIX = 'membership~';
export function membershipSubject(membershipId: string, cycle: string): string {
  return `${MEMBERSHIP_SUBJECT_PREFIX}${membershipId}~${cycle}`;
}

async function customerSummary(m: Membership): Promise<void> {
  await setMembershipSummary(m.tenantId, m.customerId, {
    status: m.status === 'past_due' ? 'active' : m.status,
    plan: m.plan,
    renewsOn: m.renewsOn,
    membershipId: m.membershipId,
  });
}

export async function putMembership(m: Membership): Promise<void> {
  await documentClient().send(
    new PutCommand({ TableName: config.tableName, Item: { ...membershipKeys.membership(m.tenantId, m.customerId, m.membershipId), type: 'Membership', ...m } }),
  );
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...membershipKeys.listEntry(m.tenantId, m.membershipId), type: 'MembershipListEntry', customerId: m.customerId, membershipId: m.membershipId },
    }),
  );
  await documentClient().send(
    new PutCommand({ TableName: config.tableName, Item: { ...membershipKeys.tenantEntry(m.tenantId), type: 'RenewalTenant', tenantId: m.tenantId } }),
  );
  await customerSummary(m);
}

function strip(item: Record<string, unknown>): Membership {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as unknown as Membership;
}

export async function getMembership(tenantId: string, customerId: string, membershipId: string): Promise<Membership | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: membershipKeys.membership(tenantId, customerId, membershipId), ConsistentRead: true }),
  );
  return Item ? strip(Item) : undefined;
}

/**
 * Counts a completed visit against the membership's current term: one item per booking, created
 * with a condition, so a redelivered job event counts nothing twice (and never races the renewal
 * scan's versioned writes of the membership itself). False when it was counted before.
 */
export async function recordMemberVisit(m: Membership, visit: { bookingId: string; date: string; jobType: string }, at: Date): Promise<boolean> {
  return sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...membershipKeys.visit(m.tenantId, m.customerId, m.membershipId, m.renewsOn, visit.bookingId),
        type: 'MembershipVisit',
        membershipId: m.membershipId,
        ...visit,
        countedAt: at.toISOString(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Visits counted against the term ending on `cycle` (the membership's renewal date; its current term by default). */
export async function countMemberVisits(m: Pick<Membership, 'tenantId' | 'customerId' | 'membershipId' | 'renewsOn'>, cycle = m.renewsOn): Promise<number> {
  const items = await queryPrefix(customerKeys.customer(m.tenantId, m.customerId).pk, membershipKeys.visitPrefix(m.membershipId, cycle), { consistent: true });
  return items.length;
}

export async function listCustomerMemberships(tenantId: string, customerId: string): Promise<Membership[]> {
  const items = await queryPrefix(customerKeys.customer(tenantId, customerId).pk, 'MEMBERSHIP#', {
    filter: '#type = :type',
    names: { '#type': 'type' },
    values: { ':type': 'Membership' },
    consistent: true,
  });
  return items.map(strip);
}

async function queryAll(pk: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for await (const page of queryPages({ TableName: config.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }))
    items.push(...page);
  return items;
}

export async function listRenewalTenants(): Promise<string[]> {
  return (await queryAll(membershipKeys.tenantsPartition)).map((item) => item.tenantId as string);
}

export async function listTenantMemberships(tenantId: string): Promise<Array<{ customerId: string; membershipId: string }>> {
  return (await queryAll(membershipKeys.tenantList(tenantId))).map((item) => ({
    customerId: item.customerId as string,
    membershipId: item.membershipId as string,
  }));
}

/** Writes the changed fields if the membership is still at `m.version`; false when it moved on. */
export async function updateMembership(m: Membership, fields: Partial<Membership>, at: Date): Promise<Membership | undefined> {
  const next = { ...m, ...fields, version: m.version + 1, updatedAt: at.toISOString() };
  const written = await sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...membershipKeys.membership(m.tenantId, m.customerId, m.membershipId), type: 'Membership', ...next },
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': m.version },
    }),
  );
  if (!written) return undefined;
  await customerSummary(next);
  return next;
}

export interface ChargeAttempt {
  outcome: 'pending' | 'paid' | 'declined';
  chargeId?: string;
  reason?: string;
  at: string;
}

/** Claims attempt n of a cycle; returns the existing attempt when it was claimed before. */
export async function claimChargeAttempt(
  m: Membership,
  cycle: string,
  attempt: number,
  at: Date,
): Promise<{ claimed: true } | { claimed: false; existing: ChargeAttempt }> {
  const key = membershipKeys.charge(m.tenantId, m.customerId, m.membershipId, cycle, attempt);
  const claimed = await sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...key, type: 'MembershipCharge', outcome: 'pending', at: at.toISOString(), amountCents: m.priceCents },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  if (claimed) return { claimed: true };
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
  return { claimed: false, existing: Item as ChargeAttempt };
}

export async function recordChargeAttempt(m: Membership, cycle: string, attempt: number, result: ChargeAttempt): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: {
        ...membershipKeys.charge(m.tenantId, m.customerId, m.membershipId, cycle, attempt),
        type: 'MembershipCharge',
        amountCents: m.priceCents,
        ...result,
      },
    }),
  );
}

/**
 * The notify worker's view of a membership message's subject (notify/send.ts): who it goes
 * to and the facts it quotes. Undefined for anything that is not a membership subject.
 */
export async function membershipMessageSubject(
  tenantId: string,
  subjectId: string,
): Promise<Pick<BookingRecord, 'customerId' | 'jobTypeId' | 'window' | 'request' | 'messageVars'> | undefined> {
  if (!subjectId.startsWith(MEMBERSHIP_SUBJECT_PREFIX)) return undefined;
  const [membershipId] = subjectId.slice(MEMBERSHIP_SUBJECT_PREFIX.length).split('~');
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': membershipKeys.tenantList(tenantId), ':sk': `M#${membershipId}` },
    }),
  );
  const entry = Items[0];
  if (!entry) return undefined;
  const m = await getMembership(tenantId, entry.customerId as string, membershipId!);
  if (!m) return undefined;
  const used = await countMemberVisits(m);
  return {
    customerId: m.customerId,
    jobTypeId: 'membership',
    window: null,
    request: {} as BookingRecord['request'],
    messageVars: {
      plan: m.plan,
      renewsOn: m.renewsOn,
      amount: formatCents(m.priceCents),
      visitsUsed: m.includedVisits !== undefined ? `${used} of ${m.includedVisits}` : String(used),
    },
  };
}
