/**
 * Housecall Pro read sync: a page of customers (with their addresses) as CrmCustomers.
 * Docs followed (Housecall Pro public API reference, docs.housecallpro.com): `GET /customers` with
 * page, page_size, sort_by, sort_direction; answer {page, page_size, total_pages, total_items,
 * customers[{id, first_name, last_name, email, mobile_number, home_number, work_number,
 * addresses[{id, street, street_line_2, city, state, zip, country}], updated_at}]}.
 * Inferred: the API documents no modified-since filter, so an incremental read sorts by `updated_at`
 * descending and stops at the first customer older than the watermark. Housecall Pro's public API
 * has no memberships or installed equipment; open estimates are not read (one call per customer).
 * The cursor is the next page number.
 */
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';

type Call = <T>(operation: string, method: string, path: string) => Promise<{ body: T }>;
type HcpAddress = { id: string; street?: string; street_line_2?: string; city?: string; state?: string; zip?: string; country?: string };
type HcpCustomer = {
  id: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  mobile_number?: string;
  home_number?: string;
  work_number?: string;
  addresses?: HcpAddress[];
  updated_at?: string;
};

function toCustomer(c: HcpCustomer): CrmCustomer {
  return {
    crmId: c.id,
    name: [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || `Housecall Pro customer ${c.id}`,
    phones: [c.mobile_number, c.home_number, c.work_number].filter((x): x is string => Boolean(x)),
    emails: c.email ? [c.email] : [],
    locations: (c.addresses ?? []).map((a) => ({
      crmId: a.id,
      address: {
        line1: a.street ?? '',
        ...(a.street_line_2 ? { line2: a.street_line_2 } : {}),
        city: a.city ?? '',
        region: a.state ?? '',
        postalCode: a.zip ?? '',
        country: !a.country || a.country === 'USA' ? 'US' : a.country,
      },
    })),
    equipment: [],
    openEstimates: [],
    ...(c.updated_at ? { modifiedAt: c.updated_at } : {}),
  };
}

export async function listHousecallProCustomers(call: Call, query: CrmCustomerQuery): Promise<CrmCustomerPage> {
  const page = Number(query.cursor ?? 1);
  const order = query.modifiedSince ? '&sort_by=updated_at&sort_direction=desc' : '&sort_by=created_at&sort_direction=asc';
  const { body } = await call<{ page: number; total_pages: number; customers: HcpCustomer[] }>(
    'list customers',
    'GET',
    `/customers?page=${page}&page_size=${query.pageSize}${order}`,
  );
  const since = query.modifiedSince ? Date.parse(query.modifiedSince) : undefined;
  const fresh = since === undefined ? body.customers : body.customers.filter((c) => !c.updated_at || Date.parse(c.updated_at) >= since);
  // Sorted newest first: once one is older than the watermark, so is every page after it.
  const more = page < body.total_pages && fresh.length === body.customers.length;
  return { customers: fresh.map(toCustomer), ...(more ? { nextCursor: String(page + 1) } : {}) };
}
