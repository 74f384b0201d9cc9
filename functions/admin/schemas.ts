import { IANAZone } from 'luxon';
import { z } from '../shared/zod';
import { SCOPES } from '../shared/scopes';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');

export const CreateTenantRequestSchema = z
  .object({
    tenantId: z.string().regex(/^[a-z0-9-]{3,40}$/, 'expected 3-40 lowercase letters, digits or dashes').openapi({ example: 'acme-hvac' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Acme Heating & Air' }),
    timeZone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as America/Chicago')
      .openapi({ example: 'America/Chicago' }),
    country: z.string().length(2).default('US'),
    arrivalWindows: z
      .array(z.object({ start: clockTime, end: clockTime }))
      .min(1)
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
    scopes: z.array(z.enum(SCOPES)).min(1).openapi({ example: ['bookings'] }),
    tenantId: z
      .string()
      .regex(/^[a-z0-9-]{3,40}$/)
      .optional()
      .openapi({ description: 'Platform keys only: issue the key for this tenant' }),
  })
  .openapi('CreateApiKeyRequest');

export const KeyIdParamsSchema = z.object({ keyId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a key id') });

export const KeyTenantQuerySchema = z.object({
  tenantId: z.string().regex(/^[a-z0-9-]{3,40}$/).optional().openapi({ description: 'Platform keys only: another tenant' }),
});

export const WhoAmISchema = z
  .object({ tenantId: z.string(), tenantName: z.string().optional(), timeZone: z.string().optional(), keyId: z.string(), scopes: z.array(z.string()) })
  .openapi('WhoAmI');
