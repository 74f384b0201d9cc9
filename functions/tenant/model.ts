/**
 * Tenant configuration: the company, its arrival windows, technicians and job types. One zod schema
 * per fact; the seed, the capacity engine and (later) the config API all use these.
 */
import * as z from '../shared/zod';
import { CrmMappingOverridesSchema } from '../crm/mapping';
import { CrmIdsSchema } from '../crm/vendor-ids';
import { TriageRulesSchema } from '../triage/rules';
import { providerUrl } from '../shared/provider-url';
import { boundedRecord, withinBytes } from '../shared/bounds';
import { EmergencySettingsSchema } from '../emergency/settings';
import { TRAVEL_BUFFER_MINUTES } from '../capacity/travel-buffer';
import { PHONE_COUNTRY_MESSAGE, phoneCountryServed } from '../recognise/phone-countries';
import { lazyShape, once, pickShape } from '../shared/lazy-shape';

/**
 * A tenant's own wording, by template key (`<kind>`, `<kind>.es`, `<kind>.subject`, `<kind>.subject.es`):
 * what company settings store and what the message preview takes. 16 KB keeps the company record
 * under DynamoDB's item size with every other setting at its largest (test/unit/config-size.test.ts).
 */
export const MessageTemplatesSchema = withinBytes(boundedRecord(z.string().max(64), z.string().min(1).max(1_600), 60), 16_000);

// Every object's fields are built on first use, not at import (functions/shared/lazy-shape.ts).
const clockTime = once(() => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)'));
const isoDate = once(() => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'));

export const ArrivalWindowSchema = z.object(lazyShape({ start: clockTime, end: clockTime }));
export type ArrivalWindow = z.infer<typeof ArrivalWindowSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const ShiftSchema = z.object(lazyShape({ start: clockTime, end: clockTime }));
export type Shift = z.infer<typeof ShiftSchema>;

/** The language a staff member reads their texts in (the catalogue has every kind in both). */
export const StaffLanguageSchema = z.enum(['en', 'es']);

export const TechnicianSchema = z.object(
  lazyShape({
    technicianId: () => z.string().min(1).max(64),
    name: () => z.string().min(1).max(200),
    trades: () => z.array(z.string().min(1).max(50)).min(1).max(20),
    skills: () => z.array(z.string().max(50)).max(50).default([]),
    /** Service-area postal codes this technician covers. */
    postalCodes: () => z.array(z.string().min(1).max(12)).min(1).max(500),
    /** Weekly shifts by weekday, in the tenant's time zone. */
    shifts: () => z.partialRecord(z.enum(WEEKDAYS), ShiftSchema),
    active: () => z.boolean().default(true),
    /** Most jobs this technician takes in a day; the tenant default applies when absent. */
    dailyJobLimit: () => z.number().int().min(1).max(20).optional(),
    /** Days off (inclusive local dates): no windows are offered on them. */
    timeOff: () =>
      z
        .array(z.object({ from: isoDate(), to: isoDate(), reason: z.string().max(200).optional() }))
        .max(100)
        .default([]),
    /** Where on-call alerts go. */
    phone: () => z.string().max(32).optional(),
    /** The language of this technician's texts (job, on-call page): en or es; English when absent. */
    language: () => StaffLanguageSchema.optional(),
    /** Where the technician starts from (a postal code): on-call pages go nearest first. Their territory's centre when absent. */
    basePostalCode: () => z.string().min(3).max(12).optional(),
  }),
);
export type Technician = z.infer<typeof TechnicianSchema>;
export type TechnicianInput = z.input<typeof TechnicianSchema>;

export const JobTypeSchema = z.object(
  lazyShape({
    jobTypeId: () => z.string().min(1).max(64),
    name: () => z.string().min(1).max(200),
    trade: () => z.string().min(1).max(50),
    requiredSkills: () => z.array(z.string().max(50)).max(50).default([]),
    /** Length in arrival windows: what a job fills when `durationMinutes` is absent. */
    durationWindows: () => z.number().int().min(1).default(1),
    /**
     * How long the job takes on site, in minutes. Set: a technician-window holds as many such jobs as
     * fit (with a travel buffer each), and a job longer than a window runs on into the next one
     * (capacity/availability.ts jobFootprint). Absent: the job fills its `durationWindows` windows.
     */
    durationMinutes: () =>
      z
        .number()
        .int()
        .min(5)
        .max(12 * 60)
        .optional(),
    emergency: () => z.boolean().default(false),
    /** Safety advice texted to the customer at once on an emergency (functions/emergency/safety.ts); from the trade and words when absent. */
    safetyAdvice: () => z.enum(['water', 'gas', 'electrical', 'general']).optional(),
    /** Internal prep steps the trail puts on every job of this type. */
    prepChecklist: () => z.array(z.string().min(1).max(200)).max(50).default([]),
    /** Parts a job of this type needs; the trail's materials check lists them. */
    materials: () =>
      z
        .array(z.object({ part: z.string().min(1).max(100), quantity: z.number().int().min(1).max(1000).default(1) }))
        .max(50)
        .default([]),
    /** Most jobs of this type the company takes in one day (across technicians); no cap when absent. */
    dailyCap: () => z.number().int().min(1).max(500).optional(),
    /** Pre-fills the booking summary when the bot sends none. */
    summary: () => z.string().max(2_000).optional(),
    /** For the customer's confirmation, per language: what happens at the visit ({{whatToExpect}}). */
    whatToExpect: () => z.object({ en: z.string().min(1).max(300).optional(), es: z.string().min(1).max(300).optional() }).optional(),
    /** For the customer's confirmation and reminder, per language: how to prepare ({{prep}}: clear under the sink, pets secured). */
    customerPrep: () => z.object({ en: z.string().min(1).max(300).optional(), es: z.string().min(1).max(300).optional() }).optional(),
    /** Days after completion to invite the customer to book this job type again (rebooking follow-up). */
    rebookAfterDays: () =>
      z
        .number()
        .int()
        .min(1)
        .max(3 * 365)
        .optional(),
    /** Months between maintenance visits: completion sets the customer's next maintenance date. */
    maintenanceIntervalMonths: () => z.number().int().min(1).max(60).optional(),
  }),
);
export type JobType = z.infer<typeof JobTypeSchema>;
export type JobTypeInput = z.input<typeof JobTypeSchema>;

/**
 * Provider settings refuse fields they do not know (a typo is a 400, not silently dropped); a
 * `secretName` is refused with where credentials go instead: a tenant never names a secret, its
 * name derives from the tenant id and purpose (functions/shared/secrets.ts).
 */
function providerSettings<Shape extends z.ZodRawShape>(shape: Shape, purpose: 'crm' | 'sms' | 'payments') {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' && issue.keys.includes('secretName')
        ? `a tenant never names a secret: set the credential with PUT /v1/config/credentials/${purpose}`
        : undefined,
  });
}

export const CrmSettingsSchema = z.discriminatedUnion('adapter', [
  providerSettings(lazyShape({ adapter: () => z.literal('builtin') }), 'crm'),
  providerSettings(
    lazyShape({
      adapter: () => z.literal('webhook'),
      url: () => providerUrl(),
      // The HMAC key is the tenant's `crm` credential.
      timeoutMs: () => z.number().int().min(100).max(10_000).default(2_000),
    }),
    'crm',
  ),
  // External CRMs/FSMs (functions/crm/adapters/*): ids here, credentials only in the tenant's `crm` secret.
  providerSettings(
    lazyShape({
      adapter: () => z.literal('servicetitan'),
      /** The ServiceTitan tenant id (numeric, as a string). */
      stTenantId: () => z.string().regex(/^\d+$/).max(20),
      bookingProviderId: () => z.string().regex(/^\d+$/).max(20),
      apiUrl: () => providerUrl().default('https://api.servicetitan.io'),
      authUrl: () => providerUrl().default('https://auth.servicetitan.io'),
      // Credential: JSON {"clientId","clientSecret","appKey"}.
      timeoutMs: () => z.number().int().min(100).max(10_000).default(5_000),
    }),
    'crm',
  ),
  providerSettings(
    lazyShape({
      adapter: () => z.literal('hubspot'),
      apiUrl: () => providerUrl().default('https://api.hubapi.com'),
      pipelineId: () => z.string().min(1).max(100).default('default'),
      /** Mapping-table deal stage name -> HubSpot internal stage id. */
      dealStageIds: () => boundedRecord(z.string().max(100), z.string().max(100), 20).default({}),
      /** Unique contact property to upsert on (a custom unique property holding our customer id). */
      contactIdProperty: () => z.string().min(1).max(100).default('jobrelay_customer_id'),
      /** Unique deal property to upsert on (holds our booking id). */
      dealIdProperty: () => z.string().min(1).max(100).default('jobrelay_booking_id'),
      // Credential: the private app access token.
      timeoutMs: () => z.number().int().min(100).max(10_000).default(5_000),
    }),
    'crm',
  ),
  providerSettings(
    lazyShape({
      adapter: () => z.literal('housecallpro'),
      apiUrl: () => providerUrl().default('https://api.housecallpro.com'),
      // Credential: the API key (sent as `Authorization: Token <key>`).
      timeoutMs: () => z.number().int().min(100).max(10_000).default(5_000),
    }),
    'crm',
  ),
  providerSettings(
    lazyShape({
      adapter: () => z.literal('jobber'),
      apiUrl: () => providerUrl().default('https://api.getjobber.com'),
      /** Jobber's dated GraphQL schema version (`X-JOBBER-GRAPHQL-VERSION`); a version is supported 12 months. */
      apiVersion: () =>
        z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a Jobber API version as YYYY-MM-DD')
          .default('2025-04-16'),
      // Credential: JSON {"clientId","clientSecret","refreshToken"}; the rotated tokens live in the table (crm/adapters/jobber-token-store.ts).
      timeoutMs: () => z.number().int().min(100).max(10_000).default(5_000),
    }),
    'crm',
  ),
]);
export type CrmSettings = z.infer<typeof CrmSettingsSchema>;

export const SourceSettingsSchema = z.object(
  lazyShape({
    /** The CRM's job type for bookings from this source (e.g. a ServiceTitan job type id). */
    jobType: () => z.string().min(1).max(100).optional(),
    campaign: () => z.string().min(1).max(100).optional(),
    businessUnit: () => z.string().min(1).max(100).optional(),
    /** A dispatcher must accept bookings from this source (status pending_approval until then). */
    requiresAcceptance: () => z.boolean().default(false),
  }),
);
export type SourceSettings = z.infer<typeof SourceSettingsSchema>;

/** The tenant's fields, each built on first use: TenantSchema's shape and that of every part of it (tenantPartSchema). */
const tenantShape = lazyShape({
  tenantId: () => z.string().regex(/^[a-z0-9-]{3,40}$/),
  name: () => z.string().min(1).max(200),
  timeZone: () => z.string().min(1).max(64),
  country: () => z.string().length(2).refine(phoneCountryServed, PHONE_COUNTRY_MESSAGE).default('US'),
  arrivalWindows: () => z.array(ArrivalWindowSchema).min(1).max(24),
  holdMinutes: () => z.number().int().min(1).max(120).default(10),
  /** How many days ahead the system looks for a window when the bot does not name one. */
  bookingHorizonDays: () => z.number().int().min(1).max(60).default(14),
  crm: () => CrmSettingsSchema.default({ adapter: 'builtin' }),
  /** Per-tenant overrides of the CRM mapping table (functions/crm/mapping.ts), state by state. */
  crmMapping: () => CrmMappingOverridesSchema.optional(),
  /** The CRM's own ids bookings are filed under (job types, campaigns, business units, technicians), picked from its lists (functions/crm/vendor-ids.ts). */
  crmIds: () => CrmIdsSchema.default({ jobTypes: {}, businessUnits: {}, campaigns: {}, technicians: {}, defaults: {} }),
  /**
   * The CRM outbox's retry schedule (functions/crm/sync-policy.ts): a write the CRM could not take is
   * retried with backoff (base doubling to max) until `retryForMinutes` after its first failure, then
   * a crm_write_failed review item. CRM outages last minutes to hours: at least an hour by default.
   */
  crmSync: () =>
    z
      .object({
        retryForMinutes: z
          .number()
          .int()
          .min(10)
          .max(7 * 24 * 60)
          .default(120),
        backoffBaseSeconds: z.number().int().min(5).max(3_600).default(30),
        backoffMaxSeconds: z
          .number()
          .int()
          .min(60)
          .max(12 * 3_600)
          .default(900),
      })
      .default({ retryForMinutes: 120, backoffBaseSeconds: 30, backoffMaxSeconds: 900 }),
  /** Per marketing source (attribution.source): CRM job type, campaign, business unit, dispatcher acceptance. */
  sourceSettings: () => boundedRecord(z.string().max(64), SourceSettingsSchema, 25).default({}),
  /** LSA leads whose response deadline is closer than this are flagged for a person. */
  lsaDeadlineWarningMinutes: () =>
    z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
  /** How messages leave: providers per channel, quiet hours for customer messages, per-kind templates. */
  messaging: () =>
    z
      .object({
        sms: z
          .discriminatedUnion('provider', [
            providerSettings({ provider: z.literal('outbox') }, 'sms'),
            providerSettings(
              {
                provider: z.literal('twilio'),
                accountSid: z.string().regex(/^AC[0-9a-zA-Z]{8,40}$/, 'a Twilio Account SID (AC...)'),
                from: z.string().min(3).max(32),
                // The Auth Token is the tenant's `sms` credential.
                baseUrl: providerUrl().optional(),
              },
              'sms',
            ),
          ])
          // Unset: the local outbox in the local runtime; in AWS a setup warning (functions/tenant/setup.ts).
          .optional(),
        email: z
          .discriminatedUnion('provider', [
            z.strictObject({ provider: z.literal('outbox') }),
            z.strictObject({
              provider: z.literal('ses'),
              from: z.email().max(254),
              /** Another SES endpoint (a regional or local one); AWS's own when absent. */
              endpoint: providerUrl().optional(),
            }),
          ])
          // Unset: the local outbox in the local runtime; in AWS a setup warning (functions/tenant/setup.ts).
          .optional(),
        /** Customer messages due inside these hours wait until they end (company time zone). */
        quietHours: z.object({ start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/) }).optional(),
        /** Handlebars templates per message kind, e.g. {"confirmation": "Hi {{firstName}}, ..."}. */
        templates: MessageTemplatesSchema.default({}),
      })
      .default({ templates: {} }),
  /**
   * How membership renewals are charged. `stripe`: PaymentIntents with the customer's saved card, off
   * session; the secret key is the tenant's `payments` credential (PUT /v1/config/credentials/payments).
   * `local`: the fake processor (tokens tok_ok, tok_declined...), for demos. Unset: `local` in the local
   * runtime; in AWS nothing is charged and a setup review item says so.
   */
  payments: () =>
    z
      .discriminatedUnion('provider', [
        z.strictObject({ provider: z.literal('local') }),
        providerSettings(
          {
            provider: z.literal('stripe'),
            apiUrl: providerUrl().default('https://api.stripe.com'),
            /** ISO currency, lowercase as Stripe takes it. */
            currency: z
              .string()
              .regex(/^[a-z]{3}$/, 'a lowercase ISO currency code (usd)')
              .default('usd'),
            timeoutMs: z.number().int().min(100).max(20_000).default(10_000),
          },
          'payments',
        ),
      ])
      .optional(),
  /** Who hears of new jobs: the dispatcher, and the on-call manager for emergencies. */
  dispatch: () =>
    z
      .object({
        phone: z.string().max(32).optional(),
        onCallManagerPhone: z.string().max(32).optional(),
        /** The language of the dispatcher's texts (new bookings, replies, delays); English when absent. */
        language: StaffLanguageSchema.optional(),
        /** The language of the on-call manager's texts (emergencies, escalations); English when absent. */
        onCallManagerLanguage: StaffLanguageSchema.optional(),
      })
      .default({}),
  /** Windows after the regular day that only on-call technicians serve, for emergencies. */
  afterHoursWindows: () => z.array(ArrivalWindowSchema).max(24).default([]),
  /** Emergency dispatch now (functions/emergency/): longest wait for a window, page timeout, escalation, same-day time left. */
  emergency: () => EmergencySettingsSchema,
  /** Who is on call when (inclusive local dates). */
  onCallRotation: () =>
    z
      .array(z.object({ technicianId: z.string().min(1).max(64), from: isoDate(), to: isoDate() }))
      .max(60)
      .default([]),
  /** Hours after a job completes before the review request goes out. */
  reviewRequestDelayHours: () =>
    z
      .number()
      .min(0)
      .max(14 * 24)
      .default(2),
  /** Days after an invoice that payment reminders go out while it is unpaid (at most three). */
  paymentReminderDays: () => z.array(z.number().int().min(1).max(90)).max(3).default([3, 7, 14]),
  /** Public review page the review request links to. */
  reviewUrl: () => z.url().max(2_000).optional(),
  /** Local hour (company time zone, 0-23) at which membership renewal notices go out; 10:00 when absent. */
  renewalNoticeHour: () => z.number().int().min(0).max(23).optional(),
  /** Jobs per technician per day when the technician has no own limit. */
  defaultDailyJobLimit: () => z.number().int().min(1).max(20).default(4),
  /** Of each technician's daily jobs, how many standard bookings may not take (kept for emergencies). */
  emergencyReserve: () => z.number().int().min(0).max(10).default(0),
  /**
   * Members first: of each technician's daily jobs, how many only members (an active membership) and
   * emergencies may take. A storage guarantee: non-members can only claim the day's lower job tokens.
   */
  memberReserve: () => z.number().int().min(0).max(10).default(0),
  /**
   * Minutes each job with a duration also claims for the drive to it (capacity/availability.ts
   * jobFootprint): availability, holds, commit, reschedule, field moves and the planner use it.
   */
  travelBufferMinutes: () => z.number().int().min(0).max(60).default(TRAVEL_BUFFER_MINUTES),
  /**
   * How a job with a duration claims a technician's time (issue 21 item 4). `buffer`: its duration
   * plus travelBufferMinutes, inside its windows. `route`: its duration, accepted only when an order
   * of the technician's jobs that day starts each inside its arrival window with the real drive
   * between consecutive jobs (capacity/route.ts), guarded by the counters' versions.
   */
  travelModel: () => z.enum(['buffer', 'route']).default('buffer'),
  /** Where technician schedules come from. `external`: an FSM syncs them; older than the threshold is stale. */
  scheduleSource: () =>
    z
      .object({
        mode: z.enum(['internal', 'external']).default('internal'),
        staleAfterMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
        lastSyncAt: z.string().max(40).optional(),
      })
      .default({ mode: 'internal', staleAfterMinutes: 60 }),
  /** Triage rules (phrases per job type and trade, emergency phrases, temperatures); DEFAULT_TRIAGE_RULES when absent. */
  triage: () => TriageRulesSchema.optional(),
});

export const TenantSchema = z.object(tenantShape);
export type Tenant = z.infer<typeof TenantSchema>;
export type TenantInput = z.input<typeof TenantSchema>;

export type TenantField = keyof typeof tenantShape;
const parts = new Map<string, z.ZodObject>();

/**
 * The schema of some of a tenant's fields: exactly TenantSchema's field schemas (the same instances),
 * only these built. A function that reads a few settings parses those (a malformed one still fails the
 * parse) without building the CRM, triage and messaging schemas it never reads. One schema per set of
 * fields, kept.
 */
export function tenantPartSchema<K extends TenantField>(fields: readonly K[]): z.ZodObject<Pick<typeof tenantShape, K>> {
  const key = [...fields].sort().join(',');
  let part = parts.get(key);
  if (!part) {
    part = z.object(pickShape(tenantShape, fields));
    parts.set(key, part);
  }
  return part as z.ZodObject<Pick<typeof tenantShape, K>>;
}
