/** Leads, pure: which rejections are leads, neighbouring technicians, waitlist order, unbooked demand in the report, the CRM's `lead` state. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookingRecord } from '../../functions/booking/store';
import { defaultCrmMapping, mapFields } from '../../functions/crm/mapping';
import { leadCrmState } from '../../functions/crm/write';
import { hungUpDecision, leadReasonOf, NEIGHBOUR_MAX_MINUTES, neighbouringTechnicians, waitingLeadsFor } from '../../functions/leads/leads';
import type { LeadRecord } from '../../functions/leads/schemas';
import { attributionReport, CSV_COLUMNS, csvRecords } from '../../functions/reports/attribution';
import { demoJobTypes, demoTechnicians } from '../../local/demo';

const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;

describe('leadReasonOf', () => {
  it('keeps lost demand as a lead and leaves hold problems (the bot reused or outlived a hold) alone', () => {
    expect(leadReasonOf('out_of_area')).toBe('out_of_area');
    expect(leadReasonOf('no_qualified_technician')).toBe('no_qualified_technician');
    expect(leadReasonOf('fully_booked')).toBe('fully_booked');
    // A taken window comes with alternatives to offer on the call: no lead, no callback item.
    expect(leadReasonOf('window_taken')).toBeUndefined();
    expect(leadReasonOf('window_unavailable')).toBeUndefined();
    for (const notALead of ['hold_expired', 'hold_used', 'hold_unknown', 'hold_for_other_job_type', undefined, 'constructor', '__proto__']) {
      expect(leadReasonOf(notALead)).toBeUndefined();
    }
  });
});

describe('hungUpDecision', () => {
  const at = new Date('2026-12-01T15:00:00Z');
  const seconds = (offsetMs: number) => Math.floor((at.getTime() + offsetMs) / 1000);

  it('makes a lead of a hold that ran out unbooked, or is gone (the TTL deletes only expired holds)', () => {
    expect(hungUpDecision({ status: 'HELD', expiresAt: seconds(-1_000) }, at)).toEqual({ action: 'lead' });
    expect(hungUpDecision(undefined, at)).toEqual({ action: 'lead' });
  });

  it('looks again just after a live hold runs out', () => {
    expect(hungUpDecision({ status: 'HELD', expiresAt: seconds(60_000) }, at)).toEqual({
      action: 'later',
      dueAt: new Date(seconds(60_000) * 1000 + 5_000).toISOString(),
    });
  });

  it('makes no lead of a hold that was booked, released by the bot, or tied to a booking request', () => {
    expect(hungUpDecision({ status: 'BOOKED', bookingId: 'b1' }, at).action).toBe('none');
    expect(hungUpDecision({ status: 'RELEASED' }, at).action).toBe('none');
    expect(hungUpDecision({ status: 'HELD', expiresAt: seconds(-1_000), bookingId: 'b1' }, at).action).toBe('none');
  });

  it('never makes a lead of a live hold (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7_200 }), fc.constantFrom<'HELD' | 'BOOKED' | 'RELEASED'>('HELD', 'BOOKED', 'RELEASED'), (ahead, status) => {
        return hungUpDecision({ status, expiresAt: seconds(ahead * 1000) }, at).action !== 'lead';
      }),
    );
  });
});

describe('neighbouringTechnicians', () => {
  it('offers qualified technicians who do not cover the code, nearest first, within the limit', () => {
    // 78724 (far east) is covered by east-territory plumbers; take it away from everyone to see who is near.
    const technicians = demoTechnicians.map((t) => ({ ...t, postalCodes: t.postalCodes.filter((c) => c !== '78724') }));
    const found = neighbouringTechnicians(technicians, drains, '78724', 5);
    expect(found.length).toBeGreaterThan(0);
    for (const n of found) {
      expect(n.technician.trades).toContain('plumbing');
      expect(n.technician.skills).toContain('drains');
      expect(n.technician.postalCodes).not.toContain('78724');
      expect(n.travelMinutes).toBeLessThanOrEqual(NEIGHBOUR_MAX_MINUTES);
    }
    expect(found.map((n) => n.travelMinutes)).toEqual([...found.map((n) => n.travelMinutes)].sort((a, b) => a - b));
    // East-territory plumbers (78721 is next door) come before central-only ones.
    expect(found[0]!.nearestPostalCode).toMatch(/^787(21|23|41|02)$/);
  });

  it('never offers a technician who already covers the code, is inactive or unqualified', () => {
    fc.assert(
      fc.property(fc.constantFrom('78701', '78745', '78759', '78724', '78610'), fc.subarray(demoTechnicians.map((t) => t.technicianId)), (code, inactive) => {
        const technicians = demoTechnicians.map((t) => ({ ...t, active: !inactive.includes(t.technicianId) }));
        for (const n of neighbouringTechnicians(technicians, drains, code, 12)) {
          expect(n.technician.active).toBe(true);
          expect(n.technician.postalCodes).not.toContain(code);
          expect(n.technician.skills).toContain('drains');
        }
      }),
    );
  });
});

describe('waitingLeadsFor', () => {
  const lead = (leadId: string, fields: Partial<LeadRecord>): LeadRecord => ({
    leadId,
    status: 'waitlisted',
    reason: 'fully_booked',
    jobTypeId: 'plumbing-drain-clog',
    trade: 'plumbing',
    postalCode: '78701',
    bookingId: `b-${leadId}`,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...fields,
  });

  it('is the trade’s waitlisted leads, earliest waitlisted first', () => {
    const leads = [
      lead('C', { waitlistedAt: '2026-11-03T00:00:00.000Z' }),
      lead('A', { waitlistedAt: '2026-11-01T00:00:00.000Z' }),
      lead('H', { waitlistedAt: '2026-10-01T00:00:00.000Z', trade: 'hvac' }),
      lead('O', { waitlistedAt: '2026-10-01T00:00:00.000Z', status: 'offered' }),
      lead('B', { waitlistedAt: '2026-11-02T00:00:00.000Z' }),
    ];
    expect(waitingLeadsFor(leads, 'plumbing').map((l) => l.leadId)).toEqual(['A', 'B', 'C']);
  });
});

describe('attribution report: unbooked demand', () => {
  const booked = (source: string): BookingRecord =>
    ({
      tenantId: 't',
      bookingId: `b-${source}`,
      status: 'confirmed',
      jobTypeId: 'j',
      window: null,
      channel: 'voice',
      attribution: { source },
      request: {} as BookingRecord['request'],
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    }) as BookingRecord;

  it('counts leads per source beside bookings, including sources that only brought lost callers', () => {
    const report = attributionReport([booked('google_ads')], 'source', [
      { attribution: { source: 'google_ads' }, channel: 'voice' },
      { attribution: { source: 'lsa' }, channel: 'chat' },
      { attribution: { source: 'lsa' }, channel: 'chat' },
      { channel: 'web' },
    ]);
    const rows = Object.fromEntries(report.rows.map((r) => [r.group, [r.bookings, r.unbooked]]));
    expect(rows).toEqual({ google_ads: [1, 1], lsa: [0, 2], '(no attribution)': [0, 1] });
    expect(report.totals).toMatchObject({ bookings: 1, unbooked: 4 });
    // Conversions stay about booked work: a lead is not a booking.
    expect(report.rows.find((r) => r.group === 'lsa')!.conversion.bookedToPaid).toBeNull();
  });

  it('puts unbooked in the CSV as its own column', () => {
    const report = attributionReport([], 'channel', [{ channel: 'sms' }]);
    const [row] = csvRecords(report);
    expect(row![CSV_COLUMNS.indexOf('unbooked')]).toBe('1');
    expect(row![CSV_COLUMNS.indexOf('bookings')]).toBe('0');
  });
});

describe('CRM mapping: the lead state', () => {
  it('writes who, where, why not and where from, in the Unbooked stage', () => {
    const { dealStage, fields } = mapFields(defaultCrmMapping, 'lead', {
      customer: { name: 'Avery Lopez', phoneE164: '+15125550191' },
      jobType: { name: 'Drain clog', trade: 'plumbing' },
      attribution: { source: 'google_ads', campaign: 'q4' },
      source: {},
      job: { reason: 'out_of_area' },
      booking: { bookingId: 'b1', leadId: 'L1', postalCode: '78610', channel: 'voice' },
    });
    expect(dealStage).toBe('Unbooked');
    expect(fields).toMatchObject({
      customer_name: 'Avery Lopez',
      customer_phone: '+15125550191',
      lead_id: 'L1',
      unbooked_reason: 'out_of_area',
      lead_source: 'google_ads',
      campaign: 'q4',
      postal_code: '78610',
      trade: 'plumbing',
    });
    expect(fields).not.toHaveProperty('arrival_window');
    expect(fields).not.toHaveProperty('technician_id');
  });

  it('closes a served lead as Converted, naming the booking that served it (state lead_booked)', () => {
    const { dealStage, fields } = mapFields(defaultCrmMapping, 'lead_booked', {
      customer: { name: 'Avery Lopez', phoneE164: '+15125550191' },
      attribution: {},
      source: {},
      job: { reason: 'hung_up', bookedBookingId: 'B2' },
      booking: { leadId: 'L1', postalCode: '78610' },
    });
    expect(dealStage).toBe('Converted');
    expect(fields).toEqual({ lead_id: 'L1', booked_booking_id: 'B2' });
  });

  it("writes what the lead is now: `lead` while it may be called back, `lead_booked` once booked (any message's state)", () => {
    const lead = { leadId: 'L1', reason: 'hung_up', trade: 'plumbing', postalCode: '78701', createdAt: '', updatedAt: '' } as const;
    expect((['open', 'waitlisted', 'offered', 'closed'] as const).map((status) => leadCrmState({ ...lead, status }))).toEqual(['lead', 'lead', 'lead', 'lead']);
    expect(leadCrmState({ ...lead, status: 'booked', bookedBookingId: 'B2' })).toBe('lead_booked');
  });
});
