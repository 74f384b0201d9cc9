import { PHONE_COUNTRY_MESSAGE, phoneCountryServed } from '../recognise/phone-countries';
import { SCOPES } from '../shared/scopes';
import { isIanaTimeZone } from '../shared/time-zone';
import * as z from '../shared/zod';
import { PLATFORM_TENANT_ID } from './platform';

export { PLATFORM_TENANT_ID } from './platform';

/**
 * Tenant ids the deployment uses itself (the operator's keys, the table's name, shared partitions):
 * a tenant with one of them would sit beside the operator's own records, so they are never given out.
 */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set([PLATFORM_TENANT_ID, 'jobrelay', 'admin', 'system', 'ops', 'root', 'due', 'apikey']);

const tenantIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{3,40}$/, 'expected 3-40 lowercase letters, digits or dashes')
  .refine((id) => !RESERVED_TENANT_IDS.has(id), 'this tenant id is reserved for the deployment itself');

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');

export const CreateTenantRequestSchema = z
  .object({
    tenantId: tenantIdSchema.openapi({ example: 'acme-hvac' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Acme Heating & Air' }),
    timeZone: z
      .string()
      .max(64)
      .refine((zone) => isIanaTimeZone(zone), 'expected an IANA time zone such as America/Chicago')
      .openapi({ example: 'America/Chicago' }),
    country: z.string().length(2).refine(phoneCountryServed, PHONE_COUNTRY_MESSAGE).default('US').openapi({ example: 'US' }),
    arrivalWindows: z
      .array(z.object({ start: clockTime, end: clockTime }))
      .min(1)
      .max(24)
      .default([
        { start: '08:00', end: '10:00' },
        { start: '10:00', end: '12:00' },
        { start: '12:00', end: '14:00' },
        { start: '14:00', end: '16:00' },
      ]),
  })
  .openapi('CreateTenantRequest');

export const ApiKeySummarySchema = z
  .object({
    keyId: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    hint: z.string(),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    rotatedAt: z.string().optional(),
    revoked: z.boolean(),
    revokedAt: z.string().optional(),
  })
  .openapi('ApiKeySummary');

export const IssuedApiKeySchema = z
  .object({
    apiKey: z.string().openapi({ description: 'The secret: shown this once, stored only as a SHA-256 hash' }),
    key: ApiKeySummarySchema,
  })
  .openapi('IssuedApiKey');

export const CreateApiKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'Voice agent (production)' }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .openapi({ example: ['bookings'] }),
    tenantId: z
      .string()
      .regex(/^[a-z0-9-]{3,40}$/)
      .optional()
      .openapi({ description: 'Platform keys only: issue the key for this tenant' }),
  })
  .openapi('CreateApiKeyRequest');

export const KeyIdParamsSchema = z.object({ keyId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a key id') });

export const KeyTenantQuerySchema = z.object({
  tenantId: z
    .string()
    .regex(/^[a-z0-9-]{3,40}$/)
    .optional()
    .openapi({ description: 'Platform keys only: another tenant' }),
});

export const WhoAmISchema = z
  .object({
    tenantId: z.string(),
    tenantName: z.string().optional(),
    timeZone: z.string().optional(),
    keyId: z.string(),
    keyName: z.string().optional(),
    scopes: z.array(z.string()),
    grantableScopes: z
      .array(z.object({ scope: z.enum(SCOPES), purpose: z.string() }))
      .openapi({ description: 'Scopes this key may give a new key (at most its own), with what each is for' }),
  })
  .openapi('WhoAmI');
