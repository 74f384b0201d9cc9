/**
 * What a tenant's admin sends to set a credential (`PUT /v1/config/credentials/...`), one body per
 * purpose; each schema also says how the value is kept in the secret (the shape its reader expects).
 * Values are write-only: no response, log or list ever carries them.
 */
import * as z from '../shared/zod';
import { PROVIDER_ID, SINGLE_SECRET_PURPOSES, type SecretPurpose } from '../shared/secrets';

const token = (what: string) => z.string().min(8).max(1_024).openapi({ description: what, format: 'password', writeOnly: true });
const signingKey = z.string().min(16, 'at least 16 characters').max(1_024).openapi({ description: 'The shared HMAC key', format: 'password', writeOnly: true });

/** CRM credentials, per adapter (the adapter must be the one the account's CRM settings name). */
export const CrmCredentialSchema = z
  .discriminatedUnion('adapter', [
    z.strictObject({ adapter: z.literal('webhook'), signingKey }),
    z.strictObject({
      adapter: z.literal('servicetitan'),
      clientId: z.string().min(1).max(256),
      clientSecret: z.string().min(1).max(1_024).openapi({ format: 'password', writeOnly: true }),
      appKey: z.string().min(1).max(256),
    }),
    z.strictObject({ adapter: z.literal('hubspot'), accessToken: token('The private app access token') }),
    z.strictObject({ adapter: z.literal('housecallpro'), apiKey: token('The Housecall Pro API key') }),
    z.strictObject({
      adapter: z.literal('jobber'),
      clientId: z.string().min(1).max(256),
      clientSecret: z
        .string()
        .min(1)
        .max(1_024)
        .openapi({ description: "The Jobber app's client secret (it also signs Jobber's webhooks)", format: 'password', writeOnly: true }),
      refreshToken: token("The refresh token from the account's install of the app (JobRelay rotates it from there)"),
    }),
  ])
  .openapi('CrmCredential');
export type CrmCredential = z.infer<typeof CrmCredentialSchema>;

/** The SMS provider's secret: Twilio's Auth Token (it also signs Twilio's replies to us). */
export const SmsCredentialSchema = z.strictObject({ provider: z.literal('twilio'), authToken: token('The Twilio Auth Token') }).openapi('SmsCredential');

/** The payment provider's secret key (Stripe: a secret or restricted key). */
export const PaymentsCredentialSchema = z
  .strictObject({
    provider: z.literal('stripe'),
    secretKey: z
      .string()
      .regex(/^(sk|rk)_[A-Za-z0-9_]{8,1000}$/, 'a Stripe secret key (sk_...) or restricted key (rk_...)')
      .openapi({ format: 'password', writeOnly: true }),
  })
  .openapi('PaymentsCredential');

/** Vapi's server URL secret: Vapi sends it as X-Vapi-Secret on every tool call; once set, calls without it are refused. */
export const VapiCredentialSchema = z
  .strictObject({ secret: token('The secret configured on the Vapi tool or assistant server URL') })
  .openapi('VapiCredential');

/** The Retell API key (the one with the webhook badge): Retell signs custom function calls with it (X-Retell-Signature). */
export const RetellCredentialSchema = z.strictObject({ apiKey: token('The Retell API key that signs requests') }).openapi('RetellCredential');

/** The key an FSM signs its job events with (X-JobRelay-Signature on /v1/webhooks/{provider}/job-events). */
export const JobEventsCredentialSchema = z.strictObject({ signingKey }).openapi('JobEventsCredential');

export const CredentialPurposeParamsSchema = z.object({
  purpose: z.enum(SINGLE_SECRET_PURPOSES).openapi({ description: 'crm, sms, payments, vapi or retell; job-event keys have their own path' }),
});
export const JobEventsProviderParamsSchema = z.object({
  provider: z.string().regex(PROVIDER_ID, 'expected a provider name like servicetitan'),
});

export const CredentialStatusSchema = z
  .object({
    purpose: z.string().openapi({ example: 'job-events/servicetitan' }),
    updatedAt: z.string(),
    updatedBy: z.string().optional(),
    /** Which provider or adapter the credential is for (never the value). */
    provider: z.string().optional(),
  })
  .openapi('CredentialStatus');
export type CredentialStatus = z.infer<typeof CredentialStatusSchema>;

export const CredentialListSchema = z.object({ items: z.array(CredentialStatusSchema) }).openapi('CredentialList');

/** The value kept in the secret, in the shape its reader parses (e.g. ServiceTitan: JSON of the three ids). */
export function secretValueOf(purpose: SecretPurpose, body: unknown): { value: string; provider?: string } {
  if (purpose === 'crm') {
    const crm = body as CrmCredential;
    switch (crm.adapter) {
      case 'webhook':
        return { value: crm.signingKey, provider: crm.adapter };
      case 'servicetitan':
        return { value: JSON.stringify({ clientId: crm.clientId, clientSecret: crm.clientSecret, appKey: crm.appKey }), provider: crm.adapter };
      case 'hubspot':
        return { value: crm.accessToken, provider: crm.adapter };
      case 'housecallpro':
        return { value: crm.apiKey, provider: crm.adapter };
      case 'jobber':
        return { value: JSON.stringify({ clientId: crm.clientId, clientSecret: crm.clientSecret, refreshToken: crm.refreshToken }), provider: crm.adapter };
    }
  }
  if (purpose === 'sms') return { value: (body as z.infer<typeof SmsCredentialSchema>).authToken, provider: 'twilio' };
  if (purpose === 'payments') return { value: (body as z.infer<typeof PaymentsCredentialSchema>).secretKey, provider: 'stripe' };
  if (purpose === 'vapi') return { value: (body as z.infer<typeof VapiCredentialSchema>).secret, provider: 'vapi' };
  if (purpose === 'retell') return { value: (body as z.infer<typeof RetellCredentialSchema>).apiKey, provider: 'retell' };
  return { value: (body as z.infer<typeof JobEventsCredentialSchema>).signingKey };
}

/** The body schema of each single-secret purpose. */
export const credentialBodySchemas = {
  crm: CrmCredentialSchema,
  sms: SmsCredentialSchema,
  payments: PaymentsCredentialSchema,
  vapi: VapiCredentialSchema,
  retell: RetellCredentialSchema,
} as const;
