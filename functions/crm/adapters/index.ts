/** Picks the tenant's CRM adapter from its configuration; credentials come from its named secret. */
import { getTenantSecret } from '../../shared/secrets';
import type { CrmSettings } from '../../tenant/model';
import type { CrmAdapter } from '../adapter';
import { BuiltinCrmAdapter } from './builtin';
import { HousecallProCrmAdapter } from './housecallpro';
import { HubSpotCrmAdapter } from './hubspot';
import { parseServiceTitanSecret, ServiceTitanCrmAdapter } from './servicetitan';
import { WebhookCrmAdapter } from './webhook';

export async function crmAdapterFor(settings: CrmSettings): Promise<CrmAdapter> {
  switch (settings.adapter) {
    case 'builtin':
      return new BuiltinCrmAdapter();
    case 'webhook':
      return new WebhookCrmAdapter(settings.url, await getTenantSecret(settings.secretName), settings.timeoutMs);
    case 'servicetitan':
      return new ServiceTitanCrmAdapter(settings, parseServiceTitanSecret(await getTenantSecret(settings.secretName)));
    case 'hubspot':
      return new HubSpotCrmAdapter(settings, await getTenantSecret(settings.secretName));
    case 'housecallpro':
      return new HousecallProCrmAdapter(settings, await getTenantSecret(settings.secretName));
  }
}
