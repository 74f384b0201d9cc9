/**
 * ServiceTitan read sync: a page of customers with their locations, contacts, memberships,
 * installed equipment and open estimates, in the vendor-neutral CrmCustomer shape.
 * Docs followed (developer.servicetitan.io API reference, as far as seen): CRM v2 `GET
 * /crm/v2/tenant/{tenant}/customers` with page, pageSize, modifiedOnOrAfter and the paged answer
 * {page, pageSize, hasMore, data}; customer {id, name, type, address{street, unit, city, state, zip,
 * country}, modifiedOn}; contacts {type: MobilePhone|Phone|Email..., value}; memberships {customerId,
 * status, membershipTypeId, to}; installed equipment {locationId, name, manufacturer, model,
 * installedOn}; estimates {status{name}, name, subtotal}. Inferred (not confirmed in the docs seen
 * here): the bulk `customerIds` / `locationIds` filters on the contacts, locations, memberships,
 * equipment and estimates lists, which let one page cost six calls instead of one per customer.
 * The cursor is the next page number.
 */
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';

type Get = <T>(operation: string, path: string) => Promise<T>;
type Paged<T> = { page: number; pageSize: number; hasMore: boolean; data: T[] };
type StAddress = { street?: string; unit?: string | null; city?: string; state?: string; zip?: string; country?: string };

const MEMBERSHIP_STATUS: Record<string, 'active' | 'lapsed' | 'cancelled'> = {
  Active: 'active',
  Expired: 'lapsed',
  Suspended: 'lapsed',
  Canceled: 'cancelled',
  Cancelled: 'cancelled',
};

function address(a: StAddress | undefined) {
  return {
    line1: a?.street ?? '',
    ...(a?.unit ? { line2: a.unit } : {}),
    city: a?.city ?? '',
    region: a?.state ?? '',
    postalCode: a?.zip ?? '',
    country: a?.country === 'USA' || !a?.country ? 'US' : a.country,
  };
}

export async function listServiceTitanCustomers(get: Get, stTenantId: string, query: CrmCustomerQuery): Promise<CrmCustomerPage> {
  const page = Number(query.cursor ?? 1);
  const base = `/crm/v2/tenant/${stTenantId}`;
  const since = query.modifiedSince ? `&modifiedOnOrAfter=${encodeURIComponent(query.modifiedSince)}` : '';
  const customers = await get<Paged<{ id: number; name: string; active?: boolean; address?: StAddress; modifiedOn?: string }>>(
    'list customers',
    `${base}/customers?page=${page}&pageSize=${query.pageSize}${since}`,
  );
  const ids = customers.data.map((c) => c.id).join(',');
  if (!ids) return { customers: [], ...(customers.hasMore ? { nextCursor: String(page + 1) } : {}) };
  const all = `customerIds=${ids}&pageSize=5000`;
  const [contacts, locations, memberships, estimates] = await Promise.all([
    get<Paged<{ customerId: number; type: string; value: string; active?: boolean }>>('list contacts', `${base}/customers/contacts?${all}`),
    get<Paged<{ id: number; customerId: number; active?: boolean; address?: StAddress }>>('list locations', `${base}/locations?${all}`),
    get<Paged<{ id: number; customerId: number; status: string; membershipTypeId?: number; name?: string; to?: string }>>(
      'list memberships',
      `/memberships/v2/tenant/${stTenantId}/memberships?${all}`,
    ),
    get<Paged<{ id: number; customerId: number; name?: string; subtotal?: number; createdOn: string; status?: { name?: string } }>>(
      'list estimates',
      `/sales/v2/tenant/${stTenantId}/estimates?${all}&status=Open`,
    ),
  ]);
  const locationIds = locations.data.map((l) => l.id).join(',');
  const equipment = locationIds
    ? await get<Paged<{ locationId: number; name?: string; manufacturer?: string; model?: string; installedOn?: string }>>(
        'list installed equipment',
        `/equipmentsystems/v2/tenant/${stTenantId}/installed-equipment?locationIds=${locationIds}&pageSize=5000`,
      )
    : { data: [] };
  const result: CrmCustomer[] = customers.data.map((c) => {
    const own = <T extends { customerId: number }>(list: T[]) => list.filter((x) => x.customerId === c.id);
    const ownLocations = own(locations.data).filter((l) => l.active !== false);
    const ownLocationIds = new Set(ownLocations.map((l) => l.id));
    const contactList = own(contacts.data).filter((x) => x.active !== false);
    const membership = own(memberships.data).sort((a, b) => (a.status === 'Active' ? -1 : b.status === 'Active' ? 1 : 0))[0];
    return {
      crmId: String(c.id),
      name: c.name,
      phones: contactList.filter((x) => /phone|mobile/i.test(x.type)).map((x) => x.value),
      emails: contactList.filter((x) => /email/i.test(x.type)).map((x) => x.value),
      locations: (ownLocations.length ? ownLocations : [{ id: undefined, address: c.address }]).map((l) => ({
        ...(l.id !== undefined ? { crmId: String(l.id) } : {}),
        address: address(l.address),
      })),
      ...(membership && MEMBERSHIP_STATUS[membership.status]
        ? {
            membership: {
              status: MEMBERSHIP_STATUS[membership.status]!,
              plan: membership.name ?? `Membership type ${membership.membershipTypeId ?? ''}`.trim(),
              ...(membership.to ? { renewsOn: membership.to.slice(0, 10) } : {}),
              crmId: String(membership.id),
            },
          }
        : {}),
      equipment: equipment.data
        .filter((e) => ownLocationIds.has(e.locationId))
        .map((e) => ({
          kind: e.name ?? 'Equipment',
          ...(e.manufacturer ? { make: e.manufacturer } : {}),
          ...(e.model ? { model: e.model } : {}),
          ...(e.installedOn ? { installedOn: e.installedOn.slice(0, 10) } : {}),
        })),
      openEstimates: own(estimates.data).map((e) => ({
        estimateId: String(e.id),
        summary: e.name ?? 'Estimate',
        ...(e.subtotal !== undefined ? { amount: e.subtotal } : {}),
        createdAt: e.createdOn,
      })),
      ...(c.modifiedOn ? { modifiedAt: c.modifiedOn } : {}),
    };
  });
  return { customers: result, ...(customers.hasMore ? { nextCursor: String(page + 1) } : {}) };
}
