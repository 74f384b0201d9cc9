/** Picks the tenant's CRM adapter from its configuration. */
import { getTenantSecret } from '../../shared/secrets';
import type { CrmSettings } from '../../tenant/model';
import type { CrmAdapter } from '../adapter';
import { BuiltinCrmAdapter } from './builtin';
import { WebhookCrmAdapter } from './webhook';

export async function crmAdapterFor(settings: CrmSettings): Promise<CrmAdapter> {
  switch (settings.adapter) {
    case 'builtin':
      return new BuiltinCrmAdapter();
    case 'webhook':
      return new WebhookCrmAdapter(settings.url, await getTenantSecret(settings.secretName), settings.timeoutMs);
  }
}
