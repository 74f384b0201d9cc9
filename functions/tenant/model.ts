/**
 * Tenant configuration: the company, its arrival windows, technicians and job types. One zod schema
 * per fact; the seed, the capacity engine and (later) the config API all use these.
 */
import { z } from 'zod';
import { CrmMappingOverridesSchema } from '../crm/mapping';
import { TriageRulesSchema } from '../triage/rules';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

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
  /** Most jobs this technician takes in a day; the tenant default applies when absent. */
  dailyJobLimit: z.number().int().min(1).max(20).optional(),
  /** Days off (inclusive local dates): no windows are offered on them. */
  timeOff: z.array(z.object({ from: isoDate, to: isoDate, reason: z.string().max(200).optional() })).default([]),
  /** Where on-call alerts go. */
  phone: z.string().max(32).optional(),
});
export type Technician = z.infer<typeof TechnicianSchema>;
export type TechnicianInput = z.input<typeof TechnicianSchema>;

export const JobTypeSchema = z.object({
  jobTypeId: z.string().min(1),
  name: z.string().min(1),
  trade: z.string().min(1),
  requiredSkills: z.array(z.string()).default([]),
  /** Length in arrival windows. */
  durationWindows: z.number().int().min(1).default(1),
  emergency: z.boolean().default(false),
  /** Internal prep steps the trail puts on every job of this type. */
  prepChecklist: z.array(z.string().min(1).max(200)).max(50).default([]),
  /** Parts a job of this type needs; the trail's materials check lists them. */
  materials: z.array(z.object({ part: z.string().min(1).max(100), quantity: z.number().int().min(1).max(1000).default(1) })).max(50).default([]),
  /** Most jobs of this type the company takes in one day (across technicians); no cap when absent. */
  dailyCap: z.number().int().min(1).max(500).optional(),
  /** Pre-fills the booking summary when the bot sends none. */
  summary: z.string().optional(),
  /** Days after completion to invite the customer to book this job type again (rebooking follow-up). */
  rebookAfterDays: z.number().int().min(1).max(3 * 365).optional(),
  /** Months between maintenance visits: completion sets the customer's next maintenance date. */
  maintenanceIntervalMonths: z.number().int().min(1).max(60).optional(),
});
export type JobType = z.infer<typeof JobTypeSchema>;
export type JobTypeInput = z.input<typeof JobTypeSchema>;

export const CrmSettingsSchema = z.discriminatedUnion('adapter', [
  z.object({ adapter: z.literal('builtin') }),
  z.object({
    adapter: z.literal('webhook'),
    url: z.url(),
    /** Name of the secret holding the HMAC key (Secrets Manager in AWS, local secrets file locally). */
    secretName: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(10_000).default(2_000),
  }),
  // External CRMs/FSMs (functions/crm/adapters/*): ids here, credentials only in the named secret.
  z.object({
    adapter: z.literal('servicetitan'),
    /** The ServiceTitan tenant id (numeric, as a string). */
    stTenantId: z.string().regex(/^\d+$/),
    bookingProviderId: z.string().regex(/^\d+$/),
    apiUrl: z.url().default('https://api.servicetitan.io'),
    authUrl: z.url().default('https://auth.servicetitan.io'),
    /** Secret: JSON {"clientId","clientSecret","appKey"}. */
    secretName: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(10_000).default(5_000),
  }),
  z.object({
    adapter: z.literal('hubspot'),
    apiUrl: z.url().default('https://api.hubapi.com'),
    pipelineId: z.string().min(1).default('default'),
    /** Mapping-table deal stage name -> HubSpot internal stage id. */
    dealStageIds: z.record(z.string(), z.string()).default({}),
    /** Unique contact property to upsert on (a custom unique property holding our customer id). */
    contactIdProperty: z.string().min(1).default('jobrelay_customer_id'),
    /** Unique deal property to upsert on (holds our booking id). */
    dealIdProperty: z.string().min(1).default('jobrelay_booking_id'),
    /** Secret: the private app access token. */
    secretName: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(10_000).default(5_000),
  }),
  z.object({
    adapter: z.literal('housecallpro'),
    apiUrl: z.url().default('https://api.housecallpro.com'),
    /** Secret: the API key (sent as `Authorization: Token <key>`). */
    secretName: z.string().min(1),
    timeoutMs: z.number().int().min(100).max(10_000).default(5_000),
  }),
]);
export type CrmSettings = z.infer<typeof CrmSettingsSchema>;

export const SourceSettingsSchema = z.object({
  /** The CRM's job type for bookings from this source (e.g. a ServiceTitan job type id). */
  jobType: z.string().min(1).max(100).optional(),
  campaign: z.string().min(1).max(100).optional(),
  businessUnit: z.string().min(1).max(100).optional(),
  /** A dispatcher must accept bookings from this source (status pending_approval until then). */
  requiresAcceptance: z.boolean().default(false),
});
export type SourceSettings = z.infer<typeof SourceSettingsSchema>;

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
  /** Per-tenant overrides of the CRM mapping table (functions/crm/mapping.ts), state by state. */
  crmMapping: CrmMappingOverridesSchema.optional(),
  /** Per marketing source (attribution.source): CRM job type, campaign, business unit, dispatcher acceptance. */
  sourceSettings: z.record(z.string(), SourceSettingsSchema).default({}),
  /** LSA leads whose response deadline is closer than this are flagged for a person. */
  lsaDeadlineWarningMinutes: z.number().int().min(1).max(24 * 60).default(30),
  /** How messages leave: providers per channel, quiet hours for customer messages, per-kind templates. */
  messaging: z
    .object({
      sms: z
        .discriminatedUnion('provider', [
          z.object({ provider: z.literal('outbox') }),
          z.object({
            provider: z.literal('twilio'),
            accountSid: z.string().regex(/^AC[0-9a-zA-Z]{8,40}$/, 'a Twilio Account SID (AC...)'),
            from: z.string().min(3).max(32),
            /** Name of the secret holding the Auth Token. */
            secretName: z.string().min(1),
            baseUrl: z.url().optional(),
          }),
        ])
        .default({ provider: 'outbox' }),
      email: z
        .discriminatedUnion('provider', [
          z.object({ provider: z.literal('outbox') }),
          z.object({
            provider: z.literal('ses'),
            from: z.email(),
            /** Another SES endpoint (a regional or local one); AWS's own when absent. */
            endpoint: z.url().optional(),
          }),
        ])
        .default({ provider: 'outbox' }),
      /** Customer messages due inside these hours wait until they end (company time zone). */
      quietHours: z.object({ start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) }).optional(),
      /** Handlebars templates per message kind, e.g. {"confirmation": "Hi {{firstName}}, ..."}. */
      templates: z.record(z.string(), z.string().min(1).max(1_600)).default({}),
    })
    .default({ sms: { provider: 'outbox' }, email: { provider: 'outbox' }, templates: {} }),
  /** Who hears of new jobs: the dispatcher, and the on-call manager for emergencies. */
  dispatch: z.object({ phone: z.string().max(32).optional(), onCallManagerPhone: z.string().max(32).optional() }).default({}),
  /** Windows after the regular day that only on-call technicians serve, for emergencies. */
  afterHoursWindows: z.array(ArrivalWindowSchema).default([]),
  /** Who is on call when (inclusive local dates). */
  onCallRotation: z.array(z.object({ technicianId: z.string().min(1), from: isoDate, to: isoDate })).default([]),
  /** Hours after a job completes before the review request goes out. */
  reviewRequestDelayHours: z.number().min(0).max(14 * 24).default(2),
  /** Days after an invoice that payment reminders go out while it is unpaid (at most three). */
  paymentReminderDays: z.array(z.number().int().min(1).max(90)).max(3).default([3, 7, 14]),
  /** Public review page the review request links to. */
  reviewUrl: z.url().optional(),
  /** Jobs per technician per day when the technician has no own limit. */
  defaultDailyJobLimit: z.number().int().min(1).max(20).default(4),
  /** Of each technician's daily jobs, how many standard bookings may not take (kept for emergencies). */
  emergencyReserve: z.number().int().min(0).max(10).default(0),
  /** Where technician schedules come from. `external`: an FSM syncs them; older than the threshold is stale. */
  scheduleSource: z
    .object({
      mode: z.enum(['internal', 'external']).default('internal'),
      staleAfterMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
      lastSyncAt: z.string().optional(),
    })
    .default({ mode: 'internal', staleAfterMinutes: 60 }),
  /** Triage rules (phrases per job type and trade, emergency phrases, temperatures); DEFAULT_TRIAGE_RULES when absent. */
  triage: TriageRulesSchema.optional(),
});
export type Tenant = z.infer<typeof TenantSchema>;
export type TenantInput = z.input<typeof TenantSchema>;
