/**
 * API shapes of connecting a CRM (PUT /v1/config/crm, PUT /v1/config/crm/credentials,
 * POST /v1/config/crm/test, GET /v1/config/crm/options). The settings and credential bodies are the
 * tenant model's and the credentials route's own schemas: one source for each.
 */
import * as z from '../shared/zod';
import { CrmSettingsSchema } from '../tenant/model';

export const CrmConfigRequestSchema = CrmSettingsSchema.openapi('CrmSettings', {
  description:
    'The CRM adapter and its non-secret settings (builtin, webhook, servicetitan, hubspot, housecallpro, jobber). Credentials go to PUT /v1/config/crm/credentials.',
});

export const CrmConfigResponseSchema = z
  .object({
    crm: CrmConfigRequestSchema,
    /** Whether the CRM credential is set (never its value). */
    credentialSet: z.boolean(),
  })
  .openapi('CrmConfig');

export const CrmConnectionTestSchema = z
  .object({
    adapter: z.string(),
    ok: z.boolean(),
    auth: z.enum(['ok', 'rejected', 'unreachable', 'not_set', 'not_needed']).openapi({
      description: 'ok: the CRM took the credentials; rejected: it refused them (or the ids); unreachable: down, slow or throttled; not_set: no credential yet',
    }),
    scopes: z.array(z.string()).openapi({ description: 'What the credentials may do, as the CRM reports it (empty when it does not say)' }),
    visible: z.record(z.string(), z.string()).openapi({ description: 'The account ids the credentials reach (e.g. ServiceTitan tenant, HubSpot portal)' }),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
    /** HubSpot: the custom properties setup created because they were missing. */
    createdProperties: z.array(z.string()).optional(),
    retryAfterSeconds: z.number().int().optional(),
    message: z.string().optional(),
  })
  .openapi('CrmConnectionTest');
export type CrmConnectionTest = z.infer<typeof CrmConnectionTestSchema>;

const Option = z.object({ id: z.string(), name: z.string() });
export type CrmOption = z.infer<typeof Option>;

export const CrmOptionsSchema = z
  .object({
    adapter: z.string(),
    jobTypes: z.array(Option),
    campaigns: z.array(Option),
    businessUnits: z.array(Option),
    technicians: z.array(Option),
    pipelines: z.array(z.object({ id: z.string(), name: z.string(), stages: z.array(Option) })),
  })
  .openapi('CrmOptions', { description: "The lists an owner picks the CRM mapping from, as the CRM gives them (ids are the CRM's)" });
export type CrmOptions = z.infer<typeof CrmOptionsSchema>;

export function emptyOptions(adapter: string): CrmOptions {
  return { adapter, jobTypes: [], campaigns: [], businessUnits: [], technicians: [], pipelines: [] };
}
