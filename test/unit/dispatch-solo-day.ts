/**
 * A one-technician dispatch day for the planner's unit tests (dispatch-plan, dispatch-plan-pinned):
 * `solo`, a drains plumber on shift 08:00-17:00 every day, the 45-minute `drain-45` job type, and
 * booked jobs on them as loadDispatchDay gives them. Not a test file.
 */
import type { DayJob, DispatchDay } from '../../functions/dispatch/day';
import { JobTypeSchema, TechnicianSchema } from '../../functions/tenant/model';
import { demoTenant } from '../../local/demo';

const shift = { start: '08:00', end: '17:00' };

export const drain45 = JobTypeSchema.parse({
  jobTypeId: 'drain-45',
  name: 'Drain',
  trade: 'plumbing',
  requiredSkills: ['drains'],
  durationWindows: 1,
  emergency: false,
  durationMinutes: 45,
});

export function soloTechnician(postalCodes: string[], basePostalCode?: string) {
  return TechnicianSchema.parse({
    technicianId: 'solo',
    name: 'Solo',
    trades: ['plumbing'],
    skills: ['drains'],
    postalCodes,
    ...(basePostalCode ? { basePostalCode } : {}),
    shifts: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift },
    active: true,
  });
}

/** A confirmed drain-45 job on solo, arriving start-end, holding `minutes` of each window. */
export function soloJob(job: {
  bookingId: string;
  start: string;
  end: string;
  minutes: Record<string, number>;
  createdAt: string;
  postalCode?: string;
}): DayJob {
  return {
    bookingId: job.bookingId,
    status: 'confirmed',
    jobTypeId: 'drain-45',
    postalCode: job.postalCode ?? '78701',
    technicianId: 'solo',
    holdId: `hold-${job.bookingId}`,
    start: job.start,
    end: job.end,
    windowStarts: Object.keys(job.minutes),
    minutes: job.minutes,
    durationMinutes: 45,
    createdAt: job.createdAt,
  };
}

/** Wednesday 2026-12-02 of the demo company `tenantId` with solo and these jobs. */
export function soloDay(tenantId: string, technician: ReturnType<typeof soloTechnician>, jobs: DayJob[]): DispatchDay {
  return {
    tenant: demoTenant(tenantId),
    date: '2026-12-02',
    technicians: [technician],
    jobTypes: [drain45],
    jobs,
    bookings: new Map(),
    claims: [],
    occupied: new Map(),
  };
}
