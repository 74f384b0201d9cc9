/**
 * Jobber (GraphQL API, OAuth2 with rotating refresh tokens): a booking becomes a client (found by
 * phone first, so never a second one), a property (the service address) and a job with a visit in
 * the booked window; a lead (no window, state `lead`) becomes a Jobber request on the client and
 * property, the object Jobber's own booking form and online requests make, which the office turns
 * into a job or quote. Transport, tokens and error classes: jobber-graphql.ts.
 * First-hand (developer.getjobber.com): GraphQL at /api/graphql, `clientCreate(input)` returning
 * {client, userErrors {message path}}, webhooks and rate limits (see jobber-graphql.ts, jobber-webhook.ts).
 * Inferred from the schema's conventions (the schema explorer was not reachable here; confirm
 * against the version pinned in `apiVersion` before production): `clients(searchTerm)`,
 * `propertyCreate(clientId, input {properties [{address}]})` -> {properties}, `jobCreate(input
 * JobCreateAttributes {propertyId, title, instructions, invoicing, timeframe {startAt endAt},
 * scheduling {createVisits notifyTeam assignedTo}, lineItems})` -> {job {id visits}},
 * `visitEditSchedule(visitId, input {startAt endAt})`, `jobCreateNote(jobId, input {message})`,
 * `requestCreate(input {clientId propertyId title})`, `account`, `users`, `productOrServices`.
 * Jobber jobs have no priority field: urgency leads the title (JOBBER_URGENCY_TITLE); access notes,
 * customer notes and membership come from the mapping table's fields (field-notes.ts) into the
 * job's instructions, which the field team reads on the visit.
 */
import { CrmRejectedError } from '../../shared/errors';
import type { CrmAdapter, CrmBookingWrite, CrmWriteResult } from '../adapter';
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from '../read-sync-schemas';
import type { CrmConnectionTest, CrmOption, CrmOptions } from '../setup-schemas';
import { fieldNotes, leadCloseByHand } from './field-notes';
import { type JobberCredentials, JobberGraphQl, type JobberSettings } from './jobber-graphql';
import { CLIENT_FIELDS, type JobberClientNode, listJobberClients, readJobberClient } from './jobber-read';

export { parseJobberSecret } from './jobber-graphql';

/** The title's first words by urgency (Jobber jobs have no priority: the schedule shows the title). */
export const JOBBER_URGENCY_TITLE = { emergency: 'EMERGENCY: ', urgent: 'Urgent: ', routine: '' } as const;

/** Lists are read to this many pages of 100 at most: a picker is no place for more. */
const MAX_OPTION_PAGES = 10;

const SEARCH_CLIENTS = `query JobRelayFindClient($term: String!) { clients(first: 10, searchTerm: $term) { nodes { ${CLIENT_FIELDS} } } }`;
const CLIENT_CREATE = `mutation JobRelayClientCreate($input: ClientCreateInput!) {
  clientCreate(input: $input) { client { id } userErrors { message path } }
}`;
const PROPERTY_CREATE = `mutation JobRelayPropertyCreate($clientId: EncodedId!, $input: PropertyCreateInput!) {
  propertyCreate(clientId: $clientId, input: $input) { properties { id } userErrors { message path } }
}`;
const REQUEST_CREATE = `mutation JobRelayRequestCreate($input: RequestCreateInput!) {
  requestCreate(input: $input) { request { id } userErrors { message path } }
}`;
const JOB_CREATE = `mutation JobRelayJobCreate($input: JobCreateAttributes!) {
  jobCreate(input: $input) { job { id jobNumber visits(first: 1) { nodes { id } } } userErrors { message path } }
}`;
const CLIENT_JOBS = `query JobRelayClientJobs($id: EncodedId!) { client(id: $id) { jobs(first: 50) { nodes { id instructions visits(first: 1) { nodes { id } } } } } }`;
const VISIT_SCHEDULE = `mutation JobRelayVisitSchedule($visitId: EncodedId!, $input: VisitEditScheduleInput!) {
  visitEditSchedule(visitId: $visitId, input: $input) { visit { id } userErrors { message path } }
}`;
const JOB_STATUS = `query JobRelayJobStatus($id: EncodedId!) { job(id: $id) { id jobStatus } }`;
const JOB_CLOSE = `mutation JobRelayJobClose($jobId: EncodedId!, $input: JobCloseInput!) {
  jobClose(jobId: $jobId, input: $input) { job { id jobStatus } userErrors { message path } }
}`;
const JOB_NOTE = `mutation JobRelayJobNote($jobId: EncodedId!, $input: JobCreateNoteInput!) {
  jobCreateNote(jobId: $jobId, input: $input) { jobNote { id } userErrors { message path } }
}`;

/** The line our instructions carry, so a job whose create answer was lost is found again (never made twice). */
export function bookingMarker(bookingId: string): string {
  return `JobRelay booking ${bookingId}`;
}

const digitsOf = (phone: string) => phone.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');

type Address = CrmBookingWrite['address'];
const sameAddress = (a: Address, b: Address) =>
  a.line1.trim().toLowerCase() === b.line1.trim().toLowerCase() && a.postalCode.replace(/\s/g, '') === b.postalCode.replace(/\s/g, '');

export class JobberCrmAdapter implements CrmAdapter {
  readonly name = 'jobber';
  readonly findsLostCreates = true;
  private readonly api: JobberGraphQl;

  constructor(tenantId: string, settings: JobberSettings, credentials: JobberCredentials) {
    this.api = new JobberGraphQl(tenantId, settings, credentials);
  }

  async writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult> {
    if (write.state === 'lead_booked') {
      leadCloseByHand('Jobber', 'request', write.existingExternalIds?.jobberRequestId, write);
      return { adapter: this.name, externalIds: write.existingExternalIds ?? {} };
    }
    const ids: Record<string, string> = { ...(write.existingExternalIds ?? {}) };
    if (write.state === 'cancelled') return this.closeCancelledJob(write, ids);
    const { clientId, propertyId } = await this.clientAndProperty(write, ids);
    ids.jobberClientId = clientId;
    ids.jobberPropertyId = propertyId;
    if (write.state === 'lead' && !write.window) {
      if (!ids.jobberRequestId) {
        const made = await this.api.mutate<{ request: { id: string } }>('request create', 'requestCreate', REQUEST_CREATE, {
          input: { clientId, propertyId, title: this.title(write) },
        });
        ids.jobberRequestId = made.request.id;
      }
      return { adapter: this.name, externalIds: ids };
    }
    if (!ids.jobberJobId && write.previousCreateAttemptAt) Object.assign(ids, await this.findJob(clientId, write.bookingId));
    if (!ids.jobberJobId) {
      const made = await this.api.mutate<{ job: { id: string; visits?: { nodes: Array<{ id: string }> } } }>('job create', 'jobCreate', JOB_CREATE, {
        input: {
          propertyId,
          title: this.title(write),
          instructions: this.instructions(write),
          invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' },
          ...(write.window ? { timeframe: { startAt: write.window.startUtc, endAt: write.window.endUtc } } : {}),
          scheduling: {
            createVisits: Boolean(write.window),
            notifyTeam: false,
            ...(write.source?.technician ? { assignedTo: [write.source.technician] } : {}),
          },
          ...(write.source?.jobType ? { lineItems: [{ productOrServiceId: write.source.jobType, quantity: 1, saveToProductsAndServices: false }] } : {}),
        },
      });
      ids.jobberJobId = made.job.id;
      const visit = made.job.visits?.nodes[0]?.id;
      if (visit) ids.jobberVisitId = visit;
      if (write.transcriptNote) {
        await this.api.mutate('job note', 'jobCreateNote', JOB_NOTE, {
          jobId: made.job.id,
          input: { message: `Transcript:\n${write.transcriptNote}`.slice(0, 10_000) },
        });
      }
    } else if (write.window && ids.jobberVisitId && (write.state === 'booked' || write.state === 'rescheduled')) {
      // The booking moved (rescheduled, or an accepted booking's window): its visit follows. Later states leave it.
      await this.api.mutate('visit schedule', 'visitEditSchedule', VISIT_SCHEDULE, {
        visitId: ids.jobberVisitId,
        input: { startAt: write.window.startUtc, endAt: write.window.endUtc },
      });
    }
    return { adapter: this.name, externalIds: ids };
  }

  /**
   * A cancelled booking: its job is closed with `jobClose(modifyIncompleteVisitsBy: DESTROY_ALL)`, so
   * its visit leaves the technician's calendar (Jobber has no job delete), with the reason as a job
   * note first. A job already closed (a retried write) is left alone; a booking Jobber never had
   * (cancelled before its first write went through) makes nothing in Jobber.
   */
  private async closeCancelledJob(write: CrmBookingWrite, ids: Record<string, string>): Promise<CrmWriteResult> {
    if (!ids.jobberJobId && write.previousCreateAttemptAt && ids.jobberClientId) Object.assign(ids, await this.findJob(ids.jobberClientId, write.bookingId));
    const jobId = ids.jobberJobId;
    if (!jobId) return { adapter: this.name, externalIds: ids };
    const { job } = await this.api.request<{ job: { jobStatus: string } | null }>('job status', JOB_STATUS, { id: jobId });
    if (!job || job.jobStatus === 'archived') return { adapter: this.name, externalIds: ids };
    const reason = write.fields.cancel_reason ? `: ${String(write.fields.cancel_reason)}` : '';
    await this.api.mutate('job note', 'jobCreateNote', JOB_NOTE, {
      jobId,
      input: { message: `Cancelled through JobRelay${reason}`.slice(0, 10_000) },
    });
    await this.api.mutate('job close', 'jobClose', JOB_CLOSE, { jobId, input: { modifyIncompleteVisitsBy: 'DESTROY_ALL' } });
    return { adapter: this.name, externalIds: ids };
  }

  /**
   * The Jobber client and property: ids from an earlier write, from the read sync (a caller Jobber
   * knows), by phone search (a retried write, or a client made before the sync), else created.
   */
  private async clientAndProperty(write: CrmBookingWrite, ids: Record<string, string>): Promise<{ clientId: string; propertyId: string }> {
    let clientId: string | undefined = ids.jobberClientId ?? write.crmCustomer?.customerId;
    let propertyId: string | undefined = ids.jobberPropertyId ?? (clientId === write.crmCustomer?.customerId ? write.crmCustomer?.locationId : undefined);
    if (!clientId) {
      const digits = digitsOf(write.customer.phoneE164);
      const found = await this.api.request<{ clients: { nodes: JobberClientNode[] } }>('client search', SEARCH_CLIENTS, { term: digits });
      const client = found.clients.nodes.find((c) => (c.phones ?? []).some((p) => digitsOf(p.number ?? '').endsWith(digits)));
      if (client) {
        clientId = client.id;
        propertyId = (client.clientProperties?.nodes ?? []).find((p) =>
          sameAddress(
            {
              line1: p.address?.street1 ?? '',
              postalCode: p.address?.postalCode ?? '',
              city: '',
              region: '',
              country: '',
            },
            write.address,
          ),
        )?.id;
      }
    }
    if (!clientId) {
      const [firstName, ...rest] = write.customer.name.trim().split(/\s+/);
      const made = await this.api.mutate<{ client: { id: string } }>('client create', 'clientCreate', CLIENT_CREATE, {
        input: {
          firstName: firstName ?? write.customer.name,
          lastName: rest.join(' '),
          phones: [{ number: write.customer.phoneE164, primary: true, description: 'MOBILE' }],
          ...(write.customer.email ? { emails: [{ address: write.customer.email, primary: true, description: 'MAIN' }] } : {}),
        },
      });
      clientId = made.client.id;
    }
    if (!propertyId) {
      const a = write.address;
      const made = await this.api.mutate<{ properties: Array<{ id: string }> }>('property create', 'propertyCreate', PROPERTY_CREATE, {
        clientId,
        input: {
          properties: [
            { address: { street1: a.line1, street2: a.line2 ?? '', city: a.city, province: a.region, postalCode: a.postalCode, country: a.country } },
          ],
        },
      });
      propertyId = made.properties[0]?.id;
      if (!propertyId) throw new CrmRejectedError('Jobber property create: no property in the answer');
    }
    return { clientId, propertyId };
  }

  private title(write: CrmBookingWrite): string {
    const what = String(write.fields.job_type ?? write.summary?.split('\n')[0] ?? 'Service request');
    return `${JOBBER_URGENCY_TITLE[write.urgency ?? 'routine']}${what}`.slice(0, 255);
  }

  private instructions(write: CrmBookingWrite): string {
    return [
      write.summary ?? String(write.fields.summary ?? ''),
      ...fieldNotes(write.fields),
      write.window ? `Arrival window: ${write.window.label}` : '',
      bookingMarker(write.bookingId),
    ]
      .filter(Boolean)
      .join('\n')
      .slice(0, 10_000);
  }

  private async findJob(clientId: string, bookingId: string): Promise<Record<string, string>> {
    const data = await this.api.request<{
      client: { jobs: { nodes: Array<{ id: string; instructions?: string; visits?: { nodes: Array<{ id: string }> } }> } } | null;
    }>('job search', CLIENT_JOBS, { id: clientId });
    const job = data.client?.jobs.nodes.find((j) => (j.instructions ?? '').includes(bookingMarker(bookingId)));
    if (!job) return {};
    const visit = job.visits?.nodes[0]?.id;
    return { jobberJobId: job.id, ...(visit ? { jobberVisitId: visit } : {}) };
  }

  /** The id of the Jobber account these credentials reach (the webhook's `accountId` must be it). */
  async accountId(): Promise<string> {
    const { account } = await this.api.request<{ account: { id: string } }>('account', 'query JobRelayAccountId { account { id } }');
    return account.id;
  }

  /** Setup's check: a fresh token (client id, secret and refresh token work) and the account it reaches. */
  async testConnection(): Promise<Pick<CrmConnectionTest, 'scopes' | 'visible' | 'checks'>> {
    await this.api.accessToken(true);
    const { account } = await this.api.request<{ account: { id: string; name: string } }>('account', 'query JobRelayAccount { account { id name } }');
    return {
      scopes: [],
      visible: { accountId: account.id, accountName: account.name },
      checks: [
        { name: 'token refresh', ok: true },
        { name: 'account', ok: true, detail: `Jobber account ${account.name}` },
      ],
    };
  }

  /** Products and services (what a Jobber job's line items are: our job types map to them) and team members. */
  async listOptions(): Promise<CrmOptions> {
    const [jobTypes, technicians] = await Promise.all([
      this.allPages('products and services', 'productOrServices', 'id name', (n) => String(n.name ?? n.id)),
      this.allPages('users', 'users', 'id name { full }', (n) => String((n.name as { full?: string } | undefined)?.full ?? n.id)),
    ]);
    return { adapter: this.name, jobTypes, campaigns: [], businessUnits: [], technicians, pipelines: [] };
  }

  private async allPages(what: string, field: string, fields: string, name: (node: Record<string, unknown>) => string): Promise<CrmOption[]> {
    const options: CrmOption[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_OPTION_PAGES; page++) {
      const query = `query JobRelayOptions($after: String) { ${field}(first: 100, after: $after) { nodes { ${fields} } pageInfo { hasNextPage endCursor } } }`;
      const data: Record<string, { nodes: Array<Record<string, unknown>>; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }> =
        await this.api.request(`list ${what}`, query, { after });
      const list = data[field]!;
      options.push(...list.nodes.map((n) => ({ id: String(n.id), name: name(n) })));
      if (!list.pageInfo.hasNextPage || !list.pageInfo.endCursor) break;
      after = list.pageInfo.endCursor;
    }
    return options;
  }

  /** Read sync: a page of clients (jobber-read.ts). */
  listCustomers(query: CrmCustomerQuery): Promise<CrmCustomerPage> {
    return listJobberClients(this.api, query);
  }

  /** The clients a CLIENT_* webhook named (crm/jobber-webhook.ts), one query each; a client Jobber no longer has is left out. */
  async getCustomers(crmIds: string[]): Promise<CrmCustomer[]> {
    const found: CrmCustomer[] = [];
    for (const id of crmIds) {
      const customer = await readJobberClient(this.api, id);
      if (customer) found.push(customer);
    }
    return found;
  }
}
