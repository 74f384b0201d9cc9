/**
 * Housecall Pro contract server: `Authorization: Token <api key>` (401 otherwise); customers
 * (search by q, create with addresses that get ids, add an address), jobs (create for a customer
 * and one of its addresses, schedule), job notes. Errors are {"error": {"code", "message"}}.
 */
import { ContractServer, type RecordedRequest, type Reply } from './base';

export class HousecallProContract extends ContractServer {
  readonly customers = new Map<string, Record<string, any>>();
  readonly jobs = new Map<string, Record<string, any>>();
  private counter = 100;

  constructor(readonly apiKey = 'hcp-test-only-key') {
    super();
    this.route('GET', /^\/customers$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const q = (req.query.get('q') ?? '').toLowerCase();
      const found = [...this.customers.values()].filter((c) => !q || JSON.stringify(c).toLowerCase().includes(q));
      return {
        status: 200,
        body: { page: 1, page_size: Number(req.query.get('page_size') ?? 10), total_pages: 1, total_items: found.length, customers: found },
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
      return { status: 200, body: job };
    });
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
