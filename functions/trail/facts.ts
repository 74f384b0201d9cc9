/**
 * The facts the job trail carries from its first step (issue 19): AssignTechnician reads the booking,
 * the tenant configuration and the job type once, and hands the later steps what they decide on in
 * the trail's state (`$.assignment.facts`): ids, flags and the job type's lists, never the caller's
 * details. A step whose state carries none (AssignTechnician failed, or moved the job to another
 * technician) reads the booking as before.
 */
import type { BookingRecord } from '../booking/store';
import type { WorkflowState } from '../shared/node';
import type { JobType, Tenant } from '../tenant/model';

export interface TrailFacts {
  /** The technician the job stays with. */
  technicianId: string;
  jobTypeId: string;
  scheduleVersion?: number;
  /** The booking or its job type is an emergency (the on-call manager hears of it too). */
  emergency: boolean;
  /** Whether the dispatch and on-call manager contacts are configured (not the numbers). */
  dispatchPhone: boolean;
  onCallManagerPhone: boolean;
  /** The job type's prep checklist and parts. */
  prepChecklist: string[];
  materials: JobType['materials'];
  /** Checklist items the booking had ticked already (a re-entered trail keeps them). */
  checklistDone: string[];
}

/** The facts of the booking as AssignTechnician found it and kept its technician. */
export function trailFacts(booking: BookingRecord, tenant: Tenant, jobType: JobType, technicianId: string): TrailFacts {
  return {
    technicianId,
    jobTypeId: booking.jobTypeId,
    ...(booking.scheduleVersion !== undefined ? { scheduleVersion: booking.scheduleVersion } : {}),
    emergency: Boolean(booking.request.emergency || jobType.emergency),
    dispatchPhone: Boolean(tenant.dispatch.phone),
    onCallManagerPhone: Boolean(tenant.dispatch.onCallManagerPhone),
    prepChecklist: jobType.prepChecklist,
    materials: jobType.materials,
    checklistDone: (booking.checklist ?? []).filter((c) => c.done).map((c) => c.item),
  };
}

/** The trail's facts, when its state carries them (AssignTechnician's result). */
export function trailFactsOf(state: WorkflowState): TrailFacts | undefined {
  const facts = (state.assignment as { facts?: Partial<TrailFacts> } | undefined)?.facts;
  return facts && typeof facts.technicianId === 'string' && typeof facts.jobTypeId === 'string' ? (facts as TrailFacts) : undefined;
}
