/**
 * Housecall Pro read sync: a page of customers (with their addresses) as CrmCustomers.
 * Docs followed (Housecall Pro public API reference, docs.housecallpro.com): `GET /customers` with
 * page, page_size, sort_by, sort_direction; answer {page, page_size, total_pages, total_items,
 * customers[{id, first_name, last_name, email, mobile_number, home_number, work_number,
 * addresses[{id, street, street_line_2, city, state, zip, country}], updated_at}]}.
 * Inferred: the API documents no modified-since filter, so an incremental read sorts by `updated_at`
 * descending and stops at the first customer older than the watermark. Housecall Pro's public API
 * has no memberships or installed equipment. Open estimates: `GET /estimates?customer_id=` per
 * customer (documented list; the API has no filter for several customers, so a page of 100 costs
 * 100 more calls, 10 at a time). Inferred from the estimate objects: an estimate is open while none
 * of its options is approved or declined and it is not cancelled; amounts are in cents.
 * The cursor is the next page number.
 */
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';

type Call = <T>(operation: string, method: string, path: string) => Promise<{ body: T }>;
/** Like Call, but a 404 is undefined (the customer is gone). */
type Find = <T>(operation: string, path: string) => Promise<T | undefined>;
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

type HcpEstimate = {
  id: string;
  estimate_number?: string;
  work_status?: string;
  created_at?: string;
  options?: Array<{ name?: string; total_amount?: number; approval_status?: string | null }>;
};

/** Customers read at once for their estimates. */
const ESTIMATE_CONCURRENCY = 10;

function openEstimates(estimates: HcpEstimate[]): CrmCustomer['openEstimates'] {
  return estimates
    .filter((e) => !/cancel/i.test(e.work_status ?? '') && !(e.options ?? []).some((o) => o.approval_status === 'approved' || o.approval_status === 'declined'))
    .map((e) => {
      const totals = (e.options ?? []).map((o) => o.total_amount).filter((a): a is number => typeof a === 'number');
      return {
        estimateId: e.id,
        summary: e.options?.[0]?.name || `Estimate ${e.estimate_number ?? e.id}`,
        ...(totals.length ? { amount: Math.max(...totals) / 100 } : {}),
        createdAt: e.created_at ?? '',
      };
    });
}

/** Each customer with its open estimates. */
async function withEstimates(call: Call, customers: HcpCustomer[]): Promise<CrmCustomer[]> {
  const result: CrmCustomer[] = [];
  for (let i = 0; i < customers.length; i += ESTIMATE_CONCURRENCY) {
    result.push(
      ...(await Promise.all(
        customers.slice(i, i + ESTIMATE_CONCURRENCY).map(async (c) => {
          const { body } = await call<{ estimates?: HcpEstimate[] }>(
            'list estimates',
            'GET',
            `/estimates?customer_id=${encodeURIComponent(c.id)}&page=1&page_size=50`,
          );
          return { ...toCustomer(c), openEstimates: openEstimates(body.estimates ?? []) };
        }),
      )),
    );
  }
  return result;
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
  return { customers: await withEstimates(call, fresh), ...(more ? { nextCursor: String(page + 1) } : {}) };
}

/** Customers by id, after a webhook: `GET /customers/{id}` each (the API has no batch read); one that is gone is left out. */
export async function getHousecallProCustomers(find: Find, call: Call, crmIds: string[]): Promise<CrmCustomer[]> {
  const found = await Promise.all(crmIds.map((id) => find<HcpCustomer>('read customer', `/customers/${encodeURIComponent(id)}`)));
  return withEstimates(
    call,
    found.filter((c): c is HcpCustomer => Boolean(c)),
  );
}
