/**
 * Outbound provider URLs (functions/shared/provider-url.ts): https and public, whatever form the
 * address takes; loopback http only with the local runtime's explicit setting. And secret names:
 * derived from tenant and purpose, never able to leave the tenant's own space.
 */
import { describe, expect, it } from 'vitest';
import { providerUrlProblem } from '../../functions/shared/provider-url';
import { isSecretPurpose, tenantSecretName } from '../../functions/shared/secrets';
import { CrmSettingsSchema, TenantSchema } from '../../functions/tenant/model';

const off = { allowLocal: false };
const on = { allowLocal: true };

describe('providerUrlProblem', () => {
  it.each([
    'https://api.twilio.com',
    'https://api.servicetitan.io/v2',
    'https://email.us-east-1.amazonaws.com',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://crm.example.com:8443/jobs?x=1',
  ])('allows %s', (url) => {
    expect(providerUrlProblem(url, off)).toBeUndefined();
    expect(providerUrlProblem(url, on)).toBeUndefined();
  });

  it.each([
    ['http://api.twilio.com', /https/],
    ['ftp://example.com/x', /https/],
    ['not a url', /not a URL/],
    ['https://user:pass@example.com', /credentials/],
    // Private, link-local (the metadata service), CGNAT, "this network", multicast, reserved, ULA, IPv6 link-local.
    ['https://10.0.0.5/', /private/],
    ['https://172.16.3.4/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://169.254.169.254/latest/meta-data', /private/],
    ['https://100.64.0.1/', /private/],
    ['https://0.0.0.0/', /private/],
    ['https://224.0.0.1/', /private/],
    ['https://255.255.255.255/', /private/],
    ['https://[fd00::1]/', /private/],
    ['https://[fe80::1]/', /private/],
    ['https://[::]/', /private/],
    ['https://[::ffff:10.0.0.1]/', /private/],
    ['https://[::ffff:169.254.169.254]/', /private/],
  ])('refuses %s in every setting', (url, reason) => {
    expect(providerUrlProblem(url, off)).toMatch(reason);
    expect(providerUrlProblem(url, on)).toMatch(reason);
  });

  it.each([
    'https://127.0.0.1/',
    'http://127.0.0.1:4010/crm',
    'http://localhost:3000',
    'https://LOCALHOST./x',
    'http://api.localhost/',
    'http://[::1]:9000/',
    'http://[::ffff:127.0.0.1]/',
    // Other spellings of 127.0.0.1 that the URL parser normalises.
    'http://0x7f.0.0.1/',
    'http://2130706433/',
    'http://127.1/',
    'http://0177.0.0.1/',
  ])('refuses loopback %s unless the local setting allows it', (url) => {
    expect(providerUrlProblem(url, off)).toMatch(/loopback/);
    expect(providerUrlProblem(url, on)).toBeUndefined();
  });
});

describe('provider URL fields in the schemas', () => {
  const withFlag = <T>(value: string | undefined, run: () => T): T => {
    const before = process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
    if (value === undefined) delete process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
    else process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS = value;
    try {
      return run();
    } finally {
      if (before === undefined) delete process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
      else process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS = before;
    }
  };
  const crm = (apiUrl: string) => CrmSettingsSchema.safeParse({ adapter: 'housecallpro', apiUrl });

  it('reads the setting on every check: loopback is refused without it, allowed with it', () => {
    expect(withFlag(undefined, () => crm('http://127.0.0.1:4010').success)).toBe(false);
    expect(withFlag('1', () => crm('http://127.0.0.1:4010').success)).toBe(true);
    expect(withFlag('1', () => crm('https://169.254.169.254').success)).toBe(false);
  });

  it('names the field', () => {
    const result = withFlag(undefined, () =>
      CrmSettingsSchema.safeParse({ adapter: 'servicetitan', stTenantId: '1', bookingProviderId: '2', authUrl: 'http://localhost:9' }),
    );
    expect(result.error?.issues[0]?.path).toEqual(['authUrl']);
  });

  it('refuses a secretName anywhere a provider is configured, saying where credentials go', () => {
    const hubspot = CrmSettingsSchema.safeParse({ adapter: 'hubspot', secretName: 'other-tenant/crm' });
    expect(hubspot.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['secretName'] });
    expect(hubspot.error?.issues[0]?.message).toContain('PUT /v1/config/credentials/crm');
    const sms = TenantSchema.shape.messaging.safeParse({
      sms: { provider: 'twilio', accountSid: 'AC0123456789', from: '+15125550100', secretName: 'other-tenant/job-events/fsm' },
    });
    expect(sms.error?.issues[0]).toMatchObject({ path: ['sms'], keys: ['secretName'] });
    expect(sms.error?.issues[0]?.message).toContain('PUT /v1/config/credentials/sms');
  });
});

describe('tenantSecretName', () => {
  it('derives <tenant>/<purpose>', () => {
    expect(tenantSecretName('acme-hvac', 'crm')).toBe('acme-hvac/crm');
    expect(tenantSecretName('acme-hvac', 'sms')).toBe('acme-hvac/sms');
    expect(tenantSecretName('acme-hvac', 'job-events/fieldedge')).toBe('acme-hvac/job-events/fieldedge');
  });

  it.each([
    ['acme/other', 'crm'],
    ['..', 'crm'],
    ['Acme', 'crm'],
    ['acme', 'crm/../other'],
    ['acme', 'job-events/../../other/crm'],
    ['acme', 'job-events/'],
    ['acme', 'job-events/a/b'],
    ['acme', 'secrets'],
    ['acme', '__proto__'],
  ])('refuses tenant %s with purpose %s', (tenantId, purpose) => {
    expect(() => tenantSecretName(tenantId, purpose as never)).toThrow();
  });

  it('knows its purposes', () => {
    expect(['crm', 'sms', 'payments', 'job-events/servicetitan'].every(isSecretPurpose)).toBe(true);
    expect(['', 'crm ', 'job-events', 'constructor'].some(isSecretPurpose)).toBe(false);
  });
});
