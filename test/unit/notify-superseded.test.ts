/**
 * Which messages a newer change of the booking replaces (notify/send.ts supersededBy), per kind: the
 * customer's move texts and a technician's alerts about a job that has left them (or come back) are
 * not sent; reminders, confirmations and alerts whose version is not the schedule's always are.
 */
import { describe, expect, it } from 'vitest';
import type { NotificationKind } from '../../functions/notify/catalogue';
import { supersededBy } from '../../functions/notify/send';

const row = (kind: NotificationKind, version?: number, technicianId?: string) => ({
  tenantId: 't',
  bookingId: 'b',
  kind,
  ...(version ? { version } : {}),
  ...(technicianId ? { technicianId } : {}),
});
const window = (technicianId: string) => ({ date: '2026-12-09', start: '14:00', end: '16:00', technicianId });
/** Moved twice, the second time to another time (windowVersion: the version of the last time change). */
const movedTwice = { status: 'confirmed' as const, scheduleVersion: 3, windowVersion: 3, window: window('tech-02') };

describe('supersededBy', () => {
  it("replaces an earlier move's customer text, never the current one", () => {
    expect(supersededBy(row('reschedule_confirmation', 2), movedTwice)).toMatch(/time was changed again before this went out/);
    expect(supersededBy(row('technician_changed', 2), movedTwice)).toMatch(/changed again/);
    expect(supersededBy(row('reschedule_confirmation', 3), movedTwice)).toBeUndefined();
  });

  it('a time move then a move of the technician only: the time text still goes (it names who comes now), and so does the new technician’s', () => {
    const thenTechnician = { status: 'confirmed' as const, scheduleVersion: 3, windowVersion: 2, window: window('tech-02') };
    expect(supersededBy(row('reschedule_confirmation', 2), thenTechnician)).toBeUndefined();
    expect(supersededBy(row('technician_changed', 3), thenTechnician)).toBeUndefined();
  });

  it('a technician move then a time move: the time text names who comes, the technician text is replaced', () => {
    const thenTime = { status: 'confirmed' as const, scheduleVersion: 3, windowVersion: 3, window: window('tech-02') };
    expect(supersededBy(row('technician_changed', 2), thenTime)).toMatch(/changed again/);
    expect(supersededBy(row('reschedule_confirmation', 3), thenTime)).toBeUndefined();
  });

  it('time, technician, time: only the last time text goes', () => {
    const booking = { status: 'confirmed' as const, scheduleVersion: 4, windowVersion: 4, window: window('tech-02') };
    expect(supersededBy(row('reschedule_confirmation', 2), booking)).toMatch(/time was changed again/);
    expect(supersededBy(row('technician_changed', 3), booking)).toMatch(/changed again/);
    expect(supersededBy(row('reschedule_confirmation', 4), booking)).toBeUndefined();
  });

  it('a booking written before the time changes were recorded never drops a time text', () => {
    const before = { status: 'confirmed' as const, scheduleVersion: 3, window: window('tech-02') };
    expect(supersededBy(row('reschedule_confirmation', 2), before)).toBeUndefined();
    expect(supersededBy(row('technician_changed', 2), before)).toMatch(/changed again/);
  });

  it('never drops a reminder, a confirmation or an alert whose version is not the schedule’s', () => {
    for (const kind of ['reminder_48h', 'reminder_day_of', 'confirmation', 'request_received', 'technician_job'] as const) {
      expect(supersededBy(row(kind), movedTwice), kind).toBeUndefined();
      expect(supersededBy(row(kind, 2), movedTwice), kind).toBeUndefined();
    }
    // A reply alert's version is its time; a delay alert's the report's minute.
    expect(supersededBy(row('customer_reply_alert', 1), movedTwice)).toBeUndefined();
    expect(supersededBy(row('delay_alert', 2), movedTwice)).toBeUndefined();
  });

  it("a technician's new-job alert goes while the job is still theirs; a removal goes unless the job came back", () => {
    expect(supersededBy(row('technician_assigned', 2, 'tech-06'), movedTwice)).toMatch(/moved away from this technician/);
    expect(supersededBy(row('technician_assigned', 2, 'tech-02'), movedTwice)).toBeUndefined();
    expect(supersededBy(row('technician_unassigned', 2, 'tech-03'), movedTwice)).toBeUndefined();
    expect(supersededBy(row('technician_unassigned', 2, 'tech-02'), movedTwice)).toMatch(/came back to this technician/);
  });

  it('a cancelled job: no move text after it; the cancellation and the removal alert go', () => {
    const cancelled = { status: 'cancelled' as const, scheduleVersion: 2, window: window('tech-02') };
    expect(supersededBy(row('reschedule_confirmation', 2), cancelled)).toMatch(/cancelled before this went out/);
    expect(supersededBy(row('cancellation', 3), cancelled)).toBeUndefined();
    expect(supersededBy(row('technician_unassigned', 3, 'tech-02'), cancelled)).toBeUndefined();
  });
});
