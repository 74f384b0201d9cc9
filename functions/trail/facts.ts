/**
 * The facts the job trail carries from its first step (issue 19): AssignTechnician reads the booking,
 * the tenant configuration and the job type once, and hands the later steps what they decide on in
 * the trail's state (`$.assignment.facts`): ids, flags and the job type's lists, never the caller's
 * details. A step whose state carries none (AssignTechnician failed, or moved the job to another
 * technician) reads the booking as before.
 */
import type { BookingRecord, TimelineNote } from '../booking/store';
import type { WorkflowState } from '../shared/node';
import type { JobType, Tenant } from '../tenant/model';

export interface TrailFacts {
  /** The technician the job stays with. */
  technicianId: string;
  jobTypeId: string;
  /** The booking's customer (an id: the messages' worker reads the customer with the row, notify/store.ts). */
  customerId?: string;
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
    ...(booking.customerId ? { customerId: booking.customerId } : {}),
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

/**
 * What a step leaves for CloseTrail to write on the booking (issue 19: one booking write for the whole
 * trail, where each step wrote its own): the fields it decided (checklist, parts) and its timeline
 * notes, each with its own time. A step's result carries it as `write` at the step's ResultPath; a
 * step that failed (its Catch) leaves none, and CloseTrail writes the others'.
 */
export interface TrailWrite {
  fields?: Partial<Pick<BookingRecord, 'checklist' | 'materials'>>;
  notes: TimelineNote[];
}

/** The steps' results that may carry a write, in the trail's order (state-machines/job-trail.asl.json ResultPaths). */
const WRITING_STEPS = ['assignment', 'notices', 'checklist', 'materials'] as const;

/** Every step's write in the trail's order: the fields merged, the notes one after another. */
export function trailWritesOf(state: WorkflowState): Required<TrailWrite> {
  const fields: TrailWrite['fields'] = {};
  const notes: TimelineNote[] = [];
  for (const step of WRITING_STEPS) {
    const write = (state[step] as { write?: TrailWrite } | undefined)?.write;
    if (!write) continue;
    Object.assign(fields, write.fields);
    notes.push(...write.notes);
  }
  return { fields, notes };
}
