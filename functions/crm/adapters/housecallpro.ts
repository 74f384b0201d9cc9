/**
 * Housecall Pro: customer and job (with the transcript as a job note).
 * Docs followed: Housecall Pro public API (docs.housecallpro.com; api.housecallpro.com) as described
 * in its reference and connector guides — `Authorization: Token <api key>`; `GET /customers?q=`
 * (search), `POST /customers` (first_name, last_name, email, mobile_number, lead_source, addresses[]
 * with street, street_line_2, city, state, zip, country; the answer carries the address ids),
 * `POST /jobs` (customer_id, address_id, schedule{scheduled_start, scheduled_end}, notes, lead_source,
 * tags, job_fields{job_type_id, business_unit_id}), `POST /jobs/{id}/notes` (content).
 * A retried write finds the customer by phone first, so the customer is never created twice; after a
 * create whose answer was lost (`previousCreateAttemptAt`) it finds the job by its `jobrelay:` tag.
 */
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import { vendorCall } from './http';

export interface HousecallProSettings {
  apiUrl: string;
  timeoutMs: number;
}

interface HcpCustomer {
  id: string;
  mobile_number?: string;
  addresses?: Array<{ id: string; street?: string; zip?: string }>;
}

export class HousecallProCrmAdapter implements CrmAdapter {
  readonly name = 'housecallpro';

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

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    const digits = write.customer.phoneE164.replace(/^\+1/, '').replace(/\D/g, '');
    const address = {
      street: write.address.line1,
      street_line_2: write.address.line2,
      city: write.address.city,
      state: write.address.region,
      zip: write.address.postalCode,
      country: write.address.country,
    };
    let customerId = write.existingExternalIds?.housecallProCustomerId;
    let addressId: string | undefined;
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
        notes: write.summary ?? String(write.fields.summary ?? ''),
        lead_source: String(write.fields.lead_source ?? ''),
        tags: [`jobrelay:${write.bookingId}`, ...(write.fields.campaign ? [`campaign:${write.fields.campaign}`] : [])],
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
}
