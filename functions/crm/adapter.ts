/**
 * One interface for every CRM/FSM the booking is written to (the built-in store is the default).
 * Adapters throw CrmUnavailableError (retry later: down, timing out, throttled) or CrmRejectedError
 * (a person must look: bad credentials, refused data). Shape after Powertools idempotency's
 * persistence layers: one interface, one file per backend in adapters/.
 */
import type { JobState } from './mapping';
import type { CustomerAddress } from '../recognise/store';

/** The service address as the customer record stores it. */
export type CrmAddress = CustomerAddress;

export interface CrmBookingWrite {
  tenantId: string;
  bookingId: string;
  customerId: string;
  state: JobState;
  dealStage: string;
  /** The downstream action the mapping table says this state fires. */
  action: string;
  /** Already mapped through the mapping table. */
  fields: Record<string, string | number | boolean>;
  /** Structured facts vendor APIs need in their own shapes (their required fields). */
  customer: { name: string; phoneE164: string; email?: string; isNew: boolean };
  address: CrmAddress;
  summary?: string;
  /** Window start/end as UTC ISO instants, when the booking has one. */
  window?: { startUtc: string; endUtc: string; label: string };
  /** Per-source settings applied to the booking (vendor ids for job type, campaign, business unit). */
  source?: { jobType?: string; campaign?: string; businessUnit?: string; name?: string };
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
}

export interface CrmWriteResult {
  adapter: string;
  externalIds: Record<string, string>;
}

export interface CrmAdapter {
  readonly name: string;
  writeBooking(write: CrmBookingWrite): Promise<CrmWriteResult>;
}
