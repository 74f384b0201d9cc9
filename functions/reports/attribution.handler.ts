import { stringify } from 'csv-stringify/sync';
import { listBookingRecords } from '../booking/store';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { addDays, daysBetween, isCalendarDate, zonedDate, zonedInstant } from '../shared/zoned-time';
import { getTenantPart } from '../tenant/store';
import { listLeadsCreated } from '../leads/store';
import { toLeadViews } from '../leads/view';
import type { LeadRecord } from '../leads/schemas';
import type { BookingRecord } from '../booking/store';
import { attributionReport, CSV_COLUMNS, csvRecords, type UnbookedDemand } from './attribution';
import { AttributionQuerySchema } from './schemas';

const MAX_DAYS = 366;

/** Each lead's attribution and channel: from its request's booking (already read for the period), else its own. */
async function unbookedDemand(tenantId: string, leads: LeadRecord[], records: BookingRecord[]): Promise<UnbookedDemand[]> {
  const byId = new Map(records.map((record) => [record.bookingId, record]));
  const missing = leads.filter((lead) => lead.bookingId && !byId.has(lead.bookingId));
  const views = new Map((await toLeadViews(tenantId, missing)).map((view) => [view.leadId, view]));
  return leads.map((lead) => {
    const source = (lead.bookingId && byId.get(lead.bookingId)) || views.get(lead.leadId) || lead;
    return { attribution: source.attribution, channel: source.channel ?? 'api' };
  });
}

export const handler = apiRoute({ query: AttributionQuerySchema }, async ({ tenant, query }) => {
  const company = await getTenantPart(tenant.tenantId, ['timeZone']);
  const zone = company?.timeZone ?? 'UTC';
  const to = query.to ?? zonedDate(now(), zone);
  if (!isCalendarDate(to)) throw new ApiError('invalid_request', 'query.to: not a calendar date', 'query.to');
  const from = query.from ?? addDays(to, -29);
  if (!isCalendarDate(from)) throw new ApiError('invalid_request', 'query.from: not a calendar date', 'query.from');
  if (from > to) throw new ApiError('invalid_request', 'query.from: must not be after `to`', 'query.from');
  if (daysBetween(from, to) > MAX_DAYS) throw new ApiError('invalid_request', `query.from: at most ${MAX_DAYS} days per report`, 'query.from');
  // The period in instants: from the first day's midnight to the midnight after the last, in the company's zone.
  const span = { from: zonedInstant(from, zone).toISOString(), to: zonedInstant(addDays(to, 1), zone).toISOString() };

  // Every booking of the period, never a sample: a report that silently dropped rows would lie.
  const records = await listBookingRecords(tenant.tenantId, span, Number.POSITIVE_INFINITY);
  // Unbooked demand: the period's leads, grouped by the attribution of the request each came from.
  const leads = await listLeadsCreated(tenant.tenantId, span);
  const report = attributionReport(records, query.groupBy, await unbookedDemand(tenant.tenantId, leads, records));
  const period = { from, to };
  if (query.format === 'csv') {
    const csv = stringify(csvRecords(report), { header: true, columns: [...CSV_COLUMNS] });
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="attribution-${query.groupBy}-${period.from}-${period.to}.csv"`,
      },
      body: csv,
    };
  }
  return { statusCode: 200, body: { groupBy: query.groupBy, ...period, timeZone: zone, ...report } };
});
