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
import { vendorCall } from './http';

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

export class ServiceTitanCrmAdapter implements CrmAdapter {
  readonly name = 'servicetitan';

  constructor(
    private readonly settings: ServiceTitanSettings,
    private readonly credentials: ServiceTitanCredentials,
  ) {}

  private async accessToken(forceNew = false): Promise<string> {
    const cached = tokens.get(this.credentials.clientId);
    if (!forceNew && cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
    const { body } = await vendorCall<{ access_token: string; expires_in: number }>('ServiceTitan', 'token', `${this.settings.authUrl}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
      }).toString(),
      timeoutMs: this.settings.timeoutMs,
    });
    tokens.set(this.credentials.clientId, { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 });
    return body.access_token;
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
    const base = `/crm/v2/tenant/${this.settings.stTenantId}/booking-provider/${this.settings.bookingProviderId}/bookings`;
    // ServiceTitan bookings have no notes endpoint: the transcript travels in the summary.
    const summary = [write.summary ?? String(write.fields.summary ?? ''), write.transcriptNote ? `Transcript:\n${write.transcriptNote}` : '']
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
      ...(write.window ? { start: write.window.startUtc } : {}),
      summary: summary || 'Booked through JobRelay',
      campaignId: numeric(write.source?.campaign),
      businessUnitId: numeric(write.source?.businessUnit),
      jobTypeId: numeric(write.source?.jobType),
      isFirstTimeClient: write.customer.isNew,
      externalId: write.bookingId,
    };
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
      priority: 'Normal',
      isSendConfirmationEmail: false,
      contacts: [{ type: 'MobilePhone', value: write.customer.phoneE164 }, ...(write.customer.email ? [{ type: 'Email', value: write.customer.email }] : [])],
    });
    return { adapter: this.name, externalIds: { serviceTitanBookingId: String(created.id) } };
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
