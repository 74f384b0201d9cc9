/**
 * HubSpot read sync: a page of contacts as CrmCustomers.
 * Docs followed (developers.hubspot.com CRM API v3): `GET /crm/v3/objects/contacts?limit=&after=&properties=`
 * (limit at most 100; answer {results[{id, properties, createdAt, updatedAt}], paging.next.after}) for a
 * backfill; `POST /crm/v3/objects/contacts/search` with a filterGroups filter
 * `lastmodifieddate GTE <epoch ms>`, sorts, limit (at most 200), after, properties for an incremental
 * read (the search endpoint returns at most 10,000 results per query). Standard contact properties:
 * firstname, lastname, email, phone, mobilephone, address, city, state, zip, country.
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

export async function listHubSpotCustomers(call: Call, query: CrmCustomerQuery): Promise<CrmCustomerPage> {
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
  return { customers: body.results.map(toCustomer), ...(after ? { nextCursor: after } : {}) };
}
