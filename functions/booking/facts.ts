/**
 * The facts a booking run carries in its workflow state (issue 19): what the bookings route read
 * once, so that no node reads the booking, the tenant configuration or the job type again just to
 * learn what the route already knew. Kept small (a few hundred bytes against Step Functions' 256 KB)
 * and without the caller's details: no name, phone, email or street, only the postal code capacity
 * needs. Nodes that need the caller (RecogniseCustomer, WriteCrm) or the booking's newest state
 * (CommitSlot: a failed CRM write sets its statusReason) still read the booking.
 */
import type { WorkflowState } from '../shared/node';
import { readTenantConfig } from '../tenant/config-cache';
import type { JobType } from '../tenant/model';
import { getJobType } from '../tenant/store';
import type { CreateBookingRequest } from './schemas';
import { requireBookingRecord, type BookingRecord } from './store';

/** The booking as the run found it: what the capacity nodes decide on. */
export type BookingSnapshot = Pick<BookingRecord, 'jobTypeId' | 'status' | 'customerId' | 'holdId' | 'window' | 'sourceSettings' | 'statusReason'> & {
  request: Pick<CreateBookingRequest, 'window' | 'holdId' | 'emergency'> & { address: { postalCode: string; country?: string } };
};

export interface BookingFacts {
  /** The version of the tenant configuration the request was checked against (tenant/config-cache.ts). */
  configVersion: string;
  jobType: JobType;
  booking: BookingSnapshot;
  /**
   * Whom the caller's phone and email claims named when the route read them (customer ids, null for
   * no claim; ids only, never the phone or email), read in the route's one consistent request with the
   * configuration: RecogniseCustomer reads those customers with the booking instead of reading the
   * claims again. A claim taken after that read makes the node's conditional create fail, and it
   * recognises again from fresh reads (recognise/recognise.ts). Absent on runs nobody read it for.
   */
  claims?: CallerClaims;
}

/** The customers the caller's phone and email claims named (null: no claim; an email claim only when the caller gave an email). */
export interface CallerClaims {
  phone: string | null;
  email?: string | null;
}

/**
 * The booking's fields a run writes up to CommitSlot (the customer, the hold and window, where the CRM
 * has it, the status): a committed run's output carries them as CommitSlot's write left them, and
 * the bookings route lays them over the booking it stored instead of reading it again (issue 19).
 */
const RUN_FIELDS = ['status', 'statusReason', 'customerId', 'holdId', 'window', 'crm', 'updatedAt'] as const;
export type RunChanges = Partial<Pick<BookingRecord, (typeof RUN_FIELDS)[number]>>;

/** The run's fields of a booking record (set ones only). */
export function runChangesOf(record: Partial<BookingRecord>): RunChanges {
  return Object.fromEntries(RUN_FIELDS.filter((field) => record[field] !== undefined).map((field) => [field, record[field]])) as RunChanges;
}

export function snapshotOf(record: BookingRecord): BookingSnapshot {
  const { request } = record;
  return {
    jobTypeId: record.jobTypeId,
    status: record.status,
    ...(record.customerId ? { customerId: record.customerId } : {}),
    ...(record.holdId ? { holdId: record.holdId } : {}),
    window: record.window ?? null,
    ...(record.sourceSettings ? { sourceSettings: record.sourceSettings } : {}),
    ...(record.statusReason ? { statusReason: record.statusReason } : {}),
    request: {
      address: { postalCode: request.address.postalCode, ...(request.address.country ? { country: request.address.country } : {}) },
      ...(request.window ? { window: request.window } : {}),
      ...(request.holdId ? { holdId: request.holdId } : {}),
      ...(request.emergency !== undefined ? { emergency: request.emergency } : {}),
    },
  };
}

/** Facts for a run nobody has read for (the recovery sweep, a resumed request): read them now. */
export async function readBookingFacts(tenantId: string, bookingId: string): Promise<BookingFacts | undefined> {
  const record = await requireBookingRecord(tenantId, bookingId);
  const [config, jobType] = await Promise.all([readTenantConfig(tenantId), getJobType(tenantId, record.jobTypeId)]);
  if (!config || !jobType) return undefined;
  return { configVersion: config.version, jobType, booking: snapshotOf(record) };
}

/** The facts of this run, when the run carries them. */
export function factsOf(state: WorkflowState): BookingFacts | undefined {
  return state.facts as BookingFacts | undefined;
}

/** The booking as a capacity node needs it: the run's snapshot (with the customer this run recognised), else read. */
export async function bookingOf(state: WorkflowState): Promise<BookingSnapshot> {
  const snapshot = factsOf(state)?.booking ?? (await requireBookingRecord(state.tenantId, state.bookingId));
  const customerId = snapshot.customerId ?? state.customer?.customerId;
  return customerId ? { ...snapshot, customerId } : snapshot;
}

/** The booking's job type: the run's copy when it is that job type, else read. */
export async function jobTypeOf(state: WorkflowState, jobTypeId: string): Promise<JobType | undefined> {
  const carried = factsOf(state)?.jobType;
  return carried?.jobTypeId === jobTypeId ? carried : getJobType(state.tenantId, jobTypeId);
}
