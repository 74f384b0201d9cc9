/**
 * HubSpot read sync: a page of contacts as CrmCustomers.
 * Docs followed (developers.hubspot.com CRM API v3): `GET /crm/v3/objects/contacts?limit=&after=&properties=`
 * (limit at most 100; answer {results[{id, properties, createdAt, updatedAt}], paging.next.after}) for a
 * backfill; `POST /crm/v3/objects/contacts/search` with a filterGroups filter
 * `lastmodifieddate GTE <epoch ms>`, sorts, limit (at most 200), after, properties for an incremental
 * read (the search endpoint returns at most 10,000 results per query). Standard contact properties:
 * firstname, lastname, email, phone, mobilephone, address, city, state, zip, country.
 * Open estimates are the contact's open deals (decided here: HubSpot's sales quotes hang off deals, and
 * a home-services company on HubSpot keeps an estimate as a deal): per page, one v4 batch association
 * read `POST /crm/v4/associations/contacts/deals/batch/read` {inputs[{id}]} (answer {results[{from{id},
 * to[{toObjectId}]}]}, 207 with NO_ASSOCIATIONS_FOUND errors for contacts without deals) and one
 * `POST /crm/v3/objects/deals/batch/read` per 100 deals with dealname, amount, createdate and
 * hs_is_closed (first-hand); a deal JobRelay wrote for a booking (its deal id property set) is a
 * booking, not an estimate.
 * Inferred, not HubSpot's: HubSpot has no memberships or equipment; a membership is read from the
 * custom contact properties `jobrelay_membership_status` / `jobrelay_membership_plan` /
 * `jobrelay_membership_renews_on` when the company keeps them. The cursor is HubSpot's `after`.
 */
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';

type Call = <T>(operation: string, method: string, path: string, payload?: unknown) => Promise<{ body: T }>;
type Contact = { id: string; properties: Record<string, string | null | undefined>; updatedAt?: string };
type ContactPage = { results: Contact[]; paging?: { next?: { after: string } } };

const PROPERTIES = [
  'firstname',
  'lastname',
  'email',
  'phone',
  'mobilephone',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'lastmodifieddate',
  'jobrelay_membership_status',
  'jobrelay_membership_plan',
  'jobrelay_membership_renews_on',
];

const MEMBERSHIP = new Map<string, 'active' | 'lapsed' | 'cancelled'>([
  ['active', 'active'],
  ['lapsed', 'lapsed'],
  ['expired', 'lapsed'],
  ['cancelled', 'cancelled'],
  ['canceled', 'cancelled'],
]);

function toCustomer(contact: Contact): CrmCustomer {
  const p = contact.properties;
  const name = [p.firstname, p.lastname].filter(Boolean).join(' ') || p.email || `HubSpot contact ${contact.id}`;
  const status = MEMBERSHIP.get((p.jobrelay_membership_status ?? '').toLowerCase());
  return {
    crmId: contact.id,
    name,
    phones: [p.mobilephone, p.phone].filter((x): x is string => Boolean(x)),
    emails: p.email ? [p.email] : [],
    locations: p.address
      ? [{ address: { line1: p.address, city: p.city ?? '', region: p.state ?? '', postalCode: p.zip ?? '', country: p.country || 'US' } }]
      : [],
    ...(status
      ? {
          membership: {
            status,
            ...(p.jobrelay_membership_plan ? { plan: p.jobrelay_membership_plan } : {}),
            ...(p.jobrelay_membership_renews_on ? { renewsOn: p.jobrelay_membership_renews_on } : {}),
          },
        }
      : {}),
    equipment: [],
    openEstimates: [],
    ...(contact.updatedAt ? { modifiedAt: contact.updatedAt } : {}),
  };
}

type Deal = { id: string; properties: Record<string, string | null | undefined>; createdAt?: string };

/** The open deals of these contacts, as open estimates by contact id (two calls per 100 deals' worth). */
async function openDealsOf(call: Call, contactIds: string[], bookingDealProperty: string): Promise<Map<string, CrmCustomer['openEstimates']>> {
  const byContact = new Map<string, CrmCustomer['openEstimates']>();
  if (!contactIds.length) return byContact;
  const { body: associations } = await call<{ results?: Array<{ from: { id: string }; to: Array<{ toObjectId: number | string }> }> }>(
    'read contact deals',
    'POST',
    '/crm/v4/associations/contacts/deals/batch/read',
    { inputs: contactIds.map((id) => ({ id })) },
  );
  const links = (associations.results ?? []).flatMap((r) => r.to.map((t) => ({ contactId: String(r.from.id), dealId: String(t.toObjectId) })));
  const dealIds = [...new Set(links.map((l) => l.dealId))];
  const deals = new Map<string, Deal>();
  for (let i = 0; i < dealIds.length; i += 100) {
    const { body } = await call<{ results: Deal[] }>('read deals', 'POST', '/crm/v3/objects/deals/batch/read', {
      properties: ['dealname', 'amount', 'createdate', 'hs_is_closed', bookingDealProperty],
      inputs: dealIds.slice(i, i + 100).map((id) => ({ id })),
    });
    for (const deal of body.results) deals.set(String(deal.id), deal);
  }
  for (const { contactId, dealId } of links) {
    const deal = deals.get(dealId);
    if (!deal || deal.properties.hs_is_closed === 'true' || deal.properties[bookingDealProperty]) continue;
    const amount = Number(deal.properties.amount);
    const estimate = {
      estimateId: deal.id,
      summary: deal.properties.dealname || 'Deal',
      ...(deal.properties.amount && Number.isFinite(amount) ? { amount } : {}),
      createdAt: deal.properties.createdate ?? deal.createdAt ?? '',
    };
    byContact.set(contactId, [...(byContact.get(contactId) ?? []), estimate]);
  }
  return byContact;
}

async function withOpenDeals(call: Call, contacts: Contact[], bookingDealProperty: string): Promise<CrmCustomer[]> {
  const estimates = await openDealsOf(
    call,
    contacts.map((c) => c.id),
    bookingDealProperty,
  );
  return contacts.map((contact) => ({ ...toCustomer(contact), openEstimates: estimates.get(contact.id) ?? [] }));
}

export async function listHubSpotCustomers(call: Call, query: CrmCustomerQuery, bookingDealProperty = 'jobrelay_booking_id'): Promise<CrmCustomerPage> {
  const limit = Math.min(100, query.pageSize);
  const { body } = query.modifiedSince
    ? await call<ContactPage>('search contacts', 'POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(query.modifiedSince)) }] }],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
        properties: PROPERTIES,
        limit,
        ...(query.cursor ? { after: query.cursor } : {}),
      })
    : await call<ContactPage>(
        'list contacts',
        'GET',
        `/crm/v3/objects/contacts?limit=${limit}&properties=${PROPERTIES.join(',')}${query.cursor ? `&after=${encodeURIComponent(query.cursor)}` : ''}`,
      );
  const after = body.paging?.next?.after;
  return { customers: await withOpenDeals(call, body.results, bookingDealProperty), ...(after ? { nextCursor: after } : {}) };
}

/**
 * Contacts by id, after a webhook: `POST /crm/v3/objects/contacts/batch/read` {properties, inputs[{id}]}
 * (at most 100 inputs; answer {status, results[{id, properties, updatedAt}]}; ids HubSpot no longer has
 * are absent from the results). HubSpot CRM API v3, first-hand.
 */
export async function getHubSpotCustomers(call: Call, crmIds: string[], bookingDealProperty = 'jobrelay_booking_id'): Promise<CrmCustomer[]> {
  if (!crmIds.length) return [];
  const { body } = await call<{ results: Contact[] }>('read contacts', 'POST', '/crm/v3/objects/contacts/batch/read', {
    properties: PROPERTIES,
    inputs: crmIds.slice(0, 100).map((id) => ({ id })),
  });
  return withOpenDeals(call, body.results, bookingDealProperty);
}
