/**
 * Jobber contract server: `POST /api/oauth/token` (refresh_token grant with client id and secret;
 * the refresh token rotates and the old one dies at once, as Jobber documents for apps created
 * after 2024-01-02) and `POST /api/graphql` with `Authorization: Bearer` (401 otherwise). Queries
 * are executed with graphql-js against the schema below, so a field or argument the adapter names
 * that the schema lacks is an `errors` answer, as Jobber gives it. The schema is the subset of
 * Jobber's the adapter uses, as documented or inferred (see functions/crm/adapters/jobber*.ts):
 * confirm it against Jobber's schema explorer before relying on it. Every answer carries
 * `extensions.cost` with the leaky bucket's `throttleStatus`; `throttleNext` makes the next
 * queries answer THROTTLED (HTTP 200, `errors[].extensions.code`), and the base server's faults
 * give 401, 429, 5xx and timeouts. `sendWebhook` signs a payload as Jobber does.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { buildSchema, graphql } from 'graphql';
import { ContractServer, type RecordedRequest, type Reply } from './base';

const SDL = `
  scalar EncodedId
  scalar ISO8601DateTime
  type Query {
    account: Account!
    clients(first: Int, after: String, searchTerm: String, filter: ClientFilterAttributes): ClientConnection!
    client(id: EncodedId!): Client
    job(id: EncodedId!): Job
    productOrServices(first: Int, after: String): ProductOrServiceConnection!
    users(first: Int, after: String): UserConnection!
  }
  type Mutation {
    clientCreate(input: ClientCreateInput!): ClientCreatePayload!
    propertyCreate(clientId: EncodedId!, input: PropertyCreateInput!): PropertyCreatePayload!
    jobCreate(input: JobCreateAttributes!): JobCreatePayload!
    visitEditSchedule(visitId: EncodedId!, input: VisitEditScheduleInput!): VisitEditSchedulePayload!
    jobCreateNote(jobId: EncodedId!, input: JobCreateNoteInput!): JobCreateNotePayload!
    jobClose(jobId: EncodedId!, input: JobCloseInput!): JobClosePayload!
    requestCreate(input: RequestCreateInput!): RequestCreatePayload!
  }
  type Account { id: EncodedId! name: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type UserError { message: String! path: [String!]! }
  type Address { street1: String street2: String city: String province: String postalCode: String country: String }
  type Property { id: EncodedId! address: Address! }
  type PropertyConnection { nodes: [Property!]! pageInfo: PageInfo! }
  type PhoneNumber { number: String! primary: Boolean description: String }
  type Email { address: String! primary: Boolean description: String }
  type Client {
    id: EncodedId! name: String! firstName: String lastName: String
    phones: [PhoneNumber!]! emails: [Email!]! updatedAt: ISO8601DateTime!
    clientProperties(first: Int, after: String): PropertyConnection!
    jobs(first: Int, after: String): JobConnection!
  }
  type ClientConnection { nodes: [Client!]! pageInfo: PageInfo! totalCount: Int! }
  input DateRange { after: ISO8601DateTime before: ISO8601DateTime }
  input ClientFilterAttributes { updatedAt: DateRange }
  enum PhoneNumberDescription { MAIN MOBILE HOME WORK FAX OTHER }
  enum EmailDescription { MAIN WORK PERSONAL OTHER }
  input PhoneNumberCreateAttributes { number: String! primary: Boolean description: PhoneNumberDescription }
  input EmailCreateAttributes { address: String! primary: Boolean description: EmailDescription }
  input ClientCreateInput { firstName: String lastName: String companyName: String phones: [PhoneNumberCreateAttributes!] emails: [EmailCreateAttributes!] }
  type ClientCreatePayload { client: Client userErrors: [UserError!]! }
  input AddressAttributes { street1: String street2: String city: String province: String postalCode: String country: String }
  input PropertyAttributes { address: AddressAttributes! }
  input PropertyCreateInput { properties: [PropertyAttributes!]! }
  type PropertyCreatePayload { properties: [Property!] userErrors: [UserError!]! }
  enum InvoicingType { FIXED_PRICE VISIT_BASED }
  enum InvoicingSchedule { ON_COMPLETION PER_VISIT PERIODIC NEVER }
  input InvoicingAttributes { invoicingType: InvoicingType! invoicingSchedule: InvoicingSchedule! }
  input TimeframeAttributes { startAt: ISO8601DateTime! endAt: ISO8601DateTime }
  input SchedulingAttributes { createVisits: Boolean notifyTeam: Boolean assignedTo: [EncodedId!] }
  input JobCreateLineItemAttributes { productOrServiceId: EncodedId name: String quantity: Float! saveToProductsAndServices: Boolean }
  input JobCreateAttributes {
    propertyId: EncodedId! title: String instructions: String invoicing: InvoicingAttributes!
    timeframe: TimeframeAttributes scheduling: SchedulingAttributes lineItems: [JobCreateLineItemAttributes!]
  }
  type Visit { id: EncodedId! startAt: ISO8601DateTime endAt: ISO8601DateTime }
  type VisitConnection { nodes: [Visit!]! pageInfo: PageInfo! }
  enum JobStatusTypeEnum { requires_invoicing archived late today upcoming action_required on_hold unscheduled active }
  type Job { id: EncodedId! jobNumber: Int! jobStatus: JobStatusTypeEnum! title: String instructions: String visits(first: Int): VisitConnection! }
  enum IncompleteVisitDecisionEnum { DESTROY_ALL COMPLETE_PAST_DESTROY_FUTURE }
  input JobCloseInput { modifyIncompleteVisitsBy: IncompleteVisitDecisionEnum! }
  type JobClosePayload { job: Job userErrors: [UserError!]! }
  type JobConnection { nodes: [Job!]! pageInfo: PageInfo! }
  type JobCreatePayload { job: Job userErrors: [UserError!]! }
  input VisitEditScheduleInput { startAt: ISO8601DateTime! endAt: ISO8601DateTime }
  type VisitEditSchedulePayload { visit: Visit userErrors: [UserError!]! }
  input JobCreateNoteInput { message: String! }
  type JobNote { id: EncodedId! message: String! }
  type JobCreateNotePayload { jobNote: JobNote userErrors: [UserError!]! }
  input RequestCreateInput { clientId: EncodedId! propertyId: EncodedId title: String }
  type Request { id: EncodedId! title: String }
  type RequestCreatePayload { request: Request userErrors: [UserError!]! }
  type ProductOrService { id: EncodedId! name: String! }
  type ProductOrServiceConnection { nodes: [ProductOrService!]! pageInfo: PageInfo! }
  type UserName { full: String! }
  type User { id: EncodedId! name: UserName! }
  type UserConnection { nodes: [User!]! pageInfo: PageInfo! }
`;
const schema = buildSchema(SDL);

type Row = Record<string, any>;

/** Jobber ids are opaque base64 strings (EncodedId). */
const encode = (type: string, n: number) => Buffer.from(`gid://Jobber/${type}/${n}`).toString('base64');

/** Relay-style page of `rows` from the opaque cursor `after` (the index, encoded). */
function page<T>(rows: T[], first: number | undefined, after: string | undefined | null) {
  const start = after ? Number(Buffer.from(after, 'base64').toString('utf8').replace('cursor:', '')) : 0;
  const size = Math.min(first ?? 100, 100);
  const nodes = rows.slice(start, start + size);
  const end = start + nodes.length;
  return {
    nodes,
    pageInfo: { hasNextPage: end < rows.length, endCursor: nodes.length ? Buffer.from(`cursor:${end}`).toString('base64') : null },
    totalCount: rows.length,
  };
}

export class JobberContract extends ContractServer {
  readonly credentials = {
    clientId: 'jobber-client-id',
    clientSecret: `jobber-secret-${randomBytes(6).toString('hex')}`,
    refreshToken: `rt-${randomBytes(8).toString('hex')}`,
  };
  /** The one refresh token that works now (rotated on every refresh). */
  private validRefreshToken = this.credentials.refreshToken;
  private readonly accessTokens = new Set<string>();
  readonly clients = new Map<string, Row>();
  readonly properties = new Map<string, Row>();
  readonly jobs = new Map<string, Row>();
  readonly requestsMade = new Map<string, Row>();
  readonly account = { id: encode('Account', 1), name: 'Demo Plumbing Co (Jobber)' };
  readonly productOrServices = [
    { id: encode('ProductOrService', 1), name: 'Drain cleaning' },
    { id: encode('ProductOrService', 2), name: 'Water heater install' },
  ];
  readonly users = [{ id: encode('User', 1), name: { full: 'Dana Tech' } }];
  /** The leaky bucket (Jobber: 10,000 points, 500 restored per second). */
  bucket = { maximumAvailable: 10_000, currentlyAvailable: 10_000, restoreRate: 500 };
  private throttled: Array<{ currentlyAvailable: number; requestedQueryCost: number }> = [];
  private counter = 100;

  constructor() {
    super();
    this.route('POST', /^\/api\/oauth\/token$/, (req) => this.token(req));
    this.route('POST', /^\/api\/graphql$/, (req) => this.graphql(req));
  }

  /** The next `count` GraphQL requests answer THROTTLED with this much left in the bucket. */
  throttleNext(count: number, currentlyAvailable: number, requestedQueryCost = 1_000): void {
    for (let i = 0; i < count; i++) this.throttled.push({ currentlyAvailable, requestedQueryCost });
  }

  /** Access tokens stop working (expired or revoked early): the next call gets 401. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** Refresh tokens issued so far stop working except the current one (what rotation means). */
  get currentRefreshToken(): string {
    return this.validRefreshToken;
  }

  private token(req: RecordedRequest): Reply {
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (form.get('client_id') !== this.credentials.clientId || form.get('client_secret') !== this.credentials.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    if (form.get('refresh_token') !== this.validRefreshToken) {
      return { status: 401, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid or was already used' } };
    }
    const accessToken = `at-${randomBytes(12).toString('hex')}`;
    this.validRefreshToken = `rt-${randomBytes(8).toString('hex')}`;
    this.accessTokens.add(accessToken);
    return { status: 200, body: { access_token: accessToken, refresh_token: this.validRefreshToken } };
  }

  private cost(requested: number) {
    return { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: { ...this.bucket } };
  }

  private async graphql(req: RecordedRequest): Promise<Reply> {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.accessTokens.has(token)) return { status: 401, body: { message: 'invalid_request', error: 'Unauthorized' } };
    const throttle = this.throttled.shift();
    if (throttle) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits' },
            },
          ],
          extensions: {
            cost: {
              requestedQueryCost: throttle.requestedQueryCost,
              actualQueryCost: null,
              throttleStatus: { ...this.bucket, currentlyAvailable: throttle.currentlyAvailable },
            },
          },
        },
      };
    }
    const result = await graphql({ schema, source: String(req.json?.query ?? ''), variableValues: req.json?.variables ?? {}, rootValue: this.root() });
    return { status: 200, body: { ...result, extensions: { cost: this.cost(10) } } };
  }

  private id(type: string): string {
    return encode(type, this.counter++);
  }

  /** A client as the API shows it (connections resolved with their arguments). */
  private view(client: Row): Row {
    return {
      ...client,
      clientProperties: ({ first, after }: Row) =>
        page(
          client.propertyIds.map((id: string) => this.properties.get(id)),
          first,
          after,
        ),
      jobs: ({ first, after }: Row) =>
        page(
          [...this.jobs.values()].filter((j) => j.clientId === client.id).map((j) => this.jobView(j)),
          first,
          after,
        ),
    };
  }

  private jobView(job: Row): Row {
    return {
      ...job,
      jobStatus: job.closed ? 'archived' : job.visitList.length ? 'upcoming' : 'unscheduled',
      visits: ({ first }: Row) => page(job.visitList, first, null),
    };
  }

  private userError(message: string, path: string[]) {
    return { userErrors: [{ message, path }] };
  }

  private root(): Row {
    return {
      account: () => this.account,
      clients: ({ first, after, searchTerm, filter }: Row) => {
        let rows = [...this.clients.values()];
        if (searchTerm) {
          const term = String(searchTerm).toLowerCase();
          const digits = term.replace(/\D/g, '');
          rows = rows.filter(
            (c) => (digits && c.phones.some((p: Row) => String(p.number).replace(/\D/g, '').includes(digits))) || String(c.name).toLowerCase().includes(term),
          );
        }
        const since = filter?.updatedAt?.after;
        if (since) rows = rows.filter((c) => c.updatedAt >= since);
        return { ...page(rows, first, after), nodes: page(rows, first, after).nodes.map((c) => this.view(c)) };
      },
      client: ({ id }: Row) => (this.clients.has(id) ? this.view(this.clients.get(id)!) : null),
      job: ({ id }: Row) => (this.jobs.has(id) ? this.jobView(this.jobs.get(id)!) : null),
      productOrServices: ({ first, after }: Row) => page(this.productOrServices, first, after),
      users: ({ first, after }: Row) => page(this.users, first, after),
      clientCreate: ({ input }: Row) => {
        if (!input.firstName && !input.lastName && !input.companyName)
          return { client: null, ...this.userError('A client needs a name', ['input', 'firstName']) };
        const client = this.addClient({
          firstName: input.firstName,
          lastName: input.lastName,
          phones: input.phones ?? [],
          emails: input.emails ?? [],
        });
        return { client: this.view(client), userErrors: [] };
      },
      propertyCreate: ({ clientId, input }: Row) => {
        const client = this.clients.get(clientId);
        if (!client) return { properties: null, ...this.userError('Client not found', ['clientId']) };
        const made = input.properties.map((p: Row) => this.addProperty(client, p.address));
        return { properties: made, userErrors: [] };
      },
      jobCreate: ({ input }: Row) => {
        const property = this.properties.get(input.propertyId);
        if (!property) return { job: null, ...this.userError('Property not found', ['input', 'propertyId']) };
        const id = this.id('Job');
        const visitList =
          input.scheduling?.createVisits && input.timeframe
            ? [{ id: this.id('Visit'), startAt: input.timeframe.startAt, endAt: input.timeframe.endAt ?? null }]
            : [];
        const job = { id, jobNumber: this.jobs.size + 1, clientId: property.clientId, ...input, visitList, notes: [] as Row[] };
        this.jobs.set(id, job);
        return { job: this.jobView(job), userErrors: [] };
      },
      visitEditSchedule: ({ visitId, input }: Row) => {
        const visit = [...this.jobs.values()].flatMap((j) => j.visitList).find((v: Row) => v.id === visitId);
        if (!visit) return { visit: null, ...this.userError('Visit not found', ['visitId']) };
        Object.assign(visit, { startAt: input.startAt, endAt: input.endAt ?? null });
        return { visit, userErrors: [] };
      },
      jobCreateNote: ({ jobId, input }: Row) => {
        const job = this.jobs.get(jobId);
        if (!job) return { jobNote: null, ...this.userError('Job not found', ['jobId']) };
        const note = { id: this.id('JobNote'), message: input.message };
        job.notes.push(note);
        return { jobNote: note, userErrors: [] };
      },
      // Closing a job: DESTROY_ALL deletes its incomplete visits (here: all of them); a closed job cannot be closed again.
      jobClose: ({ jobId, input }: Row) => {
        const job = this.jobs.get(jobId);
        if (!job) return { job: null, ...this.userError('Job not found', ['jobId']) };
        if (job.closed) return { job: null, ...this.userError('Job is already closed', ['jobId']) };
        job.closed = true;
        if (input.modifyIncompleteVisitsBy === 'DESTROY_ALL') job.visitList = [];
        return { job: this.jobView(job), userErrors: [] };
      },
      requestCreate: ({ input }: Row) => {
        if (!this.clients.has(input.clientId)) return { request: null, ...this.userError('Client not found', ['input', 'clientId']) };
        const request = { id: this.id('Request'), ...input };
        this.requestsMade.set(request.id, request);
        return { request, userErrors: [] };
      },
    };
  }

  private addClient(fields: { firstName?: string; lastName?: string; phones: Row[]; emails: Row[] }): Row {
    const id = this.id('Client');
    const client = {
      id,
      ...fields,
      name: [fields.firstName, fields.lastName].filter(Boolean).join(' '),
      propertyIds: [] as string[],
      updatedAt: new Date().toISOString(),
    };
    this.clients.set(id, client);
    return client;
  }

  /** A new property of a client, as a person in Jobber adds it. */
  addProperty(client: Row, address: Row): Row {
    const property = { id: this.id('Property'), clientId: client.id, address: { street2: null, country: 'United States', ...address } };
    this.properties.set(property.id, property);
    client.propertyIds.push(property.id);
    return property;
  }

  /** Seeds `count` clients, each with a mobile phone (+1 512 6xx xxxx from `firstPhone`) and one property. */
  seedClients(count: number, options: { firstPhone?: number; namePrefix?: string } = {}): Row[] {
    const made: Row[] = [];
    for (let i = 0; i < count; i++) {
      const client = this.addClient({
        firstName: options.namePrefix ?? 'Seeded',
        lastName: `Client${this.counter}`,
        phones: [
          { number: `(512) ${String((options.firstPhone ?? 6_000_000) + i).replace(/^(\d{3})(\d{4})$/, '$1-$2')}`, primary: true, description: 'MOBILE' },
        ],
        emails: [{ address: `client${this.counter}@example.com`, primary: true, description: 'MAIN' }],
      });
      this.addProperty(client, { street1: `${200 + i} Jobber Way`, city: 'Austin', province: 'TX', postalCode: '78702' });
      made.push(client);
    }
    return made;
  }

  /** Changes a client as a person in Jobber would (its updatedAt moves). */
  updateClient(id: string, change: Partial<{ firstName: string; lastName: string; phones: Row[] }>): Row {
    const client = this.clients.get(id)!;
    Object.assign(client, change, { updatedAt: new Date(Date.now() + 1_000).toISOString() });
    client.name = [client.firstName, client.lastName].filter(Boolean).join(' ');
    return client;
  }

  /**
   * The body Jobber posts for a topic, and its signature (base64 HMAC-SHA256 with the app's client
   * secret). `accountId`: another account that installed the same app (its webhooks carry the same signature).
   */
  webhook(
    topic: string,
    itemId: string,
    occurredAt = new Date().toISOString(),
    secret = this.credentials.clientSecret,
    accountId = this.account.id,
  ): { body: string; signature: string } {
    const body = JSON.stringify({ data: { webHookEvent: { topic, appId: 'jobrelay-app', accountId, itemId, occurredAt } } });
    return { body, signature: createHmac('sha256', secret).update(body, 'utf8').digest('base64') };
  }

  async sendWebhook(url: string, hook: { body: string; signature: string }): Promise<{ status: number; body: any }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jobber-hmac-sha256': hook.signature },
      body: hook.body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  protected faultBody(status: number): unknown {
    return { message: status === 429 ? 'Too Many Requests' : status === 401 ? 'invalid_request' : `HTTP ${status}` };
  }
}
