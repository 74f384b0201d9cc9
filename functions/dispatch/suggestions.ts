/**
 * Re-dispatch suggestions, computed on read (ids are deterministic, nothing is stored). A technician
 * is late when the field reported an ETA (dispatched / en_route event, `data.eta`) after the end of
 * the job's arrival window: their next job that day is at risk. For it we propose
 * - `move`: the same window with a nearby free technician who is qualified, covers the postal code,
 *   is on shift and under their daily limit (nearest first: drive minutes from where they are before);
 * - `reschedule`: a low-priority job (not an emergency) to its next open window.
 * Each carries the message the customer would get. Accepting goes through rescheduleBooking.
 */
import { DateTime } from 'luxon';
import { coversPostalCode, isQualified } from '../capacity/availability';
import { availableWindows } from '../capacity/engine';
import type { DayJob, DispatchDay } from './day';
import { planTechnicians } from './day';
import { travelMinutes } from './geo';

export interface Suggestion {
  suggestionId: string;
  kind: 'move' | 'reschedule';
  bookingId: string;
  reason: { lateBookingId: string; technicianId: string; lateMinutes: number };
  from: { technicianId?: string; date: string; start: string; end: string };
  to: { technicianId?: string; date: string; start: string; end?: string; driveMinutes?: number };
  customerMessage: string;
}

const DONE = new Set(['completed', 'invoiced', 'paid', 'cancelled', 'no_show']);

export function suggestionId(kind: 'move' | 'reschedule', bookingId: string, target: string): string {
  return `${kind === 'move' ? 'mv' : 'rs'}.${bookingId}.${target.replace(':', '')}`;
}

function firstName(name?: string): string {
  return name?.trim().split(/\s+/)[0] ?? 'there';
}

function dateLabel(date: string, zone: string): string {
  return DateTime.fromISO(date, { zone }).toFormat('cccc LLL d');
}

function timeLabel(hhmm: string): string {
  return DateTime.fromFormat(hhmm, 'HH:mm').toFormat('h:mm a');
}

/** Minutes the technician will be late for `job` (ETA after the window end), or 0. */
export function lateMinutes(job: Pick<DayJob, 'eta' | 'end' | 'jobState'>, date: string, zone: string): number {
  if (!job.eta || !['dispatched', 'en_route'].includes(job.jobState ?? '')) return 0;
  const windowEnd = DateTime.fromISO(`${date}T${job.end}`, { zone });
  const minutes = Math.round(DateTime.fromISO(job.eta).diff(windowEnd, 'minutes').minutes);
  return Math.max(0, minutes);
}

export async function computeSuggestions(day: DispatchDay, now: Date, options: { maxMoves?: number } = {}): Promise<Suggestion[]> {
  const zone = day.tenant.timeZone;
  const types = new Map(day.jobTypes.map((j) => [j.jobTypeId, j]));
  const techs = new Map(day.technicians.map((t) => [t.technicianId, t]));
  const shifts = new Map(planTechnicians(day).map((t) => [t.technicianId, t]));
  const byTech = new Map<string, DayJob[]>();
  for (const j of day.jobs) if (j.technicianId) byTech.set(j.technicianId, [...(byTech.get(j.technicianId) ?? []), j]);
  const suggestions: Suggestion[] = [];

  for (const late of day.jobs) {
    const minutes = lateMinutes(late, day.date, zone);
    if (!minutes || !late.technicianId) continue;
    const mine = (byTech.get(late.technicianId) ?? []).sort((a, b) => a.start.localeCompare(b.start));
    const next = mine.find((j) => j.start >= late.end && !DONE.has(j.jobState ?? '') && j.bookingId !== late.bookingId);
    if (!next) continue;
    const jobType = types.get(next.jobTypeId);
    if (!jobType) continue;
    const booking = day.bookings.get(next.bookingId)!;
    const reason = { lateBookingId: late.bookingId, technicianId: late.technicianId, lateMinutes: minutes };
    const from = { technicianId: next.technicianId, date: day.date, start: next.start, end: next.end };
    const jobName = jobType.name.toLowerCase();

    // Move: the same window, another technician.
    const moves = [];
    for (const [id, shift] of shifts) {
      const tech = techs.get(id)!;
      if (id === late.technicianId || !isQualified(tech, jobType) || !coversPostalCode(tech, next.postalCode)) continue;
      if (!next.windowStarts.every((w) => shift.windowStarts.includes(w))) continue;
      const theirs = byTech.get(id) ?? [];
      if (theirs.length >= shift.dailyJobLimit) continue;
      if (theirs.some((j) => j.windowStarts.some((w) => next.windowStarts.includes(w)))) continue;
      const before = theirs.filter((j) => j.end <= next.start).sort((a, b) => b.start.localeCompare(a.start))[0];
      const driveMinutes = travelMinutes(before?.postalCode ?? shift.basePostalCode ?? next.postalCode, next.postalCode);
      moves.push({ tech, driveMinutes });
    }
    moves.sort((a, b) => a.driveMinutes - b.driveMinutes || a.tech.technicianId.localeCompare(b.tech.technicianId));
    for (const { tech, driveMinutes } of moves.slice(0, options.maxMoves ?? 2)) {
      suggestions.push({
        suggestionId: suggestionId('move', next.bookingId, tech.technicianId),
        kind: 'move',
        bookingId: next.bookingId,
        reason,
        from,
        to: { technicianId: tech.technicianId, date: day.date, start: next.start, end: next.end, driveMinutes },
        customerMessage: `Hi ${firstName(next.customerName)}, a quick update on your ${jobName} visit ${dateLabel(day.date, zone)}: ${tech.name} will be your technician, still arriving between ${timeLabel(next.start)} and ${timeLabel(next.end)}.`,
      });
    }

    // Reschedule a low-priority job to its next open window.
    if (!jobType.emergency && !booking.request.emergency) {
      const dates = Array.from({ length: 8 }, (_, i) => DateTime.fromISO(day.date, { zone }).plus({ days: i }).toISODate()!);
      const answer = await availableWindows({ tenant: day.tenant, jobType, postalCode: next.postalCode, dates, now, emergency: false });
      const open = answer.open.find((w) => (w.date > day.date || w.start > next.start) && !w.afterHours);
      if (open) {
        suggestions.push({
          suggestionId: suggestionId('reschedule', next.bookingId, `${open.date}_${open.start}`),
          kind: 'reschedule',
          bookingId: next.bookingId,
          reason,
          from,
          to: { date: open.date, start: open.start, end: open.end },
          customerMessage: `Hi ${firstName(next.customerName)}, our technician is running behind today. Can we move your ${jobName} visit to ${dateLabel(open.date, zone)} between ${timeLabel(open.start)} and ${timeLabel(open.end)}? Reply YES to confirm or call us to pick another time.`,
        });
      }
    }
  }
  return suggestions;
}
