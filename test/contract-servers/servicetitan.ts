/**
 * ServiceTitan contract server: OAuth 2.0 client credentials at `/connect/token` (form body,
 * grant_type=client_credentials; answers {access_token, token_type, expires_in}; a bad client is
 * 400 {"error":"invalid_client"}) and the CRM v2 booking-provider bookings API, which requires
 * `Authorization: Bearer <token>` and `ST-App-Key` (401 otherwise), validates the documented
 * required fields (source, name, summary, isFirstTimeClient, externalId; 400 problem details), and
 * creates / patches / lists bookings (GET with createdOnOrAfter, page, pageSize; {page, pageSize,
 * hasMore, data}). Errors use ServiceTitan's problem-details body {type,title,status,traceId,errors}.
 */
import { randomUUID } from 'node:crypto';
import { ContractServer, type Reply } from './base';

export class ServiceTitanContract extends ContractServer {
  readonly bookings = new Map<number, Record<string, any>>();
  /** Read sync (CRM v2 customers, locations, contacts; memberships; installed equipment; estimates; JPM jobs). */
  readonly customers = new Map<number, Record<string, any>>();
  readonly locations = new Map<number, Record<string, any>>();
  readonly contacts: Array<Record<string, any>> = [];
  readonly memberships: Array<Record<string, any>> = [];
  readonly equipment: Array<Record<string, any>> = [];
  readonly estimates: Array<Record<string, any>> = [];
  readonly jobs = new Map<number, Record<string, any>>();
  private nextRecordId = 5_000_001;
  readonly issuedTokens = new Set<string>();
  private nextId = 9_000_001;

  constructor(
    readonly credentials = { clientId: 'cid.test', clientSecret: 'cs.test-only', appKey: 'ak1.test' },
    readonly stTenantId = '1234567',
    readonly bookingProviderId = '42',
  ) {
    super();
    this.route('POST', /^\/connect\/token$/, (req) => {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
      if (form.get('client_id') !== this.credentials.clientId || form.get('client_secret') !== this.credentials.clientSecret) {
        return { status: 400, body: { error: 'invalid_client' } };
      }
      const token = `st-token-${randomUUID()}`;
      this.issuedTokens.add(token);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 900, scope: 'tn.crm.bookings:w' } };
    });
    const base = `^/crm/v2/tenant/(\\d+)/booking-provider/(\\d+)/bookings`;
    this.route('POST', new RegExp(`${base}$`), (req, [tenant, provider]) => this.authorised(req, tenant!, provider!) ?? this.create(req.json));
    this.route('GET', new RegExp(`${base}$`), (req, [tenant, provider]) => this.authorised(req, tenant!, provider!) ?? this.list(req.query));
    this.route(
      'PATCH',
      new RegExp(`${base}/(\\d+)$`),
      (req, [tenant, provider, id]) => this.authorised(req, tenant!, provider!) ?? this.patch(Number(id), req.json),
    );
    this.readRoutes();
    this.setupRoutes();
  }

  /** Setup lists (what an owner picks mappings from); each entry {id, name, active}. */
  readonly jobTypes: Array<{ id: number; name: string; active: boolean; businessUnitIds?: number[] }> = [
    { id: 7001, name: 'Drain Cleaning', active: true, businessUnitIds: [12] },
    { id: 7002, name: 'AC Repair', active: true, businessUnitIds: [14] },
    { id: 7003, name: 'Old Job Type', active: false },
  ];
  readonly campaigns: Array<{ id: number; name: string; active: boolean }> = [
    { id: 3301, name: 'Google Ads Q4', active: true },
    { id: 3302, name: 'Yard Signs', active: true },
  ];
  readonly businessUnits: Array<{ id: number; name: string; active: boolean }> = [
    { id: 12, name: 'Plumbing Service', active: true },
    { id: 14, name: 'HVAC Service', active: true },
  ];
  readonly technicians: Array<{ id: number; name: string; active: boolean }> = [{ id: 880001, name: 'Dana Tech', active: true }];

  /**
   * Settings, JPM and marketing v2 lists: `GET /jpm/v2/tenant/{t}/job-types`, `/marketing/v2/tenant/{t}/campaigns`,
   * `/settings/v2/tenant/{t}/business-units`, `/settings/v2/tenant/{t}/technicians`, each with page,
   * pageSize (at most 5000) and `active` (True | False | Any; True when absent), answering
   * {page, pageSize, hasMore, totalCount, data}.
   */
  private setupRoutes(): void {
    const lists: Array<[string, () => Array<{ active: boolean }>]> = [
      ['jpm/v2/tenant/(\\d+)/job-types', () => this.jobTypes],
      ['marketing/v2/tenant/(\\d+)/campaigns', () => this.campaigns],
      ['settings/v2/tenant/(\\d+)/business-units', () => this.businessUnits],
      ['settings/v2/tenant/(\\d+)/technicians', () => this.technicians],
    ];
    for (const [path, items] of lists) {
      this.route('GET', new RegExp(`^/${path}$`), (req, [tenant]) => {
        const denied = this.authorisedTenant(req, tenant!);
        if (denied) return denied;
        const page = Number(req.query.get('page') ?? 1);
        const pageSize = Number(req.query.get('pageSize') ?? 50);
        if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) {
          return {
            status: 400,
            body: { ...(this.faultBody(400) as object), title: 'One or more validation errors occurred.', errors: { pageSize: ['1..5000'] } },
          };
        }
        const active = req.query.get('active') ?? 'True';
        const all = items().filter((item) => active === 'Any' || item.active === (active === 'True'));
        const data = all.slice((page - 1) * pageSize, page * pageSize);
        return { status: 200, body: { page, pageSize, hasMore: all.length > page * pageSize, totalCount: all.length, data } };
      });
    }
  }

  /**
   * The read side: `GET /crm/v2/tenant/{t}/customers` (page, pageSize, modifiedOnOrAfter; {page,
   * pageSize, hasMore, data}), and by `customerIds`/`locationIds` (comma-separated, as ServiceTitan
   * list filters take ids): `/crm/v2/tenant/{t}/customers/contacts`, `/crm/v2/tenant/{t}/locations`,
   * `/memberships/v2/tenant/{t}/memberships`, `/equipmentsystems/v2/tenant/{t}/installed-equipment`,
   * `/sales/v2/tenant/{t}/estimates`; and JPM `GET /jpm/v2/tenant/{t}/jobs` (customerId, createdOnOrAfter, externalDataKey/Values), `POST /jpm/v2/tenant/{t}/jobs` for a known customer and
   * location (404 when either is unknown), `PATCH .../jobs/{id}`.
   */
  private readRoutes(): void {
    const paged = (all: Array<Record<string, any>>, query: URLSearchParams): Reply => {
      const page = Number(query.get('page') ?? 1);
      const pageSize = Math.min(Number(query.get('pageSize') ?? 50), 5000);
      return { status: 200, body: { page, pageSize, hasMore: all.length > page * pageSize, data: all.slice((page - 1) * pageSize, page * pageSize) } };
    };
    const ids = (query: URLSearchParams, name: string) => new Set((query.get(name) ?? '').split(',').filter(Boolean).map(Number));
    const read = (path: string, list: (query: URLSearchParams) => Array<Record<string, any>>) =>
      this.route(
        'GET',
        new RegExp(`^/${path.replace('{t}', '(\\d+)')}$`),
        (req, [tenant]) => this.authorisedTenant(req, tenant!) ?? paged(list(req.query), req.query),
      );
    read('crm/v2/tenant/{t}/customers', (q) => {
      const since = q.get('modifiedOnOrAfter');
      return [...this.customers.values()].filter((c) => !since || c.modifiedOn >= new Date(since).toISOString());
    });
    read('crm/v2/tenant/{t}/customers/contacts', (q) => this.contacts.filter((c) => ids(q, 'customerIds').has(c.customerId)));
    read('crm/v2/tenant/{t}/locations', (q) => [...this.locations.values()].filter((l) => ids(q, 'customerIds').has(l.customerId)));
    read('memberships/v2/tenant/{t}/memberships', (q) => this.memberships.filter((m) => ids(q, 'customerIds').has(m.customerId)));
    read('equipmentsystems/v2/tenant/{t}/installed-equipment', (q) => this.equipment.filter((e) => ids(q, 'locationIds').has(e.locationId)));
    read('sales/v2/tenant/{t}/estimates', (q) =>
      this.estimates.filter((e) => ids(q, 'customerIds').has(e.customerId) && (!q.get('status') || e.status.name === q.get('status'))),
    );
    // JPM jobs list: customerId, createdOnOrAfter, externalDataKey + externalDataValues (comma-separated).
    read('jpm/v2/tenant/{t}/jobs', (q) => {
      const customerId = q.get('customerId');
      const since = q.get('createdOnOrAfter');
      const key = q.get('externalDataKey');
      const values = new Set((q.get('externalDataValues') ?? '').split(',').filter(Boolean));
      return [...this.jobs.values()].filter(
        (j) =>
          (!customerId || String(j.customerId) === customerId) &&
          (!since || j.createdOn >= new Date(since).toISOString()) &&
          (!key || j.externalData?.some((d: { key: string; value: string }) => d.key === key && (!values.size || values.has(d.value)))),
      );
    });
    this.route('POST', /^\/jpm\/v2\/tenant\/(\d+)\/jobs$/, (req, [tenant]) => {
      const denied = this.authorisedTenant(req, tenant!);
      if (denied) return denied;
      const body = req.json ?? {};
      const location = this.locations.get(Number(body.locationId));
      if (!this.customers.has(Number(body.customerId)) || !location || location.customerId !== Number(body.customerId)) {
        return { status: 404, body: { ...(this.faultBody(404) as object), title: 'Customer or location not found' } };
      }
      const job = { id: this.nextRecordId++, ...body, jobStatus: 'Scheduled', createdOn: new Date().toISOString() };
      this.jobs.set(job.id, job);
      return { status: 200, body: job };
    });
    this.route('PATCH', /^\/jpm\/v2\/tenant\/(\d+)\/jobs\/(\d+)$/, (req, [tenant, id]) => {
      const denied = this.authorisedTenant(req, tenant!);
      if (denied) return denied;
      const job = this.jobs.get(Number(id));
      if (!job) return { status: 404, body: { ...(this.faultBody(404) as object), title: 'Job not found' } };
      Object.assign(job, req.json ?? {});
      return { status: 200, body: job };
    });
  }

  private authorisedTenant(req: { headers: Record<string, any> }, tenant: string): Reply | undefined {
    return this.authorised(req, tenant, this.bookingProviderId);
  }

  /**
   * Seeds `count` customers, each with a location, a mobile phone and an email contact; every
   * `memberEvery`-th has an active membership, an installed furnace and an open estimate. Phones
   * are +1 512 7xx xxxx from `firstPhone` on. Returns the customers made.
   */
  seedCustomers(count: number, options: { firstPhone?: number; memberEvery?: number; namePrefix?: string } = {}): Array<Record<string, any>> {
    const made: Array<Record<string, any>> = [];
    const at = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const id = this.nextRecordId++;
      const phone = `+1512${String((options.firstPhone ?? 7_000_000) + i).padStart(7, '0')}`;
      const address = { street: `${100 + (i % 9000)} Seed St`, unit: null, city: 'Austin', state: 'TX', zip: '78701', country: 'USA' };
      const customer = {
        id,
        active: true,
        name: `${options.namePrefix ?? 'Seeded'} Customer${id}`,
        type: 'Residential',
        address,
        createdOn: at,
        modifiedOn: at,
      };
      this.customers.set(id, customer);
      const locationId = this.nextRecordId++;
      this.locations.set(locationId, { id: locationId, customerId: id, active: true, name: customer.name, address, createdOn: at, modifiedOn: at });
      this.contacts.push({ id: this.nextRecordId++, customerId: id, type: 'MobilePhone', value: phone, active: true, modifiedOn: at });
      this.contacts.push({ id: this.nextRecordId++, customerId: id, type: 'Email', value: `customer${id}@example.com`, active: true, modifiedOn: at });
      if (options.memberEvery && i % options.memberEvery === 0) {
        this.memberships.push({
          id: this.nextRecordId++,
          customerId: id,
          status: 'Active',
          membershipTypeId: 77,
          from: '2026-01-01',
          to: '2027-01-01',
          customerName: customer.name,
        });
        this.equipment.push({
          id: this.nextRecordId++,
          locationId,
          customerId: id,
          name: 'Furnace',
          manufacturer: 'Carrier',
          model: '59SC5',
          installedOn: '2019-10-01T00:00:00Z',
        });
        this.estimates.push({
          id: this.nextRecordId++,
          customerId: id,
          locationId,
          name: 'AC replacement',
          status: { value: 0, name: 'Open' },
          subtotal: 8450,
          createdOn: at,
        });
      }
      made.push(customer);
    }
    return made;
  }

  /** A customer changed in ServiceTitan (its modifiedOn moves on). */
  touchCustomer(id: number, changes: Record<string, any> = {}): void {
    const customer = this.customers.get(id);
    if (customer) Object.assign(customer, changes, { modifiedOn: new Date().toISOString() });
  }

  /** Revoke every token (the next API call gets 401 and must fetch a new one). */
  revokeTokens(): void {
    this.issuedTokens.clear();
  }

  protected faultBody(status: number): unknown {
    return {
      type: `https://tools.ietf.org/html/rfc7231#section-6.${status >= 500 ? '6.1' : '5.1'}`,
      title: status === 429 ? 'Too Many Requests' : status >= 500 ? 'Internal Server Error' : 'Error',
      status,
      traceId: randomUUID(),
    };
  }

  private authorised(req: { headers: Record<string, any> }, tenant: string, provider: string): Reply | undefined {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !this.issuedTokens.has(token) || req.headers['st-app-key'] !== this.credentials.appKey) {
      return { status: 401, body: { ...(this.faultBody(401) as object), title: 'Unauthorized' } };
    }
    if (tenant !== this.stTenantId || provider !== this.bookingProviderId)
      return { status: 404, body: { ...(this.faultBody(404) as object), title: 'Not Found' } };
    return undefined;
  }

  private create(body: Record<string, any> | undefined): Reply {
    const errors: Record<string, string[]> = {};
    for (const field of ['source', 'name', 'summary', 'externalId'])
      if (typeof body?.[field] !== 'string' || !body[field]) errors[field] = [`The ${field} field is required.`];
    if (typeof body?.isFirstTimeClient !== 'boolean') errors.isFirstTimeClient = ['The isFirstTimeClient field is required.'];
    // BookingPriority: Low | Normal | High | Urgent (optional; Normal when absent).
    if (body?.priority !== undefined && !['Low', 'Normal', 'High', 'Urgent'].includes(body.priority))
      errors.priority = [`Error converting value "${body.priority}" to type 'BookingPriority'.`];
    if (Object.keys(errors).length)
      return { status: 400, body: { ...(this.faultBody(400) as object), title: 'One or more validation errors occurred.', errors } };
    const id = this.nextId++;
    const booking = { id, ...body, status: 'Pending', createdOn: new Date().toISOString(), modifiedOn: new Date().toISOString() };
    this.bookings.set(id, booking);
    return { status: 200, body: booking };
  }

  private list(query: URLSearchParams): Reply {
    const since = query.get('createdOnOrAfter');
    const page = Number(query.get('page') ?? 1);
    const pageSize = Math.min(Number(query.get('pageSize') ?? 50), 500);
    const all = [...this.bookings.values()].filter((b) => !since || b.createdOn >= new Date(since).toISOString());
    const data = all.slice((page - 1) * pageSize, page * pageSize);
    return { status: 200, body: { page, pageSize, hasMore: all.length > page * pageSize, data } };
  }

  private patch(id: number, body: Record<string, any> | undefined): Reply {
    const booking = this.bookings.get(id);
    if (!booking) return { status: 404, body: { ...(this.faultBody(404) as object), title: 'Booking not found' } };
    Object.assign(booking, body, { modifiedOn: new Date().toISOString() });
    return { status: 200, body: booking };
  }
}
