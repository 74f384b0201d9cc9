/**
 * HubSpot contract server (CRM API v3/v4): private-app bearer auth (401 INVALID_AUTHENTICATION),
 * contacts and deals batch upsert on a unique idProperty (results[{id, new, properties}]), deal to
 * contact association (v4 default), notes with associations, deal read and patch. Errors use
 * HubSpot's body {status:"error", message, correlationId, category}; rate limits are 429 RATE_LIMITS.
 */
import { randomUUID } from 'node:crypto';
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
