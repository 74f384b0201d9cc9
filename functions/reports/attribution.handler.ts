import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { listBookingRecords } from '../booking/store';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { getTenant } from '../tenant/store';
import { attributionReport, CSV_COLUMNS, csvRecords } from './attribution';
import { AttributionQuerySchema } from './schemas';

const MAX_DAYS = 366;

export const handler = apiRoute({ query: AttributionQuerySchema }, async ({ tenant, query }) => {
  const company = await getTenant(tenant.tenantId);
  const zone = company?.timeZone ?? 'UTC';
  const to = query.to ? DateTime.fromISO(query.to, { zone }) : DateTime.fromJSDate(now(), { zone }).startOf('day');
  const from = query.from ? DateTime.fromISO(query.from, { zone }) : to.minus({ days: 29 });
  if (!to.isValid) throw new ApiError('invalid_request', 'query.to: not a calendar date', 'query.to');
  if (!from.isValid) throw new ApiError('invalid_request', 'query.from: not a calendar date', 'query.from');
  if (from > to) throw new ApiError('invalid_request', 'query.from: must not be after `to`', 'query.from');
  if (to.diff(from, 'days').days > MAX_DAYS) throw new ApiError('invalid_request', `query.from: at most ${MAX_DAYS} days per report`, 'query.from');

  // Every booking of the period, never a sample: a report that silently dropped rows would lie.
  const records = await listBookingRecords(
    tenant.tenantId,
    { from: from.startOf('day').toUTC().toISO()!, to: to.plus({ days: 1 }).startOf('day').toUTC().toISO()! },
    Number.POSITIVE_INFINITY,
  );
  const report = attributionReport(records, query.groupBy);
  const period = { from: from.toISODate()!, to: to.toISODate()! };
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
