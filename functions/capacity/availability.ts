/**
 * Pure slot maths: which (date, window, technician) triples can take a job. No I/O, so the property
 * tests can hammer it. A slot is one technician in one arrival window on one local date.
 */
import { DateTime } from 'luxon';
import type { ArrivalWindow, JobType, Technician, Tenant, Weekday } from '../tenant/model';

export interface SlotClaim {
  date: string;
  start: string;
  technicianId: string;
  status: 'HELD' | 'BOOKED';
  holdId?: string;
  bookingId?: string;
  /** Epoch seconds; only holds expire. */
  expiresAt?: number;
}

export interface OpenWindow {
  date: string;
  start: string;
  end: string;
  /** Qualified, on shift and unclaimed, least busy that day first. */
  technicianIds: string[];
}

export type NoWindowReason = 'out_of_area' | 'no_qualified_technician' | 'fully_booked';

export interface AvailabilityInput {
  tenant: Pick<Tenant, 'timeZone' | 'arrivalWindows'>;
  technicians: Technician[];
  jobType: JobType;
  postalCode: string;
  /** Local dates (YYYY-MM-DD) to consider, in order. */
  dates: string[];
  claims: SlotClaim[];
  /** Windows starting before this instant are not offered. */
  notBefore: Date;
  now: Date;
}

const luxonWeekday: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

export function normalizePostalCode(postalCode: string): string {
  return postalCode.trim().toUpperCase().replace(/\s+/g, '');
}

/** A hold frees itself when it expires, whether or not TTL has deleted it yet. */
export function isClaimActive(claim: SlotClaim, now: Date): boolean {
  if (claim.status === 'BOOKED') return true;
  return (claim.expiresAt ?? 0) > Math.floor(now.getTime() / 1000);
}

export function coversPostalCode(technician: Technician, postalCode: string): boolean {
  const wanted = normalizePostalCode(postalCode);
  return technician.postalCodes.some((code) => normalizePostalCode(code) === wanted);
}

export function isQualified(technician: Technician, jobType: JobType): boolean {
  return (
    technician.active &&
    technician.trades.includes(jobType.trade) &&
    jobType.requiredSkills.every((skill) => technician.skills.includes(skill))
  );
}

export function isOnShift(technician: Technician, date: string, window: ArrivalWindow, timeZone: string): boolean {
  const weekday = luxonWeekday[DateTime.fromISO(date, { zone: timeZone }).weekday];
  const shift = weekday ? technician.shifts[weekday] : undefined;
  // HH:mm strings compare correctly as text.
  return Boolean(shift && shift.start <= window.start && window.end <= shift.end);
}

export function windowStartInstant(date: string, start: string, timeZone: string): Date {
  return DateTime.fromISO(`${date}T${start}`, { zone: timeZone }).toJSDate();
}

/** Local dates from `from` for `days` days, in the tenant's zone. */
export function localDates(from: Date, days: number, timeZone: string): string[] {
  const first = DateTime.fromJSDate(from, { zone: timeZone }).startOf('day');
  return Array.from({ length: days }, (_, index) => first.plus({ days: index }).toISODate()!);
}

export function localDate(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

export function findOpenWindows(input: AvailabilityInput): OpenWindow[] {
  const { tenant, jobType, postalCode, claims, now } = input;
  const eligible = input.technicians.filter((t) => isQualified(t, jobType) && coversPostalCode(t, postalCode));
  const active = claims.filter((claim) => isClaimActive(claim, now));
  const taken = new Set(active.map((c) => `${c.date}|${c.start}|${c.technicianId}`));
  const load = new Map<string, number>();
  for (const c of active) load.set(`${c.date}|${c.technicianId}`, (load.get(`${c.date}|${c.technicianId}`) ?? 0) + 1);

  const open: OpenWindow[] = [];
  for (const date of input.dates) {
    for (const window of tenant.arrivalWindows) {
      if (windowStartInstant(date, window.start, tenant.timeZone) < input.notBefore) continue;
      const technicianIds = eligible
        .filter((t) => isOnShift(t, date, window, tenant.timeZone) && !taken.has(`${date}|${window.start}|${t.technicianId}`))
        .sort(
          (a, b) =>
            (load.get(`${date}|${a.technicianId}`) ?? 0) - (load.get(`${date}|${b.technicianId}`) ?? 0) ||
            a.technicianId.localeCompare(b.technicianId),
        )
        .map((t) => t.technicianId);
      if (technicianIds.length) open.push({ date, start: window.start, end: window.end, technicianIds });
    }
  }
  return open;
}

/** Why nothing is open: the reason a bot can say to the caller. */
export function explainNoWindow(technicians: Technician[], jobType: JobType, postalCode: string): NoWindowReason {
  const inArea = technicians.filter((t) => t.active && coversPostalCode(t, postalCode));
  if (!inArea.length) return 'out_of_area';
  if (!inArea.some((t) => isQualified(t, jobType))) return 'no_qualified_technician';
  return 'fully_booked';
}
