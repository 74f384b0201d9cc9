/**
 * POST /v1/schedule/sync: the FSM's existing jobs consume capacity the same way bookings made here
 * do (a BOOKED claim on the slot and the technician's daily-limit token), and the sync time makes
 * the schedule data fresh again. Re-sending a job is a no-op; a job that collides with a claim made
 * here is reported per row (and left for dispatch), never forced over it.
 */
import { ApiError } from '../shared/errors';
import { getTenant, listTechnicians, tenantKeys } from '../tenant/store';
import { isClaimActive, windowUnits, withCounters } from './availability';
import type { ScheduleSyncRequest } from './schemas';
import { claimHold, getHold, listClaims, recordScheduleSync } from './store';

/** Claims capacity for each FSM job (idempotent per external id) and marks the schedule data fresh. */
export async function syncSchedule(tenantId: string, body: ScheduleSyncRequest, at: Date) {
  const [tenant, technicians] = await Promise.all([getTenant(tenantId), listTechnicians(tenantId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  const dates = body.jobs.map((job) => job.date).sort();
  const claims = dates.length ? await listClaims(tenantId, dates[0]!, dates[dates.length - 1]!) : [];
  const windows = [...tenant.arrivalWindows, ...tenant.afterHoursWindows];

  let synced = 0;
  let unchanged = 0;
  const conflicts: Array<{ externalId: string; reason: string }> = [];
  for (const job of body.jobs) {
    const holdId = `ext-${job.externalId}`;
    const window = windows.find((w) => w.start === job.start);
    if (!window) {
      conflicts.push({ externalId: job.externalId, reason: `start ${job.start} is not one of the arrival windows` });
      continue;
    }
    if (!technicians.some((t) => t.technicianId === job.technicianId)) {
      conflicts.push({ externalId: job.externalId, reason: `unknown technician ${job.technicianId}` });
      continue;
    }
    const existing = await getHold(tenantId, holdId);
    if (existing?.status === 'BOOKED') {
      unchanged++;
      continue;
    }
    // The technician's next daily-limit token; an FSM may book past our limit, so go beyond it if it did.
    const used = new Set(
      claims.filter((c) => c.kind === 'techDay' && c.date === job.date && c.technicianId === job.technicianId && isClaimActive(c, at)).map((c) => c.index!),
    );
    let techDayIndex = 1;
    while (used.has(techDayIndex)) techDayIndex++;
    const plan = withCounters(
      {
        date: job.date,
        start: window.start,
        end: window.end,
        technicianId: job.technicianId,
        windowStarts: [window.start],
        // An FSM job fills its window: every minute unit of it.
        units: { [window.start]: Array.from({ length: windowUnits(window) }, (_, k) => k + 1) },
        techDayIndex,
        jobTypeId: job.jobTypeId ?? 'external',
      },
      windows,
      claims,
      at,
    );
    const outcome = await claimHold({ tenantId, holdId, plan, emergency: false, status: 'BOOKED', source: 'external', createdAt: at.toISOString() }, at);
    if (outcome === 'won') {
      synced++;
      claims.push({ kind: 'techDay', date: job.date, technicianId: job.technicianId, index: techDayIndex, status: 'BOOKED', holdId });
    } else {
      conflicts.push({ externalId: job.externalId, reason: 'the slot is already claimed by a booking made here' });
    }
  }
  const lastSyncAt = body.syncedAt ?? at.toISOString();
  await recordScheduleSync(tenantKeys.tenant(tenantId), lastSyncAt);
  return { synced, unchanged, conflicts, lastSyncAt };
}
