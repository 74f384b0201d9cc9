/**
 * POST /v1/dispatch/reassign: a dispatcher (or a day plan) says who does which job; windows stay as
 * booked. Changes that depend on each other (a swap, a chain A->B->C) go through reassignTechnicians
 * together, so they succeed in one transaction where one-at-a-time moves could not. Changes are
 * grouped by the technicians they connect; a group larger than one transaction is applied in
 * chunks, retried while any chunk makes progress, then job by job. What cannot be done is reported
 * per job with the reason; nothing is half-applied for a job.
 */
import { reassignTechnicians, MAX_JOBS_PER_REASSIGNMENT, type Reassignment } from '../booking/reassign';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { currentAssignments, loadDispatchDay, toPlanDay } from './day';
import { metrics } from './plan';
import { ReassignBodySchema } from './schemas';

type Failure = { jobId: string; technicianId: string; code: string; reason: string };

/** Moves that share a technician (as giver or taker) belong together: a union-find over technicians. */
export function groupByTechnician(moves: Array<Reassignment & { fromTechnicianId?: string }>): Reassignment[][] {
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    const p = parent.get(t) ?? t;
    if (p === t) return t;
    const root = find(p);
    parent.set(t, root);
    return root;
  };
  for (const m of moves) if (m.fromTechnicianId) parent.set(find(m.fromTechnicianId), find(m.technicianId));
  const groups = new Map<string, Reassignment[]>();
  for (const m of moves) {
    const root = find(m.technicianId);
    groups.set(root, [...(groups.get(root) ?? []), { bookingId: m.bookingId, technicianId: m.technicianId }]);
  }
  return [...groups.values()];
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

export const handler = apiRoute({ body: ReassignBodySchema }, async ({ tenant, body }) => {
  const at = now();
  const reason = body.reason ?? 'Dispatch reassignment';
  const day = await loadDispatchDay(tenant.tenantId, body.date);
  const jobs = new Map(day.jobs.map((j) => [j.bookingId, j]));
  const failed: Failure[] = [];
  const unchanged: string[] = [];
  const moves: Array<Reassignment & { fromTechnicianId?: string }> = [];
  const seen = new Set<string>();
  for (const a of body.assignments) {
    const job = jobs.get(a.jobId);
    if (seen.has(a.jobId)) failed.push({ jobId: a.jobId, technicianId: a.technicianId, code: 'invalid_request', reason: 'The job appears twice' });
    else if (!job) failed.push({ jobId: a.jobId, technicianId: a.technicianId, code: 'not_found', reason: `No booked job ${a.jobId} on ${body.date}` });
    else if (a.start && a.start !== job.start) {
      failed.push({
        jobId: a.jobId,
        technicianId: a.technicianId,
        code: 'invalid_request',
        reason: `The job is booked for ${job.start}; a window change needs the customer (POST /v1/bookings/${a.jobId}/reschedule)`,
      });
    } else if (job.technicianId === a.technicianId) unchanged.push(a.jobId);
    else moves.push({ bookingId: a.jobId, technicianId: a.technicianId, fromTechnicianId: job.technicianId });
    seen.add(a.jobId);
  }

  const applied: Reassignment[] = [];
  const lastError = new Map<string, ApiError>();
  const attempt = async (batch: Reassignment[]): Promise<boolean> => {
    try {
      await reassignTechnicians(tenant.tenantId, batch, tenant.keyId, reason, at);
      applied.push(...batch);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      for (const m of batch) lastError.set(m.bookingId, error);
      return false;
    }
  };
  // Whole groups first (a swap needs both halves at once), then what is left job by job.
  let pending = groupByTechnician(moves).flatMap((group) => chunks(group, MAX_JOBS_PER_REASSIGNMENT));
  for (const split of [false, true]) {
    if (split) pending = pending.flat().map((m) => [m]);
    for (let progress = true; progress && pending.length; ) {
      progress = false;
      const next: Reassignment[][] = [];
      for (const batch of pending) {
        if (await attempt(batch)) progress = true;
        else next.push(batch);
      }
      pending = next;
    }
  }
  for (const m of pending.flat()) {
    const error = lastError.get(m.bookingId)!;
    failed.push({ jobId: m.bookingId, technicianId: m.technicianId, code: error.code, reason: error.message });
  }

  const after = await loadDispatchDay(tenant.tenantId, body.date);
  const problem = toPlanDay(after);
  return {
    statusCode: 200,
    body: {
      date: body.date,
      applied: applied.map((m) => ({ jobId: m.bookingId, technicianId: m.technicianId })),
      unchanged,
      failed,
      current: { metrics: metrics(problem, currentAssignments(after, problem)) },
    },
  };
});
