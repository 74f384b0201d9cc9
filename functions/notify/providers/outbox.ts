import type { Tenant } from '../../tenant/model';
import { messagingSettings } from '../../tenant/setup';
import type { MessageProvider } from './types';

/** The default provider: nothing leaves the machine; the worker's outbox row is the delivery. */
export const outboxProvider: MessageProvider = {
  name: 'outbox',
  async send() {
    return {};
  },
};

/**
 * Whether any of the tenant's channels sends through the outbox provider (unset: outbox locally
 * only): such a tenant has an outbox (GET /v1/outbox) listing every message it sent.
 */
export function usesOutbox(tenant: Pick<Tenant, 'messaging'>): boolean {
  return messagingSettings(tenant, 'sms')?.provider === 'outbox' || messagingSettings(tenant, 'email')?.provider === 'outbox';
}
