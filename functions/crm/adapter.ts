/**
 * One interface for every CRM/FSM the booking is written to (the built-in store is the default).
 * Adapters throw CrmUnavailableError (retry later: down, timing out, throttled) or CrmRejectedError
 * (a person must look: bad credentials, refused data). Shape after Powertools idempotency's
 * persistence layers: one interface, one file per backend in adapters/.
 */
import type { JobState } from './mapping';
import type { CustomerAddress } from '../recognise/store';
import type { CrmConnectionTest, CrmOptions } from './setup-schemas';
import type { RequiredVendorIds } from './vendor-ids';
import type { CrmCustomer, CrmCustomerPage, CrmCustomerQuery } from './read-sync-schemas';
import type { TransactItem } from '../capacity/store';

/** The service address as the customer record stores it. */
export type CrmAddress = CustomerAddress;

export interface CrmBookingWrite {
  tenantId: string;
  bookingId: string;
  customerId: string;
  state: JobState;
  dealStage: string;
  /** Already mapped through the mapping table. */
  fields: Record<string, string | number | boolean>;
  /** Structured facts vendor APIs need in their own shapes (their required fields). */
  customer: { name: string; phoneE164: string; email?: string; isNew: boolean };
  address: CrmAddress;
  summary?: string;
  /** Window start/end as UTC ISO instants, when the booking has one. */
  window?: { startUtc: string; endUtc: string; label: string };
  /** Per-source settings applied to the booking (vendor ids for job type, campaign, business unit). */
  source?: { jobType?: string; campaign?: string; businessUnit?: string; technician?: string; name?: string };
  /** How urgent the job is (an emergency flag or job type, else triage's urgency): vendor priority follows it. */
  urgency?: 'emergency' | 'urgent' | 'routine';
  /** Conversation transcript, attached as a note. */
  transcriptNote?: string;
  /** Ids from an earlier write of this booking (an update instead of a create). */
  existingExternalIds?: Record<string, string>;
  /**
   * When a create of this booking was sent before (its answer may have been lost to a timeout):
   * adapters whose vendor has no idempotent create look for that record first.
   */
  previousCreateAttemptAt?: string;
  /** Stable per write, so a retried write is recognised by the receiver. */
  idempotencyKey: string;
  /**
   * The CRM's own ids for this customer and service location, when the customer came from the CRM
   * (read sync): the write goes against them and never creates a second customer in the CRM.
   */
  crmCustomer?: { customerId: string; locationId?: string };
}

export interface CrmWriteResult {
  adapter: string;
  externalIds: Record<string, string>;
  /** The adapter wrote `CrmWriteOptions.recordWith` with its own records (the built-in store). */
  recorded?: boolean;
}

export interface CrmWriteOptions {
  /**
   * The booking's record of this write, built from the write's result. An adapter whose CRM is the
   * JobRelay table (the built-in store) writes it in the same transaction as the CRM's records and
   * says so (`recorded`): one request, and never a CRM record the booking does not point at (issue 19).
   * Other adapters ignore it; the caller then records the result itself.
   */
  recordWith?: (result: CrmWriteResult) => TransactItem;
}

export interface CrmAdapter {
  readonly name: string;
  writeBooking(write: CrmBookingWrite, options?: CrmWriteOptions): Promise<CrmWriteResult>;
  // Setup (functions/crm/setup.ts): what the owner connects and picks from.
  /** Vendor ids every booking must carry (e.g. ServiceTitan's job type, campaign, business unit); a booking without them opens a review item. */
  readonly requiredIds?: RequiredVendorIds;
  /**
   * The adapter looks for a create whose answer was lost (`previousCreateAttemptAt`): the write then
   * notes each create's first attempt on the booking before sending it. Absent: the vendor's writes
   * are keyed by id or idempotency key, and that note would be a write nobody reads (issue 19).
   */
  readonly findsLostCreates?: boolean;
  /** One or two harmless authenticated calls: does the CRM take the credentials, with which scopes, seeing which account. */
  testConnection?(): Promise<Pick<CrmConnectionTest, 'scopes' | 'visible' | 'checks'>>;
  /** The lists the owner picks mappings from (job types, campaigns, business units, technicians, pipelines), every page. */
  listOptions?(): Promise<CrmOptions>;
  /** Makes the CRM fields the writes use exist (HubSpot custom properties); answers the names it created. */
  prepareFields?(fieldNames: string[]): Promise<string[]>;
  /** Read sync (crm/read-sync.ts): one page of the CRM's customers; absent for adapters with nothing to read. */
  listCustomers?(query: CrmCustomerQuery): Promise<CrmCustomerPage>;
  /** Read sync after a vendor webhook: these customers by CRM id (at most 100; one the CRM no longer has is left out). */
  getCustomers?(crmIds: string[]): Promise<CrmCustomer[]>;
}
