/** GET /v1/dispatch/board?date: each technician's day (booked jobs by window) for the tenant. */
import { apiRoute } from '../shared/http';
import { boardVersion, loadDispatchDay, planTechnicians } from './day';
import { DispatchDateQuerySchema } from './schemas';

export const handler = apiRoute({ query: DispatchDateQuerySchema }, async ({ tenant, query }) => {
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  const onShift = new Map(planTechnicians(day).map((t) => [t.technicianId, t.windowStarts]));
  const view = (j: (typeof day.jobs)[number]) => ({
    bookingId: j.bookingId,
    status: j.status,
    jobTypeId: j.jobTypeId,
    jobTypeName: j.jobTypeName,
    postalCode: j.postalCode,
    start: j.start,
    end: j.end,
    windowStarts: j.windowStarts,
    minutes: j.minutes,
    ...(j.durationMinutes !== undefined ? { durationMinutes: j.durationMinutes } : {}),
    jobState: j.jobState,
  });
  const known = new Set(day.technicians.map((t) => t.technicianId));
  return {
    statusCode: 200,
    body: {
      date: day.date,
      timeZone: day.tenant.timeZone,
      windows: day.tenant.arrivalWindows,
      technicians: day.technicians
        .filter((t) => t.active)
        .map((t) => ({
          technicianId: t.technicianId,
          name: t.name,
          onShiftWindows: onShift.get(t.technicianId) ?? [],
          jobs: day.jobs.filter((j) => j.technicianId === t.technicianId).map(view),
        })),
      unassigned: day.jobs.filter((j) => !j.technicianId || !known.has(j.technicianId)).map(view),
      version: boardVersion(day),
    },
  };
});
