/**
 * ServiceTitan through its Booking Provider API (what lead sources such as Contractor Commerce use):
 * the booking lands in Calls > Bookings with customer, location, summary, job type, campaign and
 * business unit, and a dispatcher accepts it onto the dispatch board.
 * Docs followed: developer.servicetitan.io "OAuth 2.0" (client credentials grant only; token from
 * `<auth>/connect/token`; every API call carries `Authorization: Bearer` and `ST-App-Key`) and the
 * CRM v2 booking-provider model (`POST /crm/v2/tenant/{tenant}/booking-provider/{provider}/bookings`
 * with source, name, address, contacts, customerType, start, summary, campaignId, businessUnitId,
 * jobTypeId, priority, isFirstTimeClient, isSendConfirmationEmail, externalId; `PATCH .../{id}` to
 * update it when the appointment is scheduled or moved).
 */
import { CrmRejectedError } from '../../shared/errors';
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import type { CrmConnectionTest, CrmOption, CrmOptions } from '../setup-schemas';
import type { RequiredVendorIds } from '../vendor-ids';
import { cancelByHand, fieldNotes, leadCloseByHand } from './field-notes';
import type { CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';
import { vendorCall } from './http';
import { listServiceTitanCustomers } from './servicetitan-read';

export interface ServiceTitanCredentials {
  clientId: string;
  clientSecret: string;
  appKey: string;
}

export interface ServiceTitanSettings {
  stTenantId: string;
  bookingProviderId: string;
  apiUrl: string;
  authUrl: string;
  timeoutMs: number;
}

/** Access tokens live 15 minutes; one per client id, reused until a minute before expiry. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

export function parseServiceTitanSecret(secret: string): ServiceTitanCredentials {
  try {
    const parsed = JSON.parse(secret) as Partial<ServiceTitanCredentials>;
    if (parsed.clientId && parsed.clientSecret && parsed.appKey) return parsed as ServiceTitanCredentials;
  } catch {
    // fall through
  }
  throw new CrmRejectedError('The ServiceTitan secret must be JSON with clientId, clientSecret and appKey');
}

/** ServiceTitan ids are integers; our settings keep them as strings. Non-numeric values are left out. */
function numeric(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Every ServiceTitan booking is filed under a job type, a campaign and a business unit, each an integer id. */
export const SERVICETITAN_REQUIRED_IDS: RequiredVendorIds = { vendor: 'ServiceTitan', fields: ['jobType', 'campaign', 'businessUnit'], pattern: /^\d+$/ };

/** A ServiceTitan list page (settings, jpm, marketing v2): {page, pageSize, hasMore, data}. */
interface StPage<T> {
  page: number;
  pageSize: number;
  hasMore: boolean;
  data: T[];
}

/** Lists are read to this many pages of 200 (4,000 entries) at most: a picker is no place for more. */
const MAX_OPTION_PAGES = 20;

/** The external data key a JPM job carries our booking id under (how a lost create's job is found again). */
const EXTERNAL_DATA_KEY = 'jobrelayBookingId';

/** ServiceTitan booking priority (Low | Normal | High | Urgent) by the job's urgency. */
export const SERVICETITAN_PRIORITY = { emergency: 'Urgent', urgent: 'High', routine: 'Normal' } as const;

export class ServiceTitanCrmAdapter implements CrmAdapter {
  readonly name = 'servicetitan';
  readonly findsLostCreates = true;
  readonly requiredIds = SERVICETITAN_REQUIRED_IDS;

  constructor(
    private readonly settings: ServiceTitanSettings,
    private readonly credentials: ServiceTitanCredentials,
  ) {}

  /** A new client-credentials token (cached for the next calls), with the scopes it grants. */
  private async requestToken(): Promise<{ access_token: string; expires_in: number; scope?: string }> {
    const { body } = await vendorCall<{ access_token: string; expires_in: number; scope?: string }>(
      'ServiceTitan',
      'token',
      `${this.settings.authUrl}/connect/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
        }).toString(),
        timeoutMs: this.settings.timeoutMs,
      },
    );
    tokens.set(this.credentials.clientId, { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 });
    return body;
  }

  private async accessToken(forceNew = false): Promise<string> {
    const cached = tokens.get(this.credentials.clientId);
    if (!forceNew && cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
    return (await this.requestToken()).access_token;
  }

  /** An API call with the token; a 401 (token revoked or expired early) gets one fresh token. */
  private async api<T>(operation: string, method: string, path: string, payload: unknown): Promise<T> {
    const call = async (token: string) =>
      vendorCall<T>('ServiceTitan', operation, `${this.settings.apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'st-app-key': this.credentials.appKey },
        body: JSON.stringify(payload),
        timeoutMs: this.settings.timeoutMs,
      });
    try {
      return (await call(await this.accessToken())).body;
    } catch (error) {
      if (!(error instanceof CrmRejectedError) || !/HTTP 401/.test(error.message)) throw error;
      return (await call(await this.accessToken(true))).body;
    }
  }

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    if (write.state === 'lead_booked') {
      leadCloseByHand('ServiceTitan', 'booking', write.existingExternalIds?.serviceTitanBookingId, write);
      return { adapter: this.name, externalIds: write.existingExternalIds ?? {} };
    }
    const base = `/crm/v2/tenant/${this.settings.stTenantId}/booking-provider/${this.settings.bookingProviderId}/bookings`;
    if (write.state === 'cancelled') {
      const ids = write.existingExternalIds ?? {};
      if (ids.serviceTitanJobId) cancelByHand('ServiceTitan', 'job', ids.serviceTitanJobId, write);
      const lost = !ids.serviceTitanBookingId && write.previousCreateAttemptAt ? await this.findByExternalId(base, write) : undefined;
      cancelByHand('ServiceTitan', 'booking', ids.serviceTitanBookingId ?? lost, write);
      return { adapter: this.name, externalIds: ids };
    }
    // ServiceTitan bookings have no notes endpoint: the transcript travels in the summary.
    const summary = [
      write.summary ?? String(write.fields.summary ?? ''),
      ...fieldNotes(write.fields),
      write.transcriptNote ? `Transcript:\n${write.transcriptNote}` : '',
    ]
      .filter(Boolean)
      .join('\n\n')
      .slice(0, 10_000);
    const common = {
      source: String(write.fields.lead_source ?? write.source?.name ?? 'JobRelay'),
      name: write.customer.name,
      address: {
        street: write.address.line1,
        unit: write.address.line2,
        city: write.address.city,
        state: write.address.region,
        zip: write.address.postalCode,
        country: write.address.country,
      },
      customerType: 'Residential',
      // Urgency sets the booking's priority (an update too: a routine request can turn out an emergency).
      priority: SERVICETITAN_PRIORITY[write.urgency ?? 'routine'],
      ...(write.window ? { start: write.window.startUtc } : {}),
      summary: summary || 'Booked through JobRelay',
      campaignId: numeric(write.source?.campaign),
      businessUnitId: numeric(write.source?.businessUnit),
      jobTypeId: numeric(write.source?.jobType),
      isFirstTimeClient: write.customer.isNew,
      externalId: write.bookingId,
    };
    // A customer read from ServiceTitan (read sync): a job on its own customer and location (JPM),
    // never a booking that a dispatcher would turn into a second customer.
    const knownJob = await this.writeJobForKnownCustomer(write, common);
    if (knownJob) return knownJob;
    // A create whose answer was lost may have made the booking: find it by our external id first
    // (bookings created since shortly before that attempt), so a retry never makes a second one.
    const existing = write.existingExternalIds?.serviceTitanBookingId ?? (write.previousCreateAttemptAt ? await this.findByExternalId(base, write) : undefined);
    if (existing) {
      // The booking exists (an earlier state): update it, e.g. with the scheduled appointment start.
      await this.api('update booking', 'PATCH', `${base}/${existing}`, common);
      return { adapter: this.name, externalIds: { serviceTitanBookingId: existing } };
    }
    const created = await this.api<{ id: number }>('create booking', 'POST', base, {
      ...common,
      isSendConfirmationEmail: false,
      contacts: [{ type: 'MobilePhone', value: write.customer.phoneE164 }, ...(write.customer.email ? [{ type: 'Email', value: write.customer.email }] : [])],
    });
    return { adapter: this.name, externalIds: { serviceTitanBookingId: String(created.id) } };
  }

  /**
   * Setup's check: a token (auth and the scopes it grants), one business unit (the ServiceTitan tenant
   * id is one these credentials reach) and one booking of the booking provider (its id is right). Reads only.
   */
  async testConnection(): Promise<Pick<CrmConnectionTest, 'scopes' | 'visible' | 'checks'>> {
    // A fresh token, not the cache: the check is that these credentials work now.
    const body = await this.requestToken();
    const tenant = this.settings.stTenantId;
    await this.api('tenant check', 'GET', `/settings/v2/tenant/${tenant}/business-units?page=1&pageSize=1`, undefined);
    await this.api(
      'booking provider check',
      'GET',
      `/crm/v2/tenant/${tenant}/booking-provider/${this.settings.bookingProviderId}/bookings?page=1&pageSize=1`,
      undefined,
    );
    return {
      scopes: (body.scope ?? '').split(/\s+/).filter(Boolean),
      visible: { stTenantId: tenant, bookingProviderId: this.settings.bookingProviderId },
      checks: [
        { name: 'token', ok: true },
        { name: 'tenant', ok: true, detail: `ServiceTitan tenant ${tenant}` },
        { name: 'booking provider', ok: true, detail: `booking provider ${this.settings.bookingProviderId}` },
      ],
    };
  }

  /** Job types (jpm), campaigns (marketing), business units and technicians (settings): active ones, every page. */
  async listOptions(): Promise<CrmOptions> {
    const tenant = this.settings.stTenantId;
    const [jobTypes, campaigns, businessUnits, technicians] = await Promise.all([
      this.allPages('job types', `/jpm/v2/tenant/${tenant}/job-types`),
      this.allPages('campaigns', `/marketing/v2/tenant/${tenant}/campaigns`),
      this.allPages('business units', `/settings/v2/tenant/${tenant}/business-units`),
      this.allPages('technicians', `/settings/v2/tenant/${tenant}/technicians`),
    ]);
    return { adapter: this.name, jobTypes, campaigns, businessUnits, technicians, pipelines: [] };
  }

  private async allPages(what: string, path: string): Promise<CrmOption[]> {
    const options: CrmOption[] = [];
    for (let page = 1; page <= MAX_OPTION_PAGES; page++) {
      const listed = await this.api<StPage<{ id: number; name: string; active?: boolean }>>(
        `list ${what}`,
        'GET',
        `${path}?active=True&page=${page}&pageSize=200`,
        undefined,
      );
      options.push(...listed.data.filter((o) => o.active !== false).map((o) => ({ id: String(o.id), name: o.name })));
      if (!listed.hasMore) break;
    }
    return options;
  }

  /** Read sync: a page of customers (servicetitan-read.ts). */
  listCustomers(query: CrmCustomerQuery): Promise<CrmCustomerPage> {
    return listServiceTitanCustomers((operation, path) => this.api(operation, 'GET', path, undefined), this.settings.stTenantId, query);
  }

  /**
   * JPM `POST /jpm/v2/tenant/{tenant}/jobs` {customerId, locationId, businessUnitId, jobTypeId,
   * priority, campaignId, summary, appointments[{start, end}]} for a customer ServiceTitan already
   * has, when the booking has a window (a job needs an appointment); `PATCH .../jobs/{id}` later.
   * Undefined when this write is not such a job (no CRM ids, or no window yet).
   */
  private async writeJobForKnownCustomer(
    write: CrmBookingWrite,
    common: { summary: string; campaignId?: number; businessUnitId?: number; jobTypeId?: number },
  ): Promise<CrmWriteResult | undefined> {
    const jobs = `/jpm/v2/tenant/${this.settings.stTenantId}/jobs`;
    const existingJob = write.existingExternalIds?.serviceTitanJobId;
    const job = {
      summary: common.summary,
      ...(write.window
        ? {
            appointments: [
              { start: write.window.startUtc, end: write.window.endUtc, arrivalWindowStart: write.window.startUtc, arrivalWindowEnd: write.window.endUtc },
            ],
          }
        : {}),
    };
    if (existingJob) {
      await this.api('update job', 'PATCH', `${jobs}/${existingJob}`, job);
      return { adapter: this.name, externalIds: { serviceTitanJobId: existingJob } };
    }
    const known = write.crmCustomer;
    if (!known?.locationId || !write.window || write.existingExternalIds?.serviceTitanBookingId) return undefined;
    // A create whose answer was lost may have made the job: look it up before creating again.
    const found = write.previousCreateAttemptAt ? await this.findJobByExternalData(jobs, write, known.customerId) : undefined;
    if (found) {
      await this.api('update job', 'PATCH', `${jobs}/${found}`, job);
      return { adapter: this.name, externalIds: { serviceTitanJobId: found, serviceTitanCustomerId: known.customerId } };
    }
    const created = await this.api<{ id: number }>('create job', 'POST', jobs, {
      ...job,
      customerId: Number(known.customerId),
      locationId: Number(known.locationId),
      businessUnitId: common.businessUnitId,
      jobTypeId: common.jobTypeId,
      campaignId: common.campaignId,
      priority: 'Normal',
      externalData: [{ key: EXTERNAL_DATA_KEY, value: write.bookingId }],
    });
    return { adapter: this.name, externalIds: { serviceTitanJobId: String(created.id), serviceTitanCustomerId: known.customerId } };
  }

  /**
   * JPM `GET /jpm/v2/tenant/{tenant}/jobs` with customerId and createdOnOrAfter (documented list
   * filters), and externalDataKey / externalDataValues (as ServiceTitan's customer list documents
   * them; inferred for jobs, so the answer is also checked here): the job this booking's create made.
   */
  private async findJobByExternalData(jobs: string, write: CrmBookingWrite, customerId: string): Promise<string | undefined> {
    const since = new Date(Date.parse(write.previousCreateAttemptAt!) - 5 * 60_000).toISOString();
    const filter = `customerId=${encodeURIComponent(customerId)}&createdOnOrAfter=${encodeURIComponent(since)}&externalDataKey=${EXTERNAL_DATA_KEY}&externalDataValues=${encodeURIComponent(write.bookingId)}`;
    for (let page = 1; page <= 20; page++) {
      const listed = await this.api<StPage<{ id: number; externalData?: Array<{ key: string; value: string }> }>>(
        'find job',
        'GET',
        `${jobs}?${filter}&page=${page}&pageSize=200`,
        undefined,
      );
      const match = listed.data.find((j) => j.externalData?.some((d) => d.key === EXTERNAL_DATA_KEY && d.value === write.bookingId));
      if (match) return String(match.id);
      if (!listed.hasMore) return undefined;
    }
    return undefined;
  }

  private async findByExternalId(base: string, write: CrmBookingWrite): Promise<string | undefined> {
    const since = new Date(Date.parse(write.previousCreateAttemptAt!) - 5 * 60_000).toISOString();
    for (let page = 1; page <= 20; page++) {
      const listed = await this.api<{ hasMore: boolean; data: Array<{ id: number; externalId?: string }> }>(
        'find booking',
        'GET',
        `${base}?createdOnOrAfter=${encodeURIComponent(since)}&page=${page}&pageSize=200`,
        undefined,
      );
      const found = listed.data.find((b) => b.externalId === write.bookingId);
      if (found) return String(found.id);
      if (!listed.hasMore) return undefined;
    }
    return undefined;
  }
}
