/** Production is real by default: what a tenant must set up, in AWS and locally (functions/tenant/setup.ts). */
import { describe, expect, it } from 'vitest';
import { messagingSettings, paymentSettings, setupWarnings } from '../../functions/tenant/setup';

const unset = { messaging: { templates: {} } };

describe('provider settings', () => {
  it('unset providers: the local fakes in the local runtime, nothing in AWS', () => {
    expect(messagingSettings(unset, 'sms', true)).toEqual({ provider: 'outbox' });
    expect(messagingSettings(unset, 'email', true)).toEqual({ provider: 'outbox' });
    expect(paymentSettings({}, true)).toEqual({ provider: 'local' });
    expect(messagingSettings(unset, 'sms', false)).toBeUndefined();
    expect(paymentSettings({}, false)).toBeUndefined();
  });

  it('in AWS an unset tenant has a warning per area, each naming the field and where to set it', () => {
    const warnings = setupWarnings(unset, false);
    expect(warnings.map((w) => w.field)).toEqual(['messaging.sms', 'messaging.email', 'payments']);
    for (const warning of warnings) {
      expect(warning.code).toBe('setup_required');
      expect(warning.message).toContain('PUT /v1/config/company');
    }
    expect(setupWarnings(unset, true)).toEqual([]);
  });

  it('what the tenant chose holds everywhere, the outbox and local payments included', () => {
    const chosen = {
      messaging: { sms: { provider: 'outbox' as const }, email: { provider: 'ses' as const, from: 'a@b.example' }, templates: {} },
      payments: { provider: 'stripe' as const, apiUrl: 'https://api.stripe.com', currency: 'usd', timeoutMs: 10_000 },
    };
    expect(setupWarnings(chosen, false)).toEqual([]);
    expect(messagingSettings(chosen, 'email', false)).toMatchObject({ provider: 'ses' });
  });
});
