/**
 * Jobber read sync: a page of clients with their properties (service addresses), as CrmCustomers.
 * First-hand (developer.getjobber.com "API Queries and Mutations", and the GraphQL connection
 * convention it follows): `clients(first, after) { nodes {...} pageInfo { hasNextPage endCursor } }`.
 * Inferred (the schema explorer was not available here): the client fields `name`, `phones
 * {number}`, `emails {address}`, `updatedAt`, `clientProperties(first) { nodes { id address
 * {street1 street2 city province postalCode country} } }` and the filter `filter: { updatedAt: {
 * after } }` for an incremental run. Jobber's API has no memberships or installed equipment; open
 * quotes are not read yet. The cursor is Jobber's `endCursor`.
 */
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';
import type { JobberGraphQl } from './jobber-graphql';

interface JobberAddress {
  street1?: string | null;
  street2?: string | null;
  city?: string | null;
  province?: string | null;
  postalCode?: string | null;
  country?: string | null;
}
export interface JobberClientNode {
  id: string;
  name?: string | null;
  phones?: Array<{ number?: string | null }>;
  emails?: Array<{ address?: string | null }>;
  updatedAt?: string | null;
  clientProperties?: { nodes: Array<{ id: string; address?: JobberAddress | null }> };
}

/** The client fields every read asks for (a page, one client after a webhook, a phone search). */
export const CLIENT_FIELDS = `id name updatedAt phones { number } emails { address }
  clientProperties(first: 20) { nodes { id address { street1 street2 city province postalCode country } } }`;

const CLIENTS_PAGE = `query JobRelayClients($first: Int!, $after: String, $filter: ClientFilterAttributes) {
  clients(first: $first, after: $after, filter: $filter) { nodes { ${CLIENT_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;

const ONE_CLIENT = `query JobRelayClient($id: EncodedId!) { client(id: $id) { ${CLIENT_FIELDS} } }`;

function country(value: string | null | undefined): string {
  if (!value || /^(us|usa|united states)$/i.test(value)) return 'US';
  if (/^canada$/i.test(value)) return 'CA';
  return value.length === 2 ? value.toUpperCase() : value;
}

export function jobberClientToCustomer(c: JobberClientNode): CrmCustomer {
  return {
    crmId: c.id,
    name: c.name?.trim() || `Jobber client ${c.id}`,
    phones: (c.phones ?? []).map((p) => p.number ?? '').filter(Boolean),
    emails: (c.emails ?? []).map((e) => e.address ?? '').filter(Boolean),
    locations: (c.clientProperties?.nodes ?? []).map((p) => ({
      crmId: p.id,
      address: {
        line1: p.address?.street1 ?? '',
        ...(p.address?.street2 ? { line2: p.address.street2 } : {}),
        city: p.address?.city ?? '',
        region: p.address?.province ?? '',
        postalCode: p.address?.postalCode ?? '',
        country: country(p.address?.country),
      },
    })),
    equipment: [],
    openEstimates: [],
    ...(c.updatedAt ? { modifiedAt: c.updatedAt } : {}),
  };
}

export async function listJobberClients(api: JobberGraphQl, query: CrmCustomerQuery): Promise<CrmCustomerPage> {
  const data = await api.request<{ clients: { nodes: JobberClientNode[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } }>(
    'list clients',
    CLIENTS_PAGE,
    {
      // Each client asks for up to 20 properties: a page of 50 stays well inside the cost bucket.
      first: Math.min(query.pageSize, 50),
      after: query.cursor ?? null,
      filter: query.modifiedSince ? { updatedAt: { after: query.modifiedSince } } : null,
    },
  );
  const { nodes, pageInfo } = data.clients;
  return {
    customers: nodes.map(jobberClientToCustomer),
    ...(pageInfo.hasNextPage && pageInfo.endCursor ? { nextCursor: pageInfo.endCursor } : {}),
  };
}

/** One client by id (a webhook said it changed); undefined when Jobber no longer has it. */
export async function readJobberClient(api: JobberGraphQl, id: string): Promise<CrmCustomer | undefined> {
  const data = await api.request<{ client: JobberClientNode | null }>('read client', ONE_CLIENT, { id });
  return data.client ? jobberClientToCustomer(data.client) : undefined;
}
