/**
 * Closed-loop attribution: from booking to paid revenue, per marketing source, campaign or channel.
 * Pure: booking records in, report rows out. Where each stage is read from:
 * - booked: every booking request the system kept, except `rejected` ones (no window, never booked);
 * - accepted: `acceptedAt` is set (a dispatcher accepted it), or the booking went straight to
 *   dispatch (status confirmed / pending_crm_sync, or any later job state);
 * - completed / invoiced / paid: `completedAt` / `invoicedAt` / `paidAt` on the booking (the job
 *   lifecycle, issue 6), or a status or `jobState` at or past that state;
 * - revenue: `invoicedAmountCents` and `paidAmountCents` on the booking. Nothing is estimated.
 * - unbooked: leads (functions/leads/) of the period: callers the source brought who could not be
 *   booked (out of area, no qualified technician, fully booked), beside what was booked.
 */
import type { BookingRecord } from '../booking/store';

export const GROUP_BYS = ['source', 'campaign', 'channel'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Shown for bookings that carry no value for the grouping: never stored, never "unknown". */
export const NO_VALUE = { source: '(no attribution)', campaign: '(no campaign)', channel: '(no channel)' } as const;

const NOT_BOOKED = new Set(['rejected', 'dismissed']);
const DISPATCHED_OR_LATER = new Set(['confirmed', 'pending_crm_sync', 'dispatched', 'en_route', 'completed', 'invoiced', 'paid']);
const COMPLETED_OR_LATER = new Set(['completed', 'invoiced', 'paid']);
const INVOICED_OR_LATER = new Set(['invoiced', 'paid']);

/** One unbooked caller as the report groups it: the attribution and channel of its request. */
export type UnbookedDemand = Pick<BookingRecord, 'attribution' | 'channel'>;

export interface AttributionRow {
  group: string;
  bookings: number;
  /** Callers of this group who could not be booked (leads). */
  unbooked: number;
  accepted: number;
  completed: number;
  invoiced: number;
  paid: number;
  invoicedRevenueCents: number;
  paidRevenueCents: number;
  /** Stage-to-stage conversion (0..1), null when the earlier stage is empty. */
  conversion: {
    bookedToAccepted: number | null;
    acceptedToCompleted: number | null;
    completedToInvoiced: number | null;
    invoicedToPaid: number | null;
    bookedToPaid: number | null;
  };
}

export function groupOf(record: UnbookedDemand, groupBy: GroupBy): string {
  const value =
    groupBy === 'source'
      ? record.attribution?.source
      : groupBy === 'campaign'
        ? (record.attribution?.campaign ?? record.attribution?.utmCampaign)
        : record.channel;
  return value?.trim() || NO_VALUE[groupBy];
}

export function stagesOf(record: BookingRecord) {
  const status: string = record.status;
  // The job lifecycle (issue 6) keeps its state in `jobState` beside the booking status.
  const states = [status, (record as { jobState?: string }).jobState ?? ''];
  const reached = (set: Set<string>) => states.some((state) => set.has(state));
  const booked = !NOT_BOOKED.has(status);
  const paid = booked && (Boolean(record.paidAt) || states.includes('paid'));
  const invoiced = booked && (paid || Boolean(record.invoicedAt) || reached(INVOICED_OR_LATER));
  const completed = booked && (invoiced || Boolean(record.completedAt) || reached(COMPLETED_OR_LATER));
  const accepted = booked && (completed || Boolean(record.acceptedAt) || reached(DISPATCHED_OR_LATER));
  return { booked, accepted, completed, invoiced, paid };
}

const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : null);

function emptyRow(group: string): AttributionRow {
  return {
    group,
    bookings: 0,
    unbooked: 0,
    accepted: 0,
    completed: 0,
    invoiced: 0,
    paid: 0,
    invoicedRevenueCents: 0,
    paidRevenueCents: 0,
    conversion: { bookedToAccepted: null, acceptedToCompleted: null, completedToInvoiced: null, invoicedToPaid: null, bookedToPaid: null },
  };
}

function withConversion(row: AttributionRow): AttributionRow {
  return {
    ...row,
    conversion: {
      bookedToAccepted: ratio(row.accepted, row.bookings),
      acceptedToCompleted: ratio(row.completed, row.accepted),
      completedToInvoiced: ratio(row.invoiced, row.completed),
      invoicedToPaid: ratio(row.paid, row.invoiced),
      bookedToPaid: ratio(row.paid, row.bookings),
    },
  };
}

function add(row: AttributionRow, record: BookingRecord): void {
  const stages = stagesOf(record);
  if (!stages.booked) return;
  row.bookings++;
  if (stages.accepted) row.accepted++;
  if (stages.completed) row.completed++;
  if (stages.invoiced) {
    row.invoiced++;
    row.invoicedRevenueCents += Math.max(0, Math.round(record.invoicedAmountCents ?? 0));
  }
  if (stages.paid) {
    row.paid++;
    row.paidRevenueCents += Math.max(0, Math.round(record.paidAmountCents ?? 0));
  }
}

/** Rows sorted by paid revenue, then bookings (the groups that pay first), and the totals; unbooked demand beside. */
export function attributionReport(
  records: BookingRecord[],
  groupBy: GroupBy,
  unbooked: UnbookedDemand[] = [],
): { rows: AttributionRow[]; totals: AttributionRow } {
  const rows = new Map<string, AttributionRow>();
  const totals = emptyRow('(total)');
  const rowOf = (group: string) => {
    const row = rows.get(group) ?? emptyRow(group);
    rows.set(group, row);
    return row;
  };
  for (const record of records) {
    if (!stagesOf(record).booked) continue;
    const row = rowOf(groupOf(record, groupBy));
    add(row, record);
    add(totals, record);
  }
  for (const lead of unbooked) {
    rowOf(groupOf(lead, groupBy)).unbooked++;
    totals.unbooked++;
  }
  const sorted = [...rows.values()]
    .map(withConversion)
    .sort((a, b) => b.paidRevenueCents - a.paidRevenueCents || b.bookings - a.bookings || a.group.localeCompare(b.group));
  return { rows: sorted, totals: withConversion(totals) };
}

export const CSV_COLUMNS = [
  'group',
  'bookings',
  'accepted',
  'completed',
  'invoiced',
  'paid',
  'invoiced_revenue',
  'paid_revenue',
  'booked_to_accepted',
  'accepted_to_completed',
  'completed_to_invoiced',
  'invoiced_to_paid',
  'booked_to_paid',
  'unbooked',
] as const;

/** A spreadsheet must never run a group name as a formula (CSV injection). */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvRecords(report: { rows: AttributionRow[]; totals: AttributionRow }): string[][] {
  const money = (cents: number) => (cents / 100).toFixed(2);
  const rate = (value: number | null) => (value === null ? '' : String(value));
  return [...report.rows, report.totals].map((row) => [
    safeCell(row.group),
    String(row.bookings),
    String(row.accepted),
    String(row.completed),
    String(row.invoiced),
    String(row.paid),
    money(row.invoicedRevenueCents),
    money(row.paidRevenueCents),
    rate(row.conversion.bookedToAccepted),
    rate(row.conversion.acceptedToCompleted),
    rate(row.conversion.completedToInvoiced),
    rate(row.conversion.invoicedToPaid),
    rate(row.conversion.bookedToPaid),
    String(row.unbooked),
  ]);
}
