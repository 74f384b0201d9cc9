/**
 * Housecall Pro: customer and job (with the transcript as a job note), or a lead for an unbooked caller.
 * Docs followed: Housecall Pro public API (docs.housecallpro.com; api.housecallpro.com) as described
 * in its reference and connector guides — `Authorization: Token <api key>`; `GET /customers?q=`
 * (search), `POST /customers` (first_name, last_name, email, mobile_number, lead_source, addresses[]
 * with street, street_line_2, city, state, zip, country; the answer carries the address ids),
 * `POST /jobs` (customer_id, address_id, schedule{scheduled_start, scheduled_end}, notes, lead_source,
 * tags, job_fields{job_type_id, business_unit_id}), `POST /jobs/{id}/notes` (content); an unbooked
 * caller (state `lead`) is `POST /leads` (customer_id, address_id, lead_source, tags, note), listed by
 * `GET /leads?customer_id=` (HCP's leads resource as its connector guides list it; field names inferred
 * from those, see writeLead); a cancelled booking's job is taken off the calendar with
 * `DELETE /jobs/{id}/schedule` (the public API documents no job cancel), the reason as a job note.
 * A retried write finds the customer by phone first, so the customer is never created twice; after a
 * create whose answer was lost (`previousCreateAttemptAt`) it finds the job by its `jobrelay:` tag.
 */
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import type { CrmConnectionTest, CrmOption, CrmOptions } from '../setup-schemas';
import { fieldNotes, leadCloseByHand } from './field-notes';
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';
import { getHousecallProCustomers, listHousecallProCustomers } from './housecallpro-read';
import { vendorCall } from './http';
import { CrmRejectedError } from '../../shared/errors';

/** Lists are read to this many pages of 100 at most: a picker is no place for more. */
const MAX_OPTION_PAGES = 20;

export interface HousecallProSettings {
  apiUrl: string;
  timeoutMs: number;
}

interface HcpCustomer {
  id: string;
  mobile_number?: string;
  addresses?: Array<{ id: string; street?: string; zip?: string }>;
}

/**
 * Housecall Pro jobs have no priority field: urgency travels as a job tag the dispatch board shows
 * (`Emergency`, `Urgent`); routine work carries none.
 */
export function hcpPriorityTags(urgency: 'emergency' | 'urgent' | 'routine' | undefined): string[] {
  return urgency === 'emergency' ? ['Emergency'] : urgency === 'urgent' ? ['Urgent'] : [];
}

export class HousecallProCrmAdapter implements CrmAdapter {
  readonly name = 'housecallpro';
  readonly findsLostCreates = true;

  constructor(
    private readonly settings: HousecallProSettings,
    private readonly apiKey: string,
  ) {}

  private call<T>(operation: string, method: string, path: string, payload?: unknown) {
    return vendorCall<T>('Housecall Pro', operation, `${this.settings.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Token ${this.apiKey}` },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      timeoutMs: this.settings.timeoutMs,
    });
  }

  /** Setup's check: the company the API key belongs to (one read). */
  async testConnection(): Promise<Pick<CrmConnectionTest, 'scopes' | 'visible' | 'checks'>> {
    const { body } = await this.call<{ id?: string; name?: string }>('company', 'GET', '/company');
    return {
      scopes: [],
      visible: { ...(body?.id ? { companyId: String(body.id) } : {}), ...(body?.name ? { companyName: body.name } : {}) },
      checks: [{ name: 'api key', ok: true, detail: body?.name ? `company ${body.name}` : undefined }],
    };
  }

  /** Job types, lead sources (Housecall Pro's campaigns) and employees, every page. */
  async listOptions(): Promise<CrmOptions> {
    const [jobTypes, campaigns, technicians] = await Promise.all([
      this.allPages('job types', '/job_fields/job_types', 'job_types', (o) => String(o.name ?? o.id)),
      this.allPages('lead sources', '/lead_sources', 'lead_sources', (o) => String(o.name ?? o.id)),
      this.allPages('employees', '/employees', 'employees', (o) => [o.first_name, o.last_name].filter(Boolean).join(' ') || String(o.id)),
    ]);
    return { adapter: this.name, jobTypes, campaigns, businessUnits: [], technicians, pipelines: [] };
  }

  private async allPages(what: string, path: string, key: string, name: (o: Record<string, unknown>) => string): Promise<CrmOption[]> {
    const options: CrmOption[] = [];
    for (let page = 1; page <= MAX_OPTION_PAGES; page++) {
      const { body } = await this.call<Record<string, unknown> & { total_pages?: number }>(`list ${what}`, 'GET', `${path}?page=${page}&page_size=100`);
      const items = (Array.isArray(body?.[key]) ? body[key] : []) as Array<Record<string, unknown>>;
      options.push(...items.map((o) => ({ id: String(o.id), name: name(o) })));
      if (!body?.total_pages || page >= body.total_pages) break;
    }
    return options;
  }

  /** Read sync: a page of customers (housecallpro-read.ts). */
  listCustomers(query: CrmCustomerQuery): Promise<CrmCustomerPage> {
    return listHousecallProCustomers((operation, method, path) => this.call(operation, method, path), query);
  }

  /** Read sync after a webhook: customers by id (housecallpro-read.ts); a 404 is a customer that is gone. */
  getCustomers(crmIds: string[]): Promise<CrmCustomer[]> {
    return getHousecallProCustomers(
      async <T>(operation: string, path: string) => {
        try {
          return (await this.call<T>(operation, 'GET', path)).body;
        } catch (error) {
          if (error instanceof CrmRejectedError && /HTTP 404/.test(error.message)) return undefined;
          throw error;
        }
      },
      (operation, method, path) => this.call(operation, method, path),
      crmIds,
    );
  }

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    if (write.state === 'lead_booked') {
      leadCloseByHand('Housecall Pro', 'lead', write.existingExternalIds?.housecallProLeadId, write);
      return { adapter: this.name, externalIds: write.existingExternalIds ?? {} };
    }
    if (write.state === 'cancelled') return this.unscheduleCancelledJob(write);
    const digits = write.customer.phoneE164.replace(/^\+1/, '').replace(/\D/g, '');
    const address = {
      street: write.address.line1,
      street_line_2: write.address.line2,
      city: write.address.city,
      state: write.address.region,
      zip: write.address.postalCode,
      country: write.address.country,
    };
    // A customer read from Housecall Pro (read sync): its own ids, no search and no create.
    let customerId = write.existingExternalIds?.housecallProCustomerId ?? write.crmCustomer?.customerId;
    let addressId: string | undefined = write.crmCustomer?.locationId;
    if (!customerId) {
      const search = await this.call<{ customers: HcpCustomer[] }>('customer search', 'GET', `/customers?q=${encodeURIComponent(digits)}&page_size=5`);
      const found = search.body.customers?.find((c) => (c.mobile_number ?? '').replace(/\D/g, '').endsWith(digits));
      if (found) {
        customerId = found.id;
        addressId = found.addresses?.find((a) => a.zip === address.zip && (a.street ?? '').toLowerCase() === address.street.toLowerCase())?.id;
      }
    }
    if (!customerId) {
      const [first_name, ...rest] = write.customer.name.split(/\s+/);
      const created = await this.call<HcpCustomer>('customer create', 'POST', '/customers', {
        first_name,
        last_name: rest.join(' '),
        mobile_number: digits,
        ...(write.customer.email ? { email: write.customer.email } : {}),
        notifications_enabled: false,
        lead_source: String(write.fields.lead_source ?? ''),
        addresses: [{ ...address, type: 'service' }],
      });
      customerId = created.body.id;
      addressId = created.body.addresses?.[0]?.id;
    }
    if (!addressId) {
      const added = await this.call<{ id: string }>('address create', 'POST', `/customers/${customerId}/addresses`, { ...address, type: 'service' });
      addressId = added.body.id;
    }

    // A caller who could not be booked is a Housecall Pro lead (its sales pipeline), not an unscheduled job.
    if (write.state === 'lead') return this.writeLead(write, customerId, addressId);

    let jobId = write.existingExternalIds?.housecallProJobId;
    if (!jobId && write.previousCreateAttemptAt) {
      // A job create whose answer was lost may have made the job: our tag on it says whose it is.
      const listed = await this.call<{ jobs: Array<{ id: string; tags?: string[] }> }>(
        'job search',
        'GET',
        `/jobs?customer_id=${encodeURIComponent(customerId)}&page_size=100`,
      );
      jobId = listed.body.jobs?.find((j) => j.tags?.includes(`jobrelay:${write.bookingId}`))?.id;
    }
    if (!jobId) {
      const job = await this.call<{ id: string }>('job create', 'POST', '/jobs', {
        customer_id: customerId,
        address_id: addressId,
        ...(write.window ? { schedule: { scheduled_start: write.window.startUtc, scheduled_end: write.window.endUtc, arrival_window: 0 } } : {}),
        notes: [write.summary ?? String(write.fields.summary ?? ''), ...fieldNotes(write.fields)].filter(Boolean).join('\n'),
        lead_source: String(write.fields.lead_source ?? ''),
        tags: [
          `jobrelay:${write.bookingId}`,
          ...(write.fields.campaign ? [`campaign:${write.fields.campaign}`] : []),
          ...(write.fields.membership ? ['member'] : []),
          ...hcpPriorityTags(write.urgency),
        ],
        ...(write.source?.technician ? { assigned_employee_ids: [write.source.technician] } : {}),
        job_fields: {
          ...(write.source?.jobType ? { job_type_id: write.source.jobType } : {}),
          ...(write.source?.businessUnit ? { business_unit_id: write.source.businessUnit } : {}),
        },
      });
      jobId = job.body.id;
      if (write.transcriptNote) await this.call('job note', 'POST', `/jobs/${jobId}/notes`, { content: write.transcriptNote });
    } else if (write.window) {
      await this.call('job schedule', 'PUT', `/jobs/${jobId}/schedule`, { start_time: write.window.startUtc, end_time: write.window.endUtc });
    }
    return { adapter: this.name, externalIds: { housecallProCustomerId: customerId, housecallProJobId: jobId } };
  }

  /**
   * A cancelled booking: its job leaves the technician's calendar (schedule erased) with the reason as
   * a note; a job already off the calendar (a retried write) is left alone, and a booking Housecall
   * Pro never had (cancelled before its first write went through) makes nothing there.
   */
  private async unscheduleCancelledJob(write: CrmBookingWrite): Promise<CrmWriteResult> {
    const ids: Record<string, string> = { ...(write.existingExternalIds ?? {}) };
    let jobId: string | undefined = ids.housecallProJobId;
    if (!jobId && write.previousCreateAttemptAt && ids.housecallProCustomerId) {
      const listed = await this.call<{ jobs: Array<{ id: string; tags?: string[] }> }>(
        'job search',
        'GET',
        `/jobs?customer_id=${encodeURIComponent(ids.housecallProCustomerId)}&page_size=100`,
      );
      jobId = listed.body.jobs?.find((j) => j.tags?.includes(`jobrelay:${write.bookingId}`))?.id;
    }
    if (!jobId) return { adapter: this.name, externalIds: ids };
    const job = await this.call<{ schedule?: { scheduled_start?: string | null } }>('job read', 'GET', `/jobs/${jobId}`);
    if (job.body.schedule?.scheduled_start) {
      const reason = write.fields.cancel_reason ? `: ${String(write.fields.cancel_reason)}` : '';
      await this.call('job note', 'POST', `/jobs/${jobId}/notes`, { content: `Cancelled through JobRelay${reason}` });
      await this.call('job unschedule', 'DELETE', `/jobs/${jobId}/schedule`);
    }
    return { adapter: this.name, externalIds: { ...ids, housecallProJobId: jobId } };
  }

  /**
   * `POST /leads` (customer_id, address_id, lead_source, tags, note, assigned_employee_id): the
   * unbooked caller in Housecall Pro's lead pipeline, with why they could not be booked and what was
   * said in the note (leads have no notes endpoint we know of). Like jobs, a create whose answer was
   * lost is found again by its `jobrelay:` tag (`GET /leads?customer_id=`); a lead once written is
   * not written again.
   */
  private async writeLead(write: CrmBookingWrite, customerId: string, addressId: string): Promise<CrmWriteResult> {
    const tag = `jobrelay:${write.bookingId}`;
    let leadId = write.existingExternalIds?.housecallProLeadId;
    if (!leadId && write.previousCreateAttemptAt) {
      const listed = await this.call<{ leads?: Array<{ id: string; tags?: string[] }> }>(
        'lead search',
        'GET',
        `/leads?customer_id=${encodeURIComponent(customerId)}&page_size=100`,
      );
      leadId = listed.body.leads?.find((l) => l.tags?.includes(tag))?.id;
    }
    if (!leadId) {
      const reason = write.fields.unbooked_reason ? `Not booked: ${String(write.fields.unbooked_reason)}` : undefined;
      const lead = await this.call<{ id: string }>('lead create', 'POST', '/leads', {
        customer_id: customerId,
        address_id: addressId,
        lead_source: String(write.fields.lead_source ?? ''),
        tags: [
          tag,
          ...(write.fields.campaign ? [`campaign:${write.fields.campaign}`] : []),
          ...(write.fields.membership ? ['member'] : []),
          ...hcpPriorityTags(write.urgency),
        ],
        note: [write.summary ?? String(write.fields.summary ?? ''), reason, ...fieldNotes(write.fields), write.transcriptNote].filter(Boolean).join('\n'),
        ...(write.source?.technician ? { assigned_employee_id: write.source.technician } : {}),
      });
      leadId = lead.body.id;
    }
    return { adapter: this.name, externalIds: { housecallProCustomerId: customerId, housecallProLeadId: leadId } };
  }
}
