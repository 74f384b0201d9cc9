/** Closed-loop attribution, pure: stage rules, grouping, conversions, and invariants (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BookingRecord } from '../../functions/booking/store';
import { attributionReport, csvRecords, groupOf, safeCell, stagesOf } from '../../functions/reports/attribution';

const STATUSES = ['received', 'confirmed', 'pending_confirmation', 'pending_approval', 'pending_crm_sync', 'rejected', 'dismissed'] as const;

function booking(fields: Partial<BookingRecord>): BookingRecord {
  return {
    tenantId: 't',
    bookingId: fields.bookingId ?? 'b',
    status: 'confirmed',
    jobTypeId: 'j',
    window: null,
    channel: 'voice',
    request: {} as BookingRecord['request'],
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...fields,
  } as BookingRecord;
}

describe('stagesOf', () => {
  it('reads each stage from the booking, never guessing', () => {
    expect(stagesOf(booking({ status: 'pending_approval' }))).toEqual({ booked: true, accepted: false, completed: false, invoiced: false, paid: false });
    expect(stagesOf(booking({ status: 'pending_approval', acceptedAt: 'x' })).accepted).toBe(true);
    expect(stagesOf(booking({ status: 'confirmed' })).accepted).toBe(true);
    expect(stagesOf(booking({ status: 'pending_approval', jobState: 'completed' } as never))).toMatchObject({
      accepted: true,
      completed: true,
      invoiced: false,
    });
    expect(stagesOf(booking({ status: 'rejected', paidAt: 'x' }))).toEqual({ booked: false, accepted: false, completed: false, invoiced: false, paid: false });
    // A later stage implies the earlier ones (a paid job was completed and invoiced).
    expect(stagesOf(booking({ status: 'pending_confirmation', paidAt: 'x' }))).toEqual({
      booked: true,
      accepted: true,
      completed: true,
      invoiced: true,
      paid: true,
    });
  });

  it('groups missing attribution under a label, never "unknown"', () => {
    expect(groupOf(booking({}), 'source')).toBe('(no attribution)');
    expect(groupOf(booking({ attribution: { source: ' ' } as never }), 'source')).toBe('(no attribution)');
    expect(groupOf(booking({ attribution: { source: 'lsa', utmCampaign: 'utm-x' } as never }), 'campaign')).toBe('utm-x');
    expect(groupOf(booking({ channel: 'chat' }), 'channel')).toBe('chat');
  });
});

describe('attributionReport', () => {
  const arbitraryBooking = fc.record({
    status: fc.constantFrom(...STATUSES),
    source: fc.option(fc.constantFrom('google_ads', 'lsa', 'facebook'), { nil: undefined }),
    channel: fc.constantFrom('chat', 'voice', 'web', 'csr', 'api', 'sms'),
    acceptedAt: fc.option(fc.constant('2026-11-02T00:00:00Z'), { nil: undefined }),
    completedAt: fc.option(fc.constant('2026-11-03T00:00:00Z'), { nil: undefined }),
    invoicedAt: fc.option(fc.constant('2026-11-04T00:00:00Z'), { nil: undefined }),
    invoicedAmountCents: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
    paidAt: fc.option(fc.constant('2026-11-05T00:00:00Z'), { nil: undefined }),
    paidAmountCents: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
  });

  it('funnels never widen, totals are the sum of the rows, rates stay in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBooking, { maxLength: 60 }), fc.constantFrom('source', 'campaign', 'channel' as const), (inputs, groupBy) => {
        const records = inputs.map((b, i) => booking({ ...b, bookingId: `b${i}`, attribution: b.source ? ({ source: b.source } as never) : undefined }));
        const { rows, totals } = attributionReport(records, groupBy);
        for (const row of [...rows, totals]) {
          expect(row.accepted).toBeLessThanOrEqual(row.bookings);
          expect(row.completed).toBeLessThanOrEqual(row.accepted);
          expect(row.invoiced).toBeLessThanOrEqual(row.completed);
          expect(row.paid).toBeLessThanOrEqual(row.invoiced);
          for (const rate of Object.values(row.conversion)) if (rate !== null) expect(rate).toBeGreaterThanOrEqual(0), expect(rate).toBeLessThanOrEqual(1);
        }
        for (const key of ['bookings', 'accepted', 'completed', 'invoiced', 'paid', 'invoicedRevenueCents', 'paidRevenueCents'] as const) {
          expect(rows.reduce((sum, row) => sum + row[key], 0)).toBe(totals[key]);
        }
        expect(totals.bookings).toBe(records.filter((r) => r.status !== 'rejected' && r.status !== 'dismissed').length);
      }),
    );
  });

  it('sorts by paid revenue, then bookings', () => {
    const { rows } = attributionReport(
      [
        booking({ bookingId: '1', attribution: { source: 'a' } as never }),
        booking({ bookingId: '2', attribution: { source: 'a' } as never }),
        booking({ bookingId: '3', attribution: { source: 'b' } as never, paidAt: 'x', paidAmountCents: 100 }),
      ],
      'source',
    );
    expect(rows.map((r) => r.group)).toEqual(['b', 'a']);
  });
});

describe('CSV', () => {
  it('never lets a spreadsheet run a group name as a formula', () => {
    expect(safeCell('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(safeCell('+1')).toBe("'+1");
    expect(safeCell('google_ads')).toBe('google_ads');
    const [first] = csvRecords(attributionReport([booking({ attribution: { source: '@SUM(A1)' } as never, paidAt: 'x', paidAmountCents: 12_345 })], 'source'));
    expect(first!.slice(0, 8)).toEqual(["'@SUM(A1)", '1', '1', '1', '1', '1', '0.00', '123.45']);
  });
});
