/**
 * HubSpot CRM: contact upsert, a deal in the pipeline stage the mapping table names for the job
 * state (with the source properties), and the transcript as a note on the deal and contact.
 * Docs followed: developers.hubspot.com CRM API v3 — contacts `POST /crm/v3/objects/contacts/batch/upsert`
 * (inputs[{id, idProperty, properties}], upsert on a unique property), deals
 * `POST /crm/v3/objects/deals/batch/upsert` (dealname, pipeline, dealstage by internal id), associations v4
 * `PUT /crm/v4/objects/deals/{id}/associations/default/contacts/{id}`, notes `POST /crm/v3/objects/notes`
 * (hs_timestamp, hs_note_body, associations with typeIds 214 note->deal and 202 note->contact);
 * auth `Authorization: Bearer <private app token>`; error body {status, message, correlationId, category};
 * 429 with Retry-After on rate limits (error handling guide).
 * Upserting on our own unique ids (customer, booking) makes a retried write update, not duplicate.
 */
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import { CrmRejectedError } from '../../shared/errors';
import type { CrmConnectionTest, CrmOptions } from '../setup-schemas';
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';
import { getHubSpotCustomers, listHubSpotCustomers } from './hubspot-read';
import { vendorCall } from './http';
import { ownValue } from '../../shared/own';

export interface HubSpotSettings {
  apiUrl: string;
  pipelineId: string;
  dealStageIds: Record<string, string>;
  contactIdProperty: string;
  dealIdProperty: string;
  timeoutMs: number;
}

interface UpsertResult {
  results: Array<{ id: string; new?: boolean; properties?: Record<string, string | null> }>;
}

/** HubSpot property names: lowercase letters, digits and underscores. */
function propertyName(field: string): string {
  return field.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export class HubSpotCrmAdapter implements CrmAdapter {
  readonly name = 'hubspot';

  constructor(
    private readonly settings: HubSpotSettings,
    private readonly token: string,
  ) {}

  private call<T>(operation: string, method: string, path: string, payload?: unknown) {
    return vendorCall<T>('HubSpot', operation, `${this.settings.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      timeoutMs: this.settings.timeoutMs,
    });
  }

  /**
   * Setup's check: one contact read (the token works and may read the CRM), then the token's own
   * description (portal id and scopes). Reads only.
   */
  async testConnection(): Promise<Pick<CrmConnectionTest, 'scopes' | 'visible' | 'checks'>> {
    await this.call('contact read', 'GET', '/crm/v3/objects/contacts?limit=1');
    const checks: CrmConnectionTest['checks'] = [{ name: 'token', ok: true }];
    try {
      const { body } = await this.call<{ hubId?: number; scopes?: string[]; appId?: number }>(
        'token info',
        'POST',
        '/oauth/v2/private-apps/get/access-token-info',
        {
          tokenKey: this.token,
        },
      );
      checks.push({ name: 'token info', ok: true });
      return { scopes: body?.scopes ?? [], visible: body?.hubId ? { hubId: String(body.hubId) } : {}, checks };
    } catch (error) {
      // A token that reads contacts works even when its description cannot be read: say so, go on.
      if (!(error instanceof CrmRejectedError)) throw error;
      checks.push({ name: 'token info', ok: false, detail: error.message });
      return { scopes: [], visible: {}, checks };
    }
  }

  /** Deal pipelines and their stages (the mapping's deal stages are picked from these). */
  async listOptions(): Promise<CrmOptions> {
    const { body } = await this.call<{ results?: Array<{ id: string; label: string; stages?: Array<{ id: string; label: string }> }> }>(
      'list pipelines',
      'GET',
      '/crm/v3/pipelines/deals',
    );
    return {
      adapter: this.name,
      jobTypes: [],
      campaigns: [],
      businessUnits: [],
      technicians: [],
      pipelines: (body?.results ?? []).map((p) => ({ id: p.id, name: p.label, stages: (p.stages ?? []).map((s) => ({ id: s.id, name: s.label })) })),
    };
  }

  /**
   * The custom properties the writes use, created where missing: the unique ids upserts key on
   * (contact `jobrelay_customer_id`, deal `jobrelay_booking_id`), the deal's `jobrelay_note_id`, and
   * a deal property per mapped field. HubSpot refuses a write naming a property it does not have.
   */
  async prepareFields(fieldNames: string[]): Promise<string[]> {
    const wanted = {
      contacts: [{ name: this.settings.contactIdProperty, unique: true }],
      deals: [
        { name: this.settings.dealIdProperty, unique: true },
        { name: 'jobrelay_note_id', unique: false },
        ...[...new Set(fieldNames.map(propertyName))].map((name) => ({ name, unique: false })),
      ],
    };
    const created: string[] = [];
    for (const [objectType, properties] of Object.entries(wanted)) {
      const { body } = await this.call<{ results?: Array<{ name: string }> }>(`list ${objectType} properties`, 'GET', `/crm/v3/properties/${objectType}`);
      const have = new Set((body?.results ?? []).map((p) => p.name));
      const missing = properties.filter((p) => !have.has(p.name));
      if (!missing.length) continue;
      await this.call(`create ${objectType} properties`, 'POST', `/crm/v3/properties/${objectType}/batch/create`, {
        inputs: missing.map((p) => ({
          name: p.name,
          label: p.name.replace(/_/g, ' ').replace(/^jobrelay /, 'JobRelay '),
          type: 'string',
          fieldType: 'text',
          groupName: objectType === 'contacts' ? 'contactinformation' : 'dealinformation',
          hasUniqueValue: p.unique,
          description: 'Written by JobRelay',
        })),
      });
      created.push(...missing.map((p) => `${objectType}.${p.name}`));
    }
    return created;
  }

  /** Read sync: a page of contacts (hubspot-read.ts). */
  listCustomers(query: CrmCustomerQuery): Promise<CrmCustomerPage> {
    return listHubSpotCustomers((operation, method, path, payload) => this.call(operation, method, path, payload), query, this.settings.dealIdProperty);
  }

  /** Read sync after a webhook: contacts by id (hubspot-read.ts). */
  getCustomers(crmIds: string[]): Promise<CrmCustomer[]> {
    return getHubSpotCustomers((operation, method, path, payload) => this.call(operation, method, path, payload), crmIds, this.settings.dealIdProperty);
  }

  /** `PATCH /crm/v3/objects/contacts/{id}` setting our unique id property on the known contact. */
  private async linkKnownContact(contactId: string, customerId: string): Promise<{ body: UpsertResult }> {
    await this.call('contact link', 'PATCH', `/crm/v3/objects/contacts/${encodeURIComponent(contactId)}`, {
      properties: { [this.settings.contactIdProperty]: customerId },
    });
    return { body: { results: [{ id: contactId }] } };
  }

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    const [firstname, ...rest] = write.customer.name.split(/\s+/);
    // A contact read from HubSpot (read sync) is the customer: it only gains our id, never a twin.
    const known = write.crmCustomer ? await this.linkKnownContact(write.crmCustomer.customerId, write.customerId) : undefined;
    const contact =
      known ??
      (await this.call<UpsertResult>('contact upsert', 'POST', '/crm/v3/objects/contacts/batch/upsert', {
        inputs: [
          {
            id: write.customerId,
            idProperty: this.settings.contactIdProperty,
            properties: {
              firstname,
              lastname: rest.join(' '),
              phone: write.customer.phoneE164,
              ...(write.customer.email ? { email: write.customer.email } : {}),
              address: [write.address.line1, write.address.line2].filter(Boolean).join(' '),
              city: write.address.city,
              state: write.address.region,
              zip: write.address.postalCode,
            },
          },
        ],
      }));
    const contactId = contact.body.results[0]!.id;

    const dealProperties: Record<string, string> = Object.fromEntries(Object.entries(write.fields).map(([k, v]) => [propertyName(k), String(v)]));
    const deal = await this.call<UpsertResult>('deal upsert', 'POST', '/crm/v3/objects/deals/batch/upsert', {
      inputs: [
        {
          id: write.bookingId,
          idProperty: this.settings.dealIdProperty,
          properties: {
            ...dealProperties,
            dealname: `${String(write.fields.job_type ?? 'Service visit')} - ${write.customer.name}`,
            pipeline: this.settings.pipelineId,
            dealstage: ownValue(this.settings.dealStageIds, write.dealStage) ?? propertyName(write.dealStage),
          },
        },
      ],
    });
    const dealId = deal.body.results[0]!.id;
    await this.call('deal-contact association', 'PUT', `/crm/v4/objects/deals/${dealId}/associations/default/contacts/${contactId}`);

    let noteId = write.existingExternalIds?.hubspotNoteId;
    if (write.transcriptNote && !noteId) {
      // Notes have no unique property to upsert on: a retry checks the deal for the note id it recorded.
      if (!deal.body.results[0]!.new) {
        const current = await this.call<{ properties?: Record<string, string | null> }>(
          'deal read',
          'GET',
          `/crm/v3/objects/deals/${dealId}?properties=jobrelay_note_id`,
        );
        noteId = current.body.properties?.jobrelay_note_id ?? undefined;
      }
      if (!noteId) {
        const note = await this.call<{ id: string }>('note create', 'POST', '/crm/v3/objects/notes', {
          properties: { hs_timestamp: new Date().toISOString(), hs_note_body: write.transcriptNote },
          associations: [
            { to: { id: dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] },
            { to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
          ],
        });
        noteId = note.body.id;
        await this.call('deal update', 'PATCH', `/crm/v3/objects/deals/${dealId}`, { properties: { jobrelay_note_id: noteId } });
      }
    }
    return {
      adapter: this.name,
      externalIds: { hubspotContactId: contactId, hubspotDealId: dealId, ...(noteId ? { hubspotNoteId: noteId } : {}) },
    };
  }
}
