/**
 * The capacity engine's read side: loads what the slot maths needs (one Query for technicians, one
 * for claims across the whole date range) and answers which windows are open.
 */
import { listTechnicians } from '../tenant/store';
import type { JobType, Tenant } from '../tenant/model';
import { explainNoWindow, findOpenWindows, localDates, type NoWindowReason, type OpenWindow } from './availability';
import { listClaims } from './store';

/** Lead time: a window is not offered when it starts sooner than this. */
export const MIN_LEAD_MINUTES = 60;

export interface AvailabilityAnswer {
  open: OpenWindow[];
  reason?: NoWindowReason;
}

export async function availableWindows(args: {
  tenant: Tenant;
  jobType: JobType;
  postalCode: string;
  days: number;
  now: Date;
}): Promise<AvailabilityAnswer> {
  const { tenant, jobType, postalCode, now } = args;
  const dates = localDates(now, args.days, tenant.timeZone);
  const [technicians, claims] = await Promise.all([
    listTechnicians(tenant.tenantId),
    listClaims(tenant.tenantId, dates[0]!, dates[dates.length - 1]!),
  ]);
  const open = findOpenWindows({
    tenant,
    technicians,
    jobType,
    postalCode,
    dates,
    claims,
    notBefore: new Date(now.getTime() + MIN_LEAD_MINUTES * 60_000),
    now,
  });
  return open.length ? { open } : { open, reason: explainNoWindow(technicians, jobType, postalCode) };
}

export function asBookedWindow(window: OpenWindow, technicianId?: string) {
  return { date: window.date, start: window.start, end: window.end, ...(technicianId ? { technicianId } : {}) };
}
