/** The tenant's provider for a channel, from its messaging settings (the Auth Token is the tenant's own `sms` secret). */
import { getTenantSecret } from '../../shared/secrets';
import type { Tenant } from '../../tenant/model';
import { messagingSettings, SetupRequiredError } from '../../tenant/setup';
import { outboxProvider } from './outbox';
import { SesEmailProvider } from './ses';
import { TwilioSmsProvider } from './twilio';
import type { MessageProvider } from './types';

/**
 * Throws SetupRequiredError when the tenant set no provider for the channel and this is AWS
 * (functions/tenant/setup.ts): the outbox is the local runtime's default, or a tenant's explicit choice.
 */
export async function providerFor(tenant: Pick<Tenant, 'tenantId' | 'messaging'>, channel: 'sms' | 'email'): Promise<MessageProvider> {
  if (channel === 'sms') {
    const sms = messagingSettings(tenant, 'sms');
    if (!sms) throw new SetupRequiredError('messaging.sms');
    if (sms.provider === 'twilio') {
      return new TwilioSmsProvider({
        accountSid: sms.accountSid,
        authToken: await getTenantSecret(tenant.tenantId, 'sms'),
        from: sms.from,
        baseUrl: sms.baseUrl,
      });
    }
    return outboxProvider;
  }
  const email = messagingSettings(tenant, 'email');
  if (!email) throw new SetupRequiredError('messaging.email');
  return email.provider === 'ses' ? new SesEmailProvider(email.from, email.endpoint) : outboxProvider;
}
