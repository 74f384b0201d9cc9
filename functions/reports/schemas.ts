import * as z from '../shared/zod';
import { GROUP_BYS } from './attribution';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const AttributionQuerySchema = z.object({
  from: isoDate.optional().openapi({ description: "First day (inclusive, the company's time zone); default 29 days before `to`" }),
  to: isoDate.optional().openapi({ description: 'Last day (inclusive); default today' }),
  groupBy: z.enum(GROUP_BYS).default('source'),
  format: z.enum(['json', 'csv']).default('json'),
});

const rate = z.number().min(0).max(1).nullable();

export const AttributionRowSchema = z
  .object({
    group: z.string(),
    bookings: z.number().int(),
    unbooked: z.number().int().openapi({ description: 'Callers of this group who could not be booked (leads, GET /v1/leads)' }),
    accepted: z.number().int(),
    completed: z.number().int(),
    invoiced: z.number().int(),
    paid: z.number().int(),
    invoicedRevenueCents: z.number().int(),
    paidRevenueCents: z.number().int(),
    conversion: z.object({
      bookedToAccepted: rate,
      acceptedToCompleted: rate,
      completedToInvoiced: rate,
      invoicedToPaid: rate,
      bookedToPaid: rate,
    }),
  })
  .openapi('AttributionRow');

export const AttributionReportSchema = z
  .object({
    groupBy: z.enum(GROUP_BYS),
    from: isoDate,
    to: isoDate,
    timeZone: z.string(),
    rows: z.array(AttributionRowSchema),
    totals: AttributionRowSchema,
  })
  .openapi('AttributionReport');
