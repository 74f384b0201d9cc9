/**
 * Production is real by default. A tenant's SMS, email and payments providers resolve here, once:
 * what the tenant configured; when it configured nothing, the local fakes (outbox, local payments)
 * in the local runtime only (JOBRELAY_STAGE=local, functions/shared/stage.ts); in AWS nothing, which
 * the API reports as a setup warning and the workers as a `setup_required` review item, never a
 * message silently kept in an outbox or a renewal "charged" by a fake.
 */
import { isLocalStage } from '../shared/stage';
import * as z from '../shared/zod';
import type { Tenant } from './model';

export type Channel = 'sms' | 'email';
type Messaging = Tenant['messaging'];
export type SmsSettings = NonNullable<Messaging['sms']>;
export type EmailSettings = NonNullable<Messaging['email']>;
export type PaymentSettings = NonNullable<Tenant['payments']>;

/** The settings in force for a channel, or undefined when the tenant must set one up first. */
export function messagingSettings(tenant: Pick<Tenant, 'messaging'>, channel: 'sms', local?: boolean): SmsSettings | undefined;
export function messagingSettings(tenant: Pick<Tenant, 'messaging'>, channel: 'email', local?: boolean): EmailSettings | undefined;
export function messagingSettings(tenant: Pick<Tenant, 'messaging'>, channel: Channel, local = isLocalStage()): SmsSettings | EmailSettings | undefined {
  return tenant.messaging[channel] ?? (local ? { provider: 'outbox' } : undefined);
}

export function paymentSettings(tenant: Pick<Tenant, 'payments'>, local = isLocalStage()): PaymentSettings | undefined {
  return tenant.payments ?? (local ? { provider: 'local' } : undefined);
}

/** What a setup warning is about: the config field to set (and the credential, when one is needed). */
export const SETUP_AREAS = ['messaging.sms', 'messaging.email', 'payments'] as const;
export type SetupArea = (typeof SETUP_AREAS)[number];

export const SetupWarningSchema = z
  .object({ code: z.literal('setup_required'), field: z.enum(SETUP_AREAS), message: z.string() })
  .openapi('SetupWarning', { description: 'Something this tenant must set up before it works in production (AWS only)' });
export type SetupWarning = z.infer<typeof SetupWarningSchema>;

const HOW: Record<SetupArea, string> = {
  'messaging.sms':
    'No SMS provider is set: texts to customers, technicians and dispatch are not sent. Set messaging.sms (twilio) with PUT /v1/config/company and its Auth Token with PUT /v1/config/credentials/sms.',
  'messaging.email': 'No email provider is set: emails to customers are not sent. Set messaging.email (ses, a verified sender) with PUT /v1/config/company.',
  payments:
    'No payment provider is set: membership renewals are not charged. Set payments (stripe) with PUT /v1/config/company and its secret key with PUT /v1/config/credentials/payments.',
};

export function setupWarning(field: SetupArea): SetupWarning {
  return { code: 'setup_required', field, message: HOW[field] };
}

/** Everything this tenant must still set up before it works in production (empty locally). */
export function setupWarnings(tenant: Pick<Tenant, 'messaging' | 'payments'>, local = isLocalStage()): SetupWarning[] {
  const missing: SetupArea[] = [];
  if (!messagingSettings(tenant, 'sms', local)) missing.push('messaging.sms');
  if (!messagingSettings(tenant, 'email', local)) missing.push('messaging.email');
  if (!paymentSettings(tenant, local)) missing.push('payments');
  return missing.map(setupWarning);
}

/** Thrown where work needs a provider the tenant has not set up (in AWS): a person must set it up. */
export class SetupRequiredError extends Error {
  override name = 'SetupRequiredError';
  constructor(readonly field: SetupArea) {
    super(HOW[field]);
  }
}
