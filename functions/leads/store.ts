/**
 * Leads in DynamoDB, one partition per tenant (`T#<tenant>#LEADS`):
 * - `LEAD#<ulid>`: the lead (ULIDs of its creation time, so a period is a key range);
 * - `WAIT#<trade>#<waitlistedAt>#<leadId>`: the waitlist, earliest first per trade, while waitlisted;
 * - `CUST#<customerId>#<leadId>`: a customer's unsettled leads (closed when that customer books).
 * - `PHONE#<e164>#<leadId>`: the unsettled leads of a caller known only by phone (closed when that phone books);
 * - `CRMSYNC#LEAD#<leadId>`: the CRM outbox row of a lead without a booking (crm/outbox-store.ts).
 * A lead made from a booking request is linked both ways: `leadId` on the booking, set once by the
 * same transaction that creates the lead, so a replayed or resumed request finds the same lead.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import { bookingKeys, getBookingRecord } from '../booking/store';
import { getHoldCaller, holdCallerLeadItem } from '../capacity/hold-caller-store';
import type { TransactItem } from '../capacity/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { queryPages, queryPrefix, sendConditional } from '../shared/dynamo';
import type { LeadRecord, LeadStatus } from './schemas';

export const leadKeys = {
  partition: (tenantId: string) => `T#${tenantId}#LEADS`,
  lead: (tenantId: string, leadId: string) => ({ pk: leadKeys.partition(tenantId), sk: `LEAD#${leadId}` }),
  waitPrefix: (trade: string) => `WAIT#${trade}#`,
  wait: (tenantId: string, trade: string, waitlistedAt: string, leadId: string) => ({
    pk: leadKeys.partition(tenantId),
    sk: `${leadKeys.waitPrefix(trade)}${waitlistedAt}#${leadId}`,
  }),
  customerPrefix: (customerId: string) => `CUST#${customerId}#`,
  customer: (tenantId: string, customerId: string, leadId: string) => ({
    pk: leadKeys.partition(tenantId),
    sk: `${leadKeys.customerPrefix(customerId)}${leadId}`,
  }),
  /** A contact-only lead's phone (E.164): its open leads, closed when that phone books. */
  phonePrefix: (phoneE164: string) => `PHONE#${phoneE164}#`,
  phone: (tenantId: string, phoneE164: string, leadId: string) => ({
    pk: leadKeys.partition(tenantId),
    sk: `${leadKeys.phonePrefix(phoneE164)}${leadId}`,
  }),
};

const LEAD_FIELDS = [
  'leadId',
  'status',
  'reason',
  'detail',
  'customerId',
  'bookingId',
  'jobTypeId',
  'trade',
  'postalCode',
  'holdId',
  'contact',
  'phoneE164',
  'crm',
  'attribution',
  'channel',
  'transcript',
  'callbackReviewItemId',
  'waitlistedAt',
  'offer',
  'offers',
  'bookedBookingId',
  'createdAt',
  'updatedAt',
] as const;

function toLead(item: Record<string, unknown>): LeadRecord {
  return Object.fromEntries(LEAD_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as LeadRecord;
}

export async function getLead(tenantId: string, leadId: string): Promise<LeadRecord | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: leadKeys.lead(tenantId, leadId), ConsistentRead: true }));
  return Item ? toLead(Item) : undefined;
}

/**
 * Creates the lead of a booking request (and links the booking, or the hung-up hold's caller, to it)
 * in one transaction. When that one already has a lead (a replay, a resumed run, a second sweep),
 * nothing is written and that lead is returned.
 */
export async function createLead(tenantId: string, lead: LeadRecord): Promise<{ lead: LeadRecord; created: boolean }> {
  const created = await sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: config.tableName,
            Item: { ...leadKeys.lead(tenantId, lead.leadId), type: 'Lead', tenantId, ...lead },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...(lead.customerId
          ? [
              {
                Put: {
                  TableName: config.tableName,
                  Item: { ...leadKeys.customer(tenantId, lead.customerId, lead.leadId), type: 'LeadOfCustomer', leadId: lead.leadId },
                },
              },
            ]
          : []),
        ...(!lead.customerId && lead.phoneE164
          ? [
              {
                Put: {
                  TableName: config.tableName,
                  Item: { ...leadKeys.phone(tenantId, lead.phoneE164, lead.leadId), type: 'LeadOfPhone', leadId: lead.leadId },
                },
              },
            ]
          : []),
        ...(lead.bookingId
          ? [
              {
                Update: {
                  TableName: config.tableName,
                  Key: bookingKeys.booking(tenantId, lead.bookingId),
                  UpdateExpression: 'SET leadId = :leadId',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(leadId)',
                  ExpressionAttributeValues: { ':leadId': lead.leadId },
                },
              },
            ]
          : []),
        // A hung-up caller's lead is tied to the hold's caller once (capacity/hold-caller-store.ts).
        ...(lead.holdId ? [holdCallerLeadItem(tenantId, lead.holdId, lead.leadId)] : []),
      ],
    }),
  );
  if (created) return { lead, created: true };
  const linked = lead.bookingId
    ? (await getBookingRecord(tenantId, lead.bookingId))?.leadId
    : lead.holdId
      ? (await getHoldCaller(tenantId, lead.holdId))?.leadId
      : undefined;
  const existing = linked ? await getLead(tenantId, linked) : undefined;
  if (!existing) throw new Error(`Lead ${lead.leadId} could not be created`);
  return { lead: existing, created: false };
}

/** Sets fields on a lead whose status is one of `onlyFrom`; false when it is not (or is gone). */
function leadUpdate(tenantId: string, leadId: string, fields: Partial<LeadRecord>, onlyFrom: LeadStatus[], at: Date) {
  const entries = Object.entries({ ...fields, updatedAt: at.toISOString() }).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {};
  const sets = entries.map(([key, value], i) => {
    names[`#f${i}`] = key;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  const from = onlyFrom.map((status, i) => {
    values[`:from${i}`] = status;
    return `:from${i}`;
  });
  return {
    TableName: config.tableName,
    Key: leadKeys.lead(tenantId, leadId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: `attribute_exists(pk) AND #status IN (${from.join(', ')})`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export async function setCallbackItem(tenantId: string, leadId: string, reviewItemId: string, at: Date): Promise<void> {
  await sendConditional(
    new TransactWriteCommand({
      TransactItems: [{ Update: leadUpdate(tenantId, leadId, { callbackReviewItemId: reviewItemId }, ['open', 'waitlisted', 'offered'], at) }],
    }),
  );
}

/** open/offered -> waitlisted, and onto its trade's waitlist. False when the lead is in another state. */
export async function waitlistLead(tenantId: string, lead: LeadRecord, at: Date): Promise<boolean> {
  const waitlistedAt = at.toISOString();
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        { Update: leadUpdate(tenantId, lead.leadId, { status: 'waitlisted', waitlistedAt }, ['open', 'offered'], at) },
        {
          Put: {
            TableName: config.tableName,
            Item: { ...leadKeys.wait(tenantId, lead.trade, waitlistedAt, lead.leadId), type: 'LeadWaitlist', leadId: lead.leadId },
          },
        },
      ],
    }),
  );
}

/** waitlisted -> offered with the freed window, off the waitlist. False when someone else got there first. */
export async function recordOffer(
  tenantId: string,
  lead: LeadRecord,
  offer: NonNullable<LeadRecord['offer']>,
  at: Date,
  /** Written with the offer, all or nothing (the change's follow-up noting whom it offered the window: booking/follow-up-store.ts). */
  alsoWrite: TransactItem[] = [],
): Promise<boolean> {
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        { Update: leadUpdate(tenantId, lead.leadId, { status: 'offered', offer, offers: (lead.offers ?? 0) + 1 }, ['waitlisted'], at) },
        { Delete: { TableName: config.tableName, Key: leadKeys.wait(tenantId, lead.trade, lead.waitlistedAt!, lead.leadId) } },
        ...alsoWrite,
      ],
    }),
  );
}

/** The customer booked after all: the lead is served (off the waitlist and the customer's open leads). */
export async function markLeadBooked(tenantId: string, lead: LeadRecord, bookingId: string, at: Date): Promise<boolean> {
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        { Update: leadUpdate(tenantId, lead.leadId, { status: 'booked', bookedBookingId: bookingId }, ['open', 'waitlisted', 'offered'], at) },
        ...(lead.status === 'waitlisted' && lead.waitlistedAt
          ? [{ Delete: { TableName: config.tableName, Key: leadKeys.wait(tenantId, lead.trade, lead.waitlistedAt, lead.leadId) } }]
          : []),
        ...(lead.customerId ? [{ Delete: { TableName: config.tableName, Key: leadKeys.customer(tenantId, lead.customerId, lead.leadId) } }] : []),
        ...(!lead.customerId && lead.phoneE164
          ? [{ Delete: { TableName: config.tableName, Key: leadKeys.phone(tenantId, lead.phoneE164, lead.leadId) } }]
          : []),
      ],
    }),
  );
}

async function leadsByIds(tenantId: string, ids: string[]): Promise<LeadRecord[]> {
  const leads = await Promise.all(ids.map((id) => getLead(tenantId, id)));
  return leads.filter((lead): lead is LeadRecord => Boolean(lead));
}

/** A customer's leads not yet served. */
export async function openLeadsOfCustomer(tenantId: string, customerId: string): Promise<LeadRecord[]> {
  const rows = await queryPrefix(leadKeys.partition(tenantId), leadKeys.customerPrefix(customerId), { consistent: true });
  return leadsByIds(
    tenantId,
    rows.map((row) => row.leadId as string),
  );
}

/** The open leads of a caller known only by phone (no customer record when they called). */
export async function openLeadsOfPhone(tenantId: string, phoneE164: string): Promise<LeadRecord[]> {
  const rows = await queryPrefix(leadKeys.partition(tenantId), leadKeys.phonePrefix(phoneE164), { consistent: true });
  return leadsByIds(
    tenantId,
    rows.map((row) => row.leadId as string),
  );
}

/** Where the CRM has a lead without a booking (crm/write.ts writeLeadToCrm). */
export async function setLeadCrm(tenantId: string, leadId: string, crm: NonNullable<LeadRecord['crm']>): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: leadKeys.lead(tenantId, leadId),
      UpdateExpression: 'SET crm = :crm',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':crm': crm },
    }),
  );
}

/** The waitlist of a trade, earliest waitlisted first (at most `limit`). */
export async function waitlistOf(tenantId: string, trade: string, limit: number): Promise<LeadRecord[]> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': leadKeys.partition(tenantId), ':prefix': leadKeys.waitPrefix(trade) },
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return leadsByIds(
    tenantId,
    Items.map((row) => row.leadId as string),
  );
}

/** Leads newest first, optionally of one status. */
export async function listLeads(tenantId: string, filter: { status?: LeadStatus; limit: number }): Promise<LeadRecord[]> {
  const leads: LeadRecord[] = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ...(filter.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
    ExpressionAttributeValues: { ':pk': leadKeys.partition(tenantId), ':prefix': 'LEAD#', ...(filter.status ? { ':status': filter.status } : {}) },
    ScanIndexForward: false,
  })) {
    leads.push(...page.map(toLead));
    if (leads.length >= filter.limit) break;
  }
  return leads.slice(0, filter.limit);
}

/** Every lead created in [from, to) (ISO instants): the report's unbooked demand. */
export async function listLeadsCreated(tenantId: string, range: { from: string; to: string }): Promise<LeadRecord[]> {
  const leads: LeadRecord[] = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': leadKeys.partition(tenantId),
      ':from': `LEAD#${encodeTime(Date.parse(range.from), 10)}`,
      ':to': `LEAD#${encodeTime(Date.parse(range.to), 10)}`,
    },
  })) {
    leads.push(...page.map(toLead).filter((lead) => lead.createdAt >= range.from && lead.createdAt < range.to));
  }
  return leads;
}
