/**
 * Tenant configuration: the company, its arrival windows, technicians and job types. One zod schema
 * per fact; the seed, the capacity engine and (later) the config API all use these.
 */
import { z } from 'zod';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');

export const ArrivalWindowSchema = z.object({ start: clockTime, end: clockTime });
export type ArrivalWindow = z.infer<typeof ArrivalWindowSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const ShiftSchema = z.object({ start: clockTime, end: clockTime });
export type Shift = z.infer<typeof ShiftSchema>;

export const TechnicianSchema = z.object({
  technicianId: z.string().min(1),
  name: z.string().min(1),
  trades: z.array(z.string().min(1)).min(1),
  skills: z.array(z.string()).default([]),
  /** Service-area postal codes this technician covers. */
  postalCodes: z.array(z.string().min(1)).min(1),
  /** Weekly shifts by weekday, in the tenant's time zone. */
  shifts: z.partialRecord(z.enum(WEEKDAYS), ShiftSchema),
  active: z.boolean().default(true),
});
export type Technician = z.infer<typeof TechnicianSchema>;

export const JobTypeSchema = z.object({
  jobTypeId: z.string().min(1),
  name: z.string().min(1),
  trade: z.string().min(1),
  requiredSkills: z.array(z.string()).default([]),
  /** Length in arrival windows. */
  durationWindows: z.number().int().min(1).default(1),
  emergency: z.boolean().default(false),
  /** Pre-fills the booking summary when the bot sends none. */
  summary: z.string().optional(),
});
export type JobType = z.infer<typeof JobTypeSchema>;

export const CrmSettingsSchema = z.discriminatedUnion('adapter', [
  z.object({ adapter: z.literal('builtin') }),
  z.object({
    adapter: z.literal('webhook'),
    url: z.url(),
    /** Name of the secret holding the HMAC key (Secrets Manager in AWS, local secrets file locally). */
    secretName: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(10_000).default(2_000),
  }),
]);
export type CrmSettings = z.infer<typeof CrmSettingsSchema>;

export const TenantSchema = z.object({
  tenantId: z.string().regex(/^[a-z0-9-]{3,40}$/),
  name: z.string().min(1),
  timeZone: z.string().min(1),
  country: z.string().length(2).default('US'),
  arrivalWindows: z.array(ArrivalWindowSchema).min(1),
  holdMinutes: z.number().int().min(1).max(120).default(10),
  /** How many days ahead the system looks for a window when the bot does not name one. */
  bookingHorizonDays: z.number().int().min(1).max(60).default(14),
  crm: CrmSettingsSchema.default({ adapter: 'builtin' }),
});
export type Tenant = z.infer<typeof TenantSchema>;
