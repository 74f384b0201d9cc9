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
