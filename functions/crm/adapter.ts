/**
 * One interface for every CRM/FSM the booking is written to (the built-in store is the default).
 * Adapters throw CrmUnavailableError (retry later) or CrmRejectedError (a person must look).
 */
export interface CrmBookingWrite {
  tenantId: string;
  bookingId: string;
  customerId: string;
  state: 'booked';
  dealStage: string;
  /** Already mapped through the mapping table. */
  fields: Record<string, string | number | boolean>;
  /** Conversation transcript, attached as a note. */
  transcriptNote?: string;
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
