/** The tenant's provider for a channel, from its messaging settings (secrets from the secret store). */
import { getTenantSecret } from '../../shared/secrets';
import type { Tenant } from '../../tenant/model';
import { outboxProvider } from './outbox';
import { SesEmailProvider } from './ses';
import { TwilioSmsProvider } from './twilio';
import type { MessageProvider } from './types';

export async function providerFor(messaging: Tenant['messaging'], channel: 'sms' | 'email'): Promise<MessageProvider> {
  if (channel === 'sms') {
    const sms = messaging.sms;
    if (sms.provider === 'twilio') {
      return new TwilioSmsProvider({ accountSid: sms.accountSid, authToken: await getTenantSecret(sms.secretName), from: sms.from, baseUrl: sms.baseUrl });
    }
    return outboxProvider;
  }
  const email = messaging.email;
  return email.provider === 'ses' ? new SesEmailProvider(email.from, email.endpoint) : outboxProvider;
}
