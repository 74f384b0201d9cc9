/**
 * HubSpot contract server (CRM API v3/v4): private-app bearer auth (401 INVALID_AUTHENTICATION),
 * contacts and deals batch upsert on a unique idProperty (results[{id, new, properties}]), deal to
 * contact association (v4 default), notes with associations, deal read and patch. Errors use
 * HubSpot's body {status:"error", message, correlationId, category}; rate limits are 429 RATE_LIMITS.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { ContractServer, type RecordedRequest, type Reply } from './base';

interface HsObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export class HubSpotContract extends ContractServer {
  readonly contacts = new Map<string, HsObject>();
  readonly deals = new Map<string, HsObject>();
  readonly notes = new Map<string, HsObject & { associations: unknown }>();
  readonly associations: Array<{ dealId: string; contactId: string }> = [];
  private nextId = 501;

  /** A tenant's HubSpot settings pointing at this server (its token goes through the credentials route). */
  settings(timeoutMs = 2_000) {
    return {
      apiUrl: this.url,
      pipelineId: 'default',
      dealStageIds: { Booked: 'appointmentscheduled' },
      contactIdProperty: 'jobrelay_customer_id',
      dealIdProperty: 'jobrelay_booking_id',
      timeoutMs,
    };
  }

  constructor(readonly token = 'pat-na1-test-only') {
    super();
    this.route(
      'POST',
      /^\/crm\/v3\/objects\/(contacts|deals)\/batch\/upsert$/,
      (req, [type]) => this.auth(req) ?? this.upsert(type === 'contacts' ? this.contacts : this.deals, req.json),
    );
    this.route('PUT', /^\/crm\/v4\/objects\/deals\/(\w+)\/associations\/default\/contacts\/(\w+)$/, (req, [dealId, contactId]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      if (!this.deals.has(dealId!) || !this.contacts.has(contactId!)) return this.error(404, 'Object not found', 'OBJECT_NOT_FOUND');
      if (!this.associations.some((a) => a.dealId === dealId && a.contactId === contactId)) this.associations.push({ dealId: dealId!, contactId: contactId! });
      return {
        status: 200,
        body: {
          status: 'COMPLETE',
          results: [{ from: { id: dealId }, to: { id: contactId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 } }],
        },
      };
    });
    this.route('GET', /^\/crm\/v3\/objects\/deals\/(\w+)$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const deal = this.deals.get(id!);
      if (!deal) return this.error(404, 'Object not found', 'OBJECT_NOT_FOUND');
      const wanted = (req.query.get('properties') ?? '').split(',').filter(Boolean);
      return { status: 200, body: { ...deal, properties: Object.fromEntries(wanted.map((p) => [p, deal.properties[p] ?? null])) } };
    });
    this.route('PATCH', /^\/crm\/v3\/objects\/deals\/(\w+)$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const deal = this.deals.get(id!);
      if (!deal) return this.error(404, 'Object not found', 'OBJECT_NOT_FOUND');
      Object.assign(deal.properties, req.json?.properties ?? {});
      return { status: 200, body: deal };
    });
    this.route('POST', /^\/crm\/v3\/objects\/notes$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const properties = req.json?.properties ?? {};
      if (!properties.hs_timestamp) return this.error(400, 'Property values were not valid: hs_timestamp is required', 'VALIDATION_ERROR');
      const now = new Date().toISOString();
      const note = { id: String(this.nextId++), properties, associations: req.json?.associations ?? [], createdAt: now, updatedAt: now };
      this.notes.set(note.id, note);
      return { status: 201, body: note };
    });
    this.readRoutes();
    this.setupRoutes();
  }

  /** Property definitions per object type: HubSpot's defaults, plus what setup creates. */
  readonly propertyDefinitions = new Map<string, Map<string, Record<string, unknown>>>(
    Object.entries({
      contacts: ['firstname', 'lastname', 'email', 'phone', 'address', 'city', 'state', 'zip', 'country', 'lastmodifieddate'],
      deals: ['dealname', 'pipeline', 'dealstage', 'amount', 'closedate', 'hs_lastmodifieddate'],
    }).map(([type, names]) => [type, new Map(names.map((name) => [name, { name, label: name, type: 'string', fieldType: 'text', hubspotDefined: true }]))]),
  );
  readonly pipelines = [
    {
      id: 'default',
      label: 'Sales Pipeline',
      displayOrder: 0,
      stages: [
        { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0 },
        { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1 },
        { id: 'closedwon', label: 'Closed Won', displayOrder: 2 },
        { id: 'closedlost', label: 'Closed Lost', displayOrder: 3 },
      ],
    },
    {
      id: '7654321',
      label: 'Service Jobs',
      displayOrder: 1,
      stages: [
        { id: '1001', label: 'Booked', displayOrder: 0 },
        { id: '1002', label: 'Pending Approval', displayOrder: 1 },
      ],
    },
  ];
  readonly hubId = 24681357;
  readonly tokenScopes = [
    'crm.objects.contacts.read',
    'crm.objects.contacts.write',
    'crm.objects.deals.read',
    'crm.objects.deals.write',
    'crm.schemas.deals.write',
  ];

  /**
   * Setup: deal pipelines (`GET /crm/v3/pipelines/deals`: {results[{id, label, displayOrder, stages[]}]}),
   * properties (`GET /crm/v3/properties/{objectType}`: {results}; `POST .../batch/create` {inputs}:
   * 409 CONFLICT when one exists; 400 when name, label, type, fieldType or groupName is missing), and the
   * private app token's description (`POST /oauth/v2/private-apps/get/access-token-info` {tokenKey}:
   * {userId, hubId, appId, scopes}).
   */
  private setupRoutes(): void {
    this.route('GET', /^\/crm\/v3\/pipelines\/deals$/, (req) => this.auth(req) ?? { status: 200, body: { results: this.pipelines } });
    this.route('GET', /^\/crm\/v3\/properties\/(contacts|deals)$/, (req, [type]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      return { status: 200, body: { results: [...this.propertyDefinitions.get(type!)!.values()] } };
    });
    this.route('POST', /^\/crm\/v3\/properties\/(contacts|deals)\/batch\/create$/, (req, [type]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const inputs: Array<Record<string, unknown>> = req.json?.inputs ?? [];
      const defined = this.propertyDefinitions.get(type!)!;
      for (const input of inputs) {
        const absent = ['name', 'label', 'type', 'fieldType', 'groupName'].filter((f) => !input[f]);
        if (absent.length) return this.error(400, `Property is missing ${absent.join(', ')}`, 'VALIDATION_ERROR');
        if (defined.has(String(input.name))) return this.error(409, `A property named '${input.name}' already exists.`, 'CONFLICT');
      }
      const now = new Date().toISOString();
      const results: Array<Record<string, unknown>> = inputs.map((input) => ({ ...input, createdAt: now, updatedAt: now, hubspotDefined: false }));
      for (const created of results) defined.set(String(created.name), created);
      return { status: 201, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    });
    this.route('POST', /^\/oauth\/v2\/private-apps\/get\/access-token-info$/, (req) => {
      if (req.json?.tokenKey !== this.token) return { status: 401, body: this.faultBody(401) };
      return { status: 200, body: { userId: 1, hubId: this.hubId, appId: 3141592, scopes: this.tokenScopes } };
    });
  }

  /**
   * Read sync: `GET /crm/v3/objects/contacts` (limit <= 100, after, properties; {results, paging.next.after}),
   * `POST /crm/v3/objects/contacts/search` (filterGroups with `lastmodifieddate GTE <ms>`, sorts, limit <= 200,
   * after), `POST /crm/v3/objects/contacts/batch/read` (properties, inputs[{id}] <= 100; unknown ids are
   * left out of results), `PATCH /crm/v3/objects/contacts/{id}` (properties); a contact's deals by
   * `POST /crm/v4/associations/contacts/deals/batch/read` and `POST /crm/v3/objects/deals/batch/read`.
   * Contacts are listed in id order.
   */
  private readRoutes(): void {
    const page = (all: HsObject[], limit: number, after: string | null | undefined): Reply => {
      const start = after ? Number(after) : 0;
      const results = all.slice(start, start + limit);
      const next = start + limit < all.length ? { paging: { next: { after: String(start + limit) } } } : {};
      return { status: 200, body: { results, ...next } };
    };
    this.route('GET', /^\/crm\/v3\/objects\/contacts$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const limit = Number(req.query.get('limit') ?? 10);
      if (limit > 100) return this.error(400, 'limit must be at most 100', 'VALIDATION_ERROR');
      return page([...this.contacts.values()], limit, req.query.get('after'));
    });
    this.route('POST', /^\/crm\/v3\/objects\/contacts\/search$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const body = req.json ?? {};
      const limit = Number(body.limit ?? 10);
      if (limit > 200) return this.error(400, 'limit must be at most 200', 'VALIDATION_ERROR');
      const filters: Array<{ propertyName: string; operator: string; value: string }> = body.filterGroups?.[0]?.filters ?? [];
      const since = filters.find((f) => f.propertyName === 'lastmodifieddate' && f.operator === 'GTE');
      const all = [...this.contacts.values()]
        .filter((c) => !since || Date.parse(c.updatedAt) >= Number(since.value))
        .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
      return page(all, limit, body.after);
    });
    // v4 batch association read: {inputs[{id}]} -> {results[{from{id}, to[{toObjectId, associationTypes}]}]};
    // inputs without associations are errors NO_ASSOCIATIONS_FOUND in a 207 multi-status answer.
    this.route('POST', /^\/crm\/v4\/associations\/contacts\/deals\/batch\/read$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const inputs: Array<{ id: string }> = req.json?.inputs ?? [];
      if (inputs.length > 1000) return this.error(400, 'inputs must hold at most 1000 ids', 'VALIDATION_ERROR');
      const results = inputs
        .map((input) => ({
          from: { id: String(input.id) },
          to: this.associations
            .filter((a) => a.contactId === String(input.id))
            .map((a) => ({ toObjectId: Number(a.dealId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }] })),
        }))
        .filter((r) => r.to.length);
      const missing = inputs.filter((input) => !results.some((r) => r.from.id === String(input.id)));
      const now = new Date().toISOString();
      return {
        status: missing.length ? 207 : 200,
        body: {
          status: 'COMPLETE',
          results,
          ...(missing.length
            ? {
                numErrors: missing.length,
                errors: missing.map((m) => ({
                  status: 'error',
                  category: 'OBJECT_NOT_FOUND',
                  subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
                  message: `No deals are associated with contact ${m.id}.`,
                  context: { fromObjectId: [m.id] },
                })),
              }
            : {}),
          startedAt: now,
          completedAt: now,
        },
      };
    });
    this.route('POST', /^\/crm\/v3\/objects\/deals\/batch\/read$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const inputs: Array<{ id: string }> = req.json?.inputs ?? [];
      if (inputs.length > 100) return this.error(400, 'inputs must hold at most 100 ids', 'VALIDATION_ERROR');
      const wanted: string[] = req.json?.properties ?? [];
      const results = inputs
        .map((input) => this.deals.get(String(input.id)))
        .filter((d): d is HsObject => Boolean(d))
        .map((d) => ({ ...d, properties: Object.fromEntries(wanted.map((p) => [p, d.properties[p] ?? null])) }));
      const now = new Date().toISOString();
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    });
    this.route('POST', /^\/crm\/v3\/objects\/contacts\/batch\/read$/, (req) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const inputs: Array<{ id: string }> = req.json?.inputs ?? [];
      if (inputs.length > 100) return this.error(400, 'inputs must hold at most 100 ids', 'VALIDATION_ERROR');
      const wanted: string[] = req.json?.properties ?? [];
      const results = inputs
        .map((input) => this.contacts.get(String(input.id)))
        .filter((c): c is HsObject => Boolean(c))
        .map((c) => ({ ...c, properties: Object.fromEntries(wanted.map((p) => [p, c.properties[p] ?? null])) }));
      const now = new Date().toISOString();
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    });
    this.route('PATCH', /^\/crm\/v3\/objects\/contacts\/(\w+)$/, (req, [id]) => {
      const denied = this.auth(req);
      if (denied) return denied;
      const contact = this.contacts.get(id!);
      if (!contact) return this.error(404, 'Object not found', 'OBJECT_NOT_FOUND');
      Object.assign(contact.properties, req.json?.properties ?? {});
      contact.updatedAt = new Date().toISOString();
      return { status: 200, body: contact };
    });
  }

  /** Seeds `count` contacts (phones +1 512 8xx xxxx from `firstPhone`); every `memberEvery`-th carries an active membership. */
  seedContacts(count: number, options: { firstPhone?: number; memberEvery?: number; namePrefix?: string } = {}): HsObject[] {
    const made: HsObject[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const id = String(this.nextId++);
      const member = options.memberEvery && i % options.memberEvery === 0;
      const contact: HsObject = {
        id,
        properties: {
          firstname: options.namePrefix ?? 'Seeded',
          lastname: `Contact${id}`,
          phone: `+1512${String((options.firstPhone ?? 8_000_000) + i).padStart(7, '0')}`,
          email: `contact${id}@example.com`,
          address: `${200 + (i % 9000)} Hub St`,
          city: 'Austin',
          state: 'TX',
          zip: '78702',
          country: 'US',
          ...(member ? { jobrelay_membership_status: 'active', jobrelay_membership_plan: 'Comfort Club', jobrelay_membership_renews_on: '2027-03-01' } : {}),
        },
        createdAt: at,
        updatedAt: at,
      };
      this.contacts.set(id, contact);
      if (member) {
        // An open deal (the contact's open estimate), a closed one, and a booking deal JobRelay wrote.
        for (const [dealname, closed, extra] of [
          ['AC replacement', 'false', {}],
          ['Old quote', 'true', {}],
          ['Booked job', 'false', { jobrelay_booking_id: `b-seeded-${id}` }],
        ] as const) {
          const dealId = String(this.nextId++);
          this.deals.set(dealId, {
            id: dealId,
            properties: { dealname, amount: '8450', hs_is_closed: closed, createdate: at, pipeline: 'default', ...extra },
            createdAt: at,
            updatedAt: at,
          });
          this.associations.push({ dealId, contactId: id });
        }
      }
      made.push(contact);
    }
    return made;
  }

  /** The app's client secret: HubSpot signs its webhooks with it (X-HubSpot-Signature-v3). */
  webhookSecret = 'hubspot-app-secret-test-only';
  private nextEventId = 1_000_001;

  /**
   * Sends a webhook as HubSpot does: a JSON array of events, `X-HubSpot-Signature-v3` =
   * base64(HMAC-SHA256(app secret, "POST" + url + body + timestamp)), `X-HubSpot-Request-Timestamp` in ms.
   * `events` are contact changes (subscriptionType, objectId, ...); eventId etc. are filled in.
   * `timestampMs` overrides the timestamp (a replay). Answers the receiver's status, body and time.
   */
  async sendWebhook(
    url: string,
    events: Array<Record<string, unknown>>,
    options: { timestampMs?: number; secret?: string } = {},
  ): Promise<{ status: number; body: any; ms: number; events: Array<Record<string, unknown>> }> {
    const full = events.map((e) => ({
      eventId: this.nextEventId++,
      subscriptionId: 2_345_678,
      portalId: this.hubId,
      appId: 3_141_592,
      occurredAt: Date.now(),
      attemptNumber: 0,
      changeSource: 'CRM_UI',
      ...e,
    }));
    return this.deliver(url, JSON.stringify(full), options).then((answer) => ({ ...answer, events: full }));
  }

  /** Delivers a raw body again, as HubSpot's retry of the same events. */
  async deliver(
    url: string,
    body: string,
    options: { timestampMs?: number; secret?: string; signedUrl?: string } = {},
  ): Promise<{ status: number; body: any; ms: number }> {
    const timestamp = String(options.timestampMs ?? Date.now());
    const signature = createHmac('sha256', options.secret ?? this.webhookSecret)
      .update(`POST${options.signedUrl ?? url}${body}${timestamp}`)
      .digest('base64');
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
  }

  protected faultBody(status: number): unknown {
    if (status === 429)
      return {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: 'TEN_SECONDLY_ROLLING',
        category: 'RATE_LIMITS',
      };
    if (status === 401)
      return { status: 'error', message: 'Authentication credentials not found.', correlationId: randomUUID(), category: 'INVALID_AUTHENTICATION' };
    return {
      status: 'error',
      message: status >= 500 ? 'internal error' : 'not found',
      correlationId: randomUUID(),
      category: status >= 500 ? 'INTERNAL_ERROR' : 'OBJECT_NOT_FOUND',
    };
  }

  private error(status: number, message: string, category: string): Reply {
    return { status, body: { status: 'error', message, correlationId: randomUUID(), category } };
  }

  private auth(req: RecordedRequest): Reply | undefined {
    return req.headers.authorization === `Bearer ${this.token}` ? undefined : { status: 401, body: this.faultBody(401) };
  }

  private upsert(store: Map<string, HsObject>, body: any): Reply {
    const inputs = body?.inputs;
    if (!Array.isArray(inputs) || !inputs.length) return this.error(400, 'inputs is required', 'VALIDATION_ERROR');
    const now = new Date().toISOString();
    const results = inputs.map((input: { id: string; idProperty: string; properties: Record<string, string> }) => {
      const existing = [...store.values()].find((o) => o.properties[input.idProperty] === input.id);
      if (existing) {
        Object.assign(existing.properties, input.properties);
        existing.updatedAt = now;
        return { ...existing, new: false };
      }
      const created: HsObject = {
        id: String(this.nextId++),
        properties: { ...input.properties, [input.idProperty]: input.id },
        createdAt: now,
        updatedAt: now,
      };
      store.set(created.id, created);
      return { ...created, new: true };
    });
    return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
  }
}
