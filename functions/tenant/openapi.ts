/** OpenAPI paths of the credentials routes (registered by functions/api/openapi.ts). Values are write-only. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { KeyTenantQuerySchema } from '../admin/schemas';
import * as z from '../shared/zod';
import {
  CredentialListSchema,
  CredentialPurposeParamsSchema,
  CredentialStatusSchema,
  CrmCredentialSchema,
  JobEventsCredentialSchema,
  JobEventsProviderParamsSchema,
  PaymentsCredentialSchema,
  SmsCredentialSchema,
} from './credentials-schemas';

export function registerCredentialPaths(registry: OpenAPIRegistry): void {
  const errors = { ...standardErrors, 404: json(ErrorSchema, 'This account has no configuration yet') };
  registerRoute(registry, 'listCredentials', {
    security,
    summary: 'Which credentials are set and when (never their values)',
    request: { query: KeyTenantQuerySchema },
    responses: { 200: json(CredentialListSchema, 'Purposes that have a credential'), ...standardErrors },
  });
  registerRoute(registry, 'putCredential', {
    security,
    summary: "Set the account's CRM credentials (per adapter), Twilio Auth Token (sms) or payment key; the answer never carries it",
    request: {
      params: CredentialPurposeParamsSchema,
      query: KeyTenantQuerySchema,
      body: {
        description: 'crm: CrmCredential; sms: SmsCredential; payments: PaymentsCredential',
        content: { 'application/json': { schema: z.union([CrmCredentialSchema, SmsCredentialSchema, PaymentsCredentialSchema]) } },
      },
    },
    responses: { 200: json(CredentialStatusSchema, 'Set'), ...errors },
  });
  registerRoute(registry, 'putJobEventsCredential', {
    security,
    summary: 'Set the key an FSM signs its job events with (POST /v1/webhooks/{provider}/job-events); the answer never carries it',
    request: {
      params: JobEventsProviderParamsSchema,
      query: KeyTenantQuerySchema,
      body: { content: { 'application/json': { schema: JobEventsCredentialSchema } } },
    },
    responses: { 200: json(CredentialStatusSchema, 'Set'), ...errors },
  });
}
