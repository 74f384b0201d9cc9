/**
 * CSV imports: parse every row first, report each bad row (row number, field, why), then write the
 * good rows one at a time, each write atomic (one API call or one DynamoDB transaction), so a bad
 * row never blocks a good one and nothing is half-written.
 */
import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { normalizeEmail, normalizePhone } from '../functions/recognise/phone';
import { TechnicianSchema, WEEKDAYS, type Technician } from '../functions/tenant/model';

export interface RowProblem {
  /** 1-based line number in the file (the header is line 1). */
  row: number;
  field: string;
  message: string;
  values: Record<string, string>;
}

export interface ParsedRows<T> {
  good: Array<{ row: number; value: T; values: Record<string, string> }>;
  bad: RowProblem[];
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(/[;|]/)
    .map((part) => part.trim())
    .filter(Boolean);

/** `08:00-17:00` (or empty: no shift that day). */
function shiftOf(value: string | undefined): { start: string; end: string } | undefined {
  const text = (value ?? '').trim();
  if (!text) return undefined;
  const match = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(text);
  if (!match) return { start: text, end: '' }; // lets the schema name the field and the format
  return { start: match[1]!.padStart(5, '0'), end: match[2]!.padStart(5, '0') };
}

export class CsvFileError extends Error {}

/**
 * Every record with its line number. A row with too few or too many cells is still a row (its
 * fields fail validation and are reported); a file that is not CSV at all (an unclosed quote) is
 * refused whole, before anything is written.
 */
export function readCsv(text: string): Array<{ row: number; values: Record<string, string> }> {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw new CsvFileError(`not valid CSV: ${(error as Error).message}`);
  }
  return records.map(({ record, info }) => ({ row: info.lines, values: record }));
}

function firstIssue(error: z.ZodError, mapField: (path: string) => string = (p) => p): { field: string; message: string } {
  const issue = error.issues[0]!;
  return { field: mapField(issue.path.map(String).join('.')) || 'row', message: issue.message };
}

export const TECHNICIAN_COLUMNS = ['id', 'name', 'trades', 'skills', 'postal_codes', ...WEEKDAYS, 'phone', 'daily_job_limit', 'active'] as const;

/** Technician rows: id,name,trades,skills,postal_codes,mon..sun (08:00-17:00),phone,daily_job_limit,active. */
export function parseTechnicianRows(text: string): ParsedRows<Technician> {
  const result: ParsedRows<Technician> = { good: [], bad: [] };
  const seen = new Map<string, number>();
  for (const { row, values } of readCsv(text)) {
    const shifts = Object.fromEntries(WEEKDAYS.map((day) => [day, shiftOf(values[day])]).filter(([, shift]) => shift));
    const candidate = {
      technicianId: values.id ?? '',
      name: values.name ?? '',
      trades: list(values.trades),
      skills: list(values.skills),
      postalCodes: list(values.postal_codes),
      shifts,
      active: !/^(false|no|0|inactive)$/i.test(values.active ?? ''),
      ...(values.daily_job_limit ? { dailyJobLimit: Number(values.daily_job_limit) } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
    };
    const parsed = TechnicianSchema.safeParse(candidate);
    const toColumn = (path: string) =>
      ({ technicianId: 'id', postalCodes: 'postal_codes', dailyJobLimit: 'daily_job_limit' })[path.split('.')[0]!] ??
      (path.startsWith('shifts.') ? path.split('.')[1]! : path);
    if (!parsed.success) {
      result.bad.push({ row, ...firstIssue(parsed.error, toColumn), values });
      continue;
    }
    const badShift = Object.entries(parsed.data.shifts).find(([, s]) => s && s.start >= s.end);
    if (badShift) {
      result.bad.push({ row, field: badShift[0], message: 'the shift must end after it starts (HH:mm-HH:mm)', values });
      continue;
    }
    if (seen.has(parsed.data.technicianId)) {
      result.bad.push({ row, field: 'id', message: `duplicate of row ${seen.get(parsed.data.technicianId)}`, values });
      continue;
    }
    seen.set(parsed.data.technicianId, row);
    result.good.push({ row, value: parsed.data, values });
  }
  return result;
}

const CustomerRowSchema = z.object({
  name: z.string().trim().min(1, 'a name is required').max(200),
  phone: z.string().transform((raw, ctx) => {
    const e164 = normalizePhone(raw);
    if (!e164) ctx.addIssue({ code: 'custom', message: `not a valid phone number: "${raw}"` });
    return e164 ?? '';
  }),
  email: z
    .string()
    .optional()
    .transform((raw) => normalizeEmail(raw))
    .pipe(z.email('not a valid email address').optional()),
  line1: z.string().trim().min(1, 'the street address is required'),
  line2: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined),
  city: z.string().trim().min(1, 'the city is required'),
  region: z.string().trim().min(1, 'the state is required'),
  postal_code: z.string().trim().min(3, 'the postal code is required').max(12),
  country: z
    .string()
    .trim()
    .length(2)
    .optional()
    .transform((v) => (v || 'US').toUpperCase()),
});
export type CustomerRow = z.infer<typeof CustomerRowSchema>;

export const CUSTOMER_COLUMNS = ['name', 'phone', 'email', 'line1', 'line2', 'city', 'region', 'postal_code', 'country'] as const;

/** Customer rows: name,phone,email,line1,line2,city,region,postal_code,country. Phones must be real numbers. */
export function parseCustomerRows(text: string): ParsedRows<CustomerRow> {
  const result: ParsedRows<CustomerRow> = { good: [], bad: [] };
  const seen = new Map<string, number>();
  for (const { row, values } of readCsv(text)) {
    const parsed = CustomerRowSchema.safeParse({
      ...values,
      email: values.email || undefined,
      line2: values.line2 || undefined,
      country: values.country || undefined,
    });
    if (!parsed.success) {
      result.bad.push({ row, ...firstIssue(parsed.error), values });
      continue;
    }
    if (seen.has(parsed.data.phone)) {
      result.bad.push({ row, field: 'phone', message: `same phone as row ${seen.get(parsed.data.phone)}`, values });
      continue;
    }
    seen.set(parsed.data.phone, row);
    result.good.push({ row, value: parsed.data, values });
  }
  return result;
}
