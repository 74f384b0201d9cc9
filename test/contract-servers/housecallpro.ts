/**
 * Housecall Pro contract server: `Authorization: Token <api key>` (401 otherwise); customers
 * (search by q, read one by id, create with addresses that get ids, add an address), jobs (create for a customer
 * and one of its addresses, schedule), job notes, leads (create, list by customer). Errors are {"error": {"code", "message"}}.
 */
import { createHmac } from 'node:crypto';
import { ContractServer, type RecordedRequest, type Reply } from './base';

export class HousecallProContract extends ContractServer {
  readonly customers = new Map<string, Record<string, any>>();
  readonly jobs = new Map<string, Record<string, any>>();
  readonly estimates = new Map<string, Record<string, any>>();
  /** Leads (the sales pipeline): an unbooked caller, never a job. */
  readonly leads = new Map<string, Record<string, any>>();
  private counter = 100;

  /** Setup lists (GET /job_fields/job_types, /lead_sources, /employees) and the company the key belongs to. */
  readonly jobTypes = [
    { id: 'jbt_01', name: 'Drain cleaning' },
    { id: 'jbt_02', name: 'Water heater' },
  ];
  readonly leadSources = [{ id: 'ls_01', name: 'Google' }];
  readonly employees = [{ id: 'pro_01', first_name: 'Dana', last_name: 'Tech', role: 'field tech' }];
  readonly company = { id: 'cmp_01', name: 'Demo Plumbing Co' };

  constructor(readonly apiKey = 'hcp-test-only-key') {
    super();
    this.route('GET', /^\/company$/, (req) => this.auth(req) ?? { status: 200, body: this.company });
    const lists: Array<[RegExp, string, () => unknown[]]> = [
      [/^\/job_fields\/job_types$/, 'job_types', () => this.jobTypes],
      [/^\/lead_sources$/, 'lead_sources', () => this.leadSources],
      [/^\/employees$/, 'employees', () => this.employees],
    ];
    // Paged as the rest of the API: page, page_size; {page, page_size, total_pages, total_items, <items>}.
    for (const [pattern, key, items] of lists) {
      this.route('GET', pattern, (req) => {
        const denied = this.auth(req);
        if (denied) return denied;
        const page = Number(req.query.get('page') ?? 1);
        const pageSize = Math.min(Number(req.query.get('page_size') ?? 10), 200);
        const all = items();
        return {
          status: 200,
          body: {
            page,
            page_size: pageSize,
            total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
            total_items: all.length,
            [key]: all.slice((page - 1) * pageSize, page * pageSize),
          },
        };
      });
    }
    this.route('GET', /^\/customers$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      if (!req.query.get('q') && req.query.get('page')) return this.listPage(req.query);
      const q = (req.query.get('q') ?? '').toLowerCase();
      const found = [...this.customers.values()].filter((c) => !q || JSON.stringify(c).toLowerCase().includes(q));
      return {
        status: 200,
        body: { page: 1, page_size: Number(req.query.get('page_size') ?? 10), total_pages: 1, total_items: found.length, customers: found },
      };
    });
    this.route('GET', /^\/customers\/(\w+)$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const customer = this.customers.get(id!);
      return customer ? { status: 200, body: customer } : this.error(404, 'not_found', 'Customer not found');
    });
    // GET /estimates?customer_id=&page=&page_size=: {page, page_size, total_pages, total_items, estimates}.
    this.route('GET', /^\/estimates$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const customerId = req.query.get('customer_id');
      const all = [...this.estimates.values()].filter((e) => !customerId || e.customer?.id === customerId);
      const page = Number(req.query.get('page') ?? 1);
      const pageSize = Math.min(Number(req.query.get('page_size') ?? 10), 200);
      return {
        status: 200,
        body: {
          page,
          page_size: pageSize,
          total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
          total_items: all.length,
          estimates: all.slice((page - 1) * pageSize, page * pageSize),
        },
      };
    });
    this.route('POST', /^\/customers$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const body = req.json ?? {};
      if (!body.first_name && !body.last_name && !body.email && !body.mobile_number)
        return this.error(400, 'bad_request', 'A customer needs a name, email or phone');
      const customer = {
        id: this.id('cus'),
        ...body,
        addresses: (body.addresses ?? []).map((a: object) => ({ id: this.id('adr'), ...a })),
        created_at: new Date().toISOString(),
      };
      this.customers.set(customer.id, customer);
      return { status: 201, body: customer };
    });
    this.route('POST', /^\/customers\/(\w+)\/addresses$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const customer = this.customers.get(id!);
      if (!customer) return this.error(404, 'not_found', 'Customer not found');
      const address = { id: this.id('adr'), ...req.json };
      customer.addresses.push(address);
      return { status: 201, body: address };
    });
    this.route('GET', /^\/jobs$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const customerId = req.query.get('customer_id');
      const jobs = [...this.jobs.values()].filter((j) => !customerId || j.customer_id === customerId);
      const pageSize = Number(req.query.get('page_size') ?? 10);
      return {
        status: 200,
        body: { page: 1, page_size: pageSize, total_pages: Math.ceil(jobs.length / pageSize), total_items: jobs.length, jobs: jobs.slice(0, pageSize) },
      };
    });
    this.route('POST', /^\/jobs$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const body = req.json ?? {};
      const customer = this.customers.get(body.customer_id);
      if (!customer) return this.error(422, 'unprocessable_entity', 'customer_id is not a customer');
      if (!customer.addresses.some((a: { id: string }) => a.id === body.address_id))
        return this.error(422, 'unprocessable_entity', 'address_id is not an address of the customer');
      const job = {
        id: this.id('job'),
        ...body,
        work_status: body.schedule ? 'scheduled' : 'unscheduled',
        notes: body.notes ? [{ id: this.id('nte'), content: body.notes }] : [],
      };
      this.jobs.set(job.id, job);
      return { status: 201, body: job };
    });
    // Leads, as HCP's connector guides list them (field names inferred): POST /leads for a customer
    // (customer_id, or an inline customer) and one of its addresses; GET /leads?customer_id= paged.
    this.route('POST', /^\/leads$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const body = req.json ?? {};
      const customer = this.customers.get(body.customer_id);
      if (!customer && !body.customer) return this.error(422, 'unprocessable_entity', 'customer_id or customer is required');
      if (customer && body.address_id && !customer.addresses.some((a: { id: string }) => a.id === body.address_id))
        return this.error(422, 'unprocessable_entity', 'address_id is not an address of the customer');
      const lead = { id: this.id('lea'), ...body, status: 'open', created_at: new Date().toISOString() };
      this.leads.set(lead.id, lead);
      return { status: 201, body: lead };
    });
    this.route('GET', /^\/leads$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const customerId = req.query.get('customer_id');
      const leads = [...this.leads.values()].filter((l) => !customerId || l.customer_id === customerId);
      const pageSize = Number(req.query.get('page_size') ?? 10);
      return {
        status: 200,
        body: {
          page: 1,
          page_size: pageSize,
          total_pages: Math.max(1, Math.ceil(leads.length / pageSize)),
          total_items: leads.length,
          leads: leads.slice(0, pageSize),
        },
      };
    });
    this.route('POST', /^\/jobs\/(\w+)\/notes$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const job = this.jobs.get(id!);
      if (!job) return this.error(404, 'not_found', 'Job not found');
      const note = { id: this.id('nte'), content: req.json?.content };
      job.notes.push(note);
      return { status: 201, body: note };
    });
    this.route('PUT', /^\/jobs\/(\w+)\/schedule$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const job = this.jobs.get(id!);
      if (!job) return this.error(404, 'not_found', 'Job not found');
      job.schedule = { scheduled_start: req.json?.start_time, scheduled_end: req.json?.end_time };
      job.work_status = 'scheduled';
      return { status: 200, body: job };
    });
    // Erasing a job's schedule takes it off the calendar (HCP's "unschedule"); the job stays, unscheduled.
    this.route('DELETE', /^\/jobs\/(\w+)\/schedule$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const job = this.jobs.get(id!);
      if (!job) return this.error(404, 'not_found', 'Job not found');
      job.schedule = { scheduled_start: null, scheduled_end: null };
      job.work_status = 'unscheduled';
      return { status: 204 };
    });
    this.route('GET', /^\/jobs\/(\w+)$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const job = this.jobs.get(id!);
      return job ? { status: 200, body: job } : this.error(404, 'not_found', 'Job not found');
    });
  }

  /**
   * `GET /customers?page=&page_size=&sort_by=created_at|updated_at&sort_direction=asc|desc`:
   * {page, page_size, total_pages, total_items, customers}.
   */
  private listPage(query: URLSearchParams): Reply {
    const page = Number(query.get('page') ?? 1);
    const pageSize = Math.min(Number(query.get('page_size') ?? 10), 200);
    const by = query.get('sort_by') === 'updated_at' ? 'updated_at' : 'created_at';
    const direction = query.get('sort_direction') === 'desc' ? -1 : 1;
    const all = [...this.customers.values()].sort((a, b) => direction * String(a[by] ?? '').localeCompare(String(b[by] ?? '')));
    return {
      status: 200,
      body: {
        page,
        page_size: pageSize,
        total_pages: Math.max(1, Math.ceil(all.length / pageSize)),
        total_items: all.length,
        customers: all.slice((page - 1) * pageSize, page * pageSize),
      },
    };
  }

  /** Seeds `count` customers, each with one service address (phones 512 9xx xxxx from `firstPhone`). */
  seedCustomers(count: number, options: { firstPhone?: number; namePrefix?: string; estimateEvery?: number } = {}): Array<Record<string, any>> {
    const made: Array<Record<string, any>> = [];
    for (let i = 0; i < count; i++) {
      const at = new Date(Date.now() + i).toISOString();
      const id = this.id('cus');
      const customer = {
        id,
        first_name: options.namePrefix ?? 'Seeded',
        last_name: `Customer${id.replace(/\W/g, '')}`,
        email: `${id}@example.com`,
        mobile_number: `512${String((options.firstPhone ?? 9_000_000) + i).padStart(7, '0')}`,
        addresses: [{ id: this.id('adr'), street: `${300 + (i % 9000)} Pro St`, city: 'Austin', state: 'TX', zip: '78704', country: 'US', type: 'service' }],
        created_at: at,
        updated_at: at,
      };
      this.customers.set(id, customer);
      if (options.estimateEvery && i % options.estimateEvery === 0) {
        // An open estimate (no option decided yet) and an approved one; amounts in cents.
        for (const [name, approval] of [
          ['Tankless water heater', null],
          ['Repipe', 'approved'],
        ] as const) {
          const estimateId = this.id('est');
          this.estimates.set(estimateId, {
            id: estimateId,
            estimate_number: String(1000 + this.estimates.size),
            work_status: 'needs scheduling',
            customer: { id },
            address: customer.addresses[0],
            options: [{ id: this.id('opt'), name, option_number: '1', total_amount: 320_000, approval_status: approval }],
            created_at: at,
          });
        }
      }
      made.push(customer);
    }
    return made;
  }

  /** The webhook signing secret the company copies from Housecall Pro's webhook settings. */
  webhookSecret = 'hcp-webhook-secret-test-only';

  /** A customer changed in Housecall Pro (its updated_at moves on). */
  touchCustomer(id: string, changes: Record<string, unknown> = {}): Record<string, any> {
    const customer = this.customers.get(id)!;
    Object.assign(customer, changes, { updated_at: new Date().toISOString() });
    return customer;
  }

  /**
   * Sends a webhook as Housecall Pro does (inferred, see functions/crm/read-sync-webhook.ts): one
   * event {event, customer} with `Api-Timestamp` (epoch s) and `Api-Signature` = hex
   * HMAC-SHA256(signing secret, "<timestamp>.<body>").
   */
  async sendWebhook(
    url: string,
    event: { event: string; customer: Record<string, unknown> },
    options: { timestampSeconds?: number; secret?: string } = {},
  ): Promise<{ status: number; body: any; ms: number }> {
    const body = JSON.stringify({ ...event, company_id: this.company.id, event_occurred_at: event.customer.updated_at ?? new Date().toISOString() });
    const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', options.secret ?? this.webhookSecret)
      .update(`${timestamp}.${body}`)
      .digest('hex');
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-timestamp': timestamp, 'api-signature': signature },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
  }

  private id(prefix: string): string {
    return `${prefix}_${(this.counter++).toString(16)}`;
  }

  protected faultBody(status: number): unknown {
    return {
      error: {
        code: status === 429 ? 'too_many_requests' : status === 401 ? 'unauthorized' : status >= 500 ? 'internal_server_error' : 'not_found',
        message: `HTTP ${status}`,
      },
    };
  }

  private error(status: number, code: string, message: string): Reply {
    return { status, body: { error: { code, message } } };
  }

  private auth(req: RecordedRequest): Reply | undefined {
    return req.headers.authorization === `Token ${this.apiKey}` ? undefined : { status: 401, body: this.faultBody(401) };
  }
}
