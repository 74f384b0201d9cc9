/**
 * Issue 11, secrets and the outbox, reproduced through the public API with two tenants:
 * - tenant B could point its SMS settings at tenant A's secret (`messaging.sms.secretName`) and its
 *   own server (`baseUrl`), receive A's job-event signing key, and forge job events that cancel A's
 *   bookings. Now no configuration names a secret (400 naming the field), secrets are set only
 *   through the credentials route (write-only), and B's own key signs nothing for A (401).
 * - provider URLs are https and public; loopback only with the local runtime's explicit setting;
 * - `GET /v1/outbox` needs a scope that reads messages, and exists only where the outbox is used.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../functions/crm/adapters/webhook';
import { getTenantSecret } from '../../functions/shared/secrets';
import { handler as configHandler } from '../../functions/tenant/config.handler';
import { getTenant } from '../../functions/tenant/store';
import { bookingRequest, callApi, createTestTenant, nextWeekday, setCredential, type TestTenant } from './helpers';

let a: TestTenant;
let b: TestTenant;
let aBookingId: string;

async function keyWith(tenant: TestTenant, scopes: string[]): Promise<TestTenant> {
  const created = await tenant.call('POST', '/v1/keys', { name: `${scopes.join('+')} key`, scopes });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const apiKey = created.body.apiKey as string;
  return {
    ...tenant,
    apiKey,
    call: (method, path, body, headers = {}) => callApi(method, path, { body, headers: { authorization: `Bearer ${apiKey}`, ...headers } }),
  };
}

/** B's company settings as its admin would send them, with `messaging` replaced. */
async function companyWith(tenant: TestTenant, messaging: Record<string, unknown>): Promise<Record<string, unknown>> {
  const current = await tenant.call('GET', '/v1/config/company');
  expect(current.status).toBe(200);
  return { ...current.body, messaging: { templates: {}, ...messaging } };
}

const twilioSms = { provider: 'twilio', accountSid: 'AC0123456789abcdef', from: '+15125550100' } as const;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  const booked = await a.call('POST', '/v1/bookings', bookingRequest({ window: { date: nextWeekday(2, 3), start: '10:00' } }));
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  aBookingId = booked.body.bookingId;
  await setCredential(a, 'job-events/fieldedge', { signingKey: 'whsec_tenant_a_fieldedge_key' });
});

describe('a tenant never names a secret', () => {
  it("B cannot point its SMS settings at A's secret: secretName is refused with 400 naming the field", async () => {
    const before = (await getTenant(b.tenantId))!.messaging;
    for (const secretName of [`${a.tenantId}/job-events/fieldedge`, `${a.tenantId}/crm`, `${a.tenantId}/sms`, 'anything']) {
      const body = await companyWith(b, { sms: { ...twilioSms, secretName, baseUrl: 'https://attacker.example' }, email: { provider: 'outbox' } });
      const response = await b.call('PUT', '/v1/config/company', body);
      expect(response.status, secretName).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_request', field: 'messaging.sms.secretName' });
      expect(response.body.error.message).toContain('PUT /v1/config/credentials/sms');
    }
    expect((await getTenant(b.tenantId))!.messaging).toEqual(before);
  });

  it('B cannot configure a CRM through the company form either: a crm sent there is not stored', async () => {
    const body = {
      ...(await companyWith(b, { sms: { provider: 'outbox' }, email: { provider: 'outbox' } })),
      crm: { adapter: 'webhook', url: 'https://attacker.example', secretName: `${a.tenantId}/crm` },
    };
    const response = await b.call('PUT', '/v1/config/company', body);
    expect(response.status).toBeLessThan(500);
    expect((await getTenant(b.tenantId))!.crm).toEqual({ adapter: 'builtin' });
  });

  it("B's forged job event for A's booking, signed with B's own key, is refused (401) and A's booking stays as it was", async () => {
    await setCredential(b, 'job-events/fieldedge', { signingKey: 'whsec_tenant_b_own_fieldedge' });
    const before = (await a.call('GET', `/v1/bookings/${aBookingId}`)).body;
    const body = JSON.stringify({
      jobId: aBookingId,
      eventId: 'forged-1',
      type: 'cancelled',
      occurredAt: new Date().toISOString(),
      data: { reason: 'forged' },
    });
    const ts = Math.floor(Date.now() / 1000);
    const post = (tenantId: string) =>
      callApi('POST', `/v1/webhooks/fieldedge/job-events?tenant=${tenantId}`, {
        rawBody: body,
        headers: { 'x-jobrelay-timestamp': String(ts), 'x-jobrelay-signature': signWebhook('whsec_tenant_b_own_fieldedge', ts, body) },
      });
    expect((await post(a.tenantId)).status).toBe(401);
    // Under its own tenant B's signature is good, and A's booking is simply not B's.
    expect((await post(b.tenantId)).status).toBe(404);
    const after = (await a.call('GET', `/v1/bookings/${aBookingId}`)).body;
    expect(after.status).toBe(before.status);
    expect(after.status).not.toBe('cancelled');
  });
});

describe('the credentials route', () => {
  it('writes the secret under the derived name and never returns it', async () => {
    const token = 'twilio-auth-token-of-b-0123456789';
    const set = await b.call('PUT', '/v1/config/credentials/sms', { provider: 'twilio', authToken: token });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ purpose: 'sms', provider: 'twilio', updatedAt: expect.any(String) });
    expect(JSON.stringify(set.body)).not.toContain(token);
    expect(await getTenantSecret(b.tenantId, 'sms')).toBe(token);

    const listed = await b.call('GET', '/v1/config/credentials');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { purpose: string }) => i.purpose).sort()).toEqual(['job-events/fieldedge', 'sms']);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    // A's list is A's own.
    expect((await a.call('GET', '/v1/config/credentials')).body.items.map((i: { purpose: string }) => i.purpose)).toEqual(['job-events/fieldedge']);
  });

  it('refuses bad bodies and purposes with a 400 naming the field', async () => {
    const short = await b.call('PUT', '/v1/config/credentials/job-events/fieldedge', { signingKey: 'short' });
    expect(short.body.error).toMatchObject({ code: 'invalid_request', field: 'signingKey' });
    const unknown = await b.call('PUT', '/v1/config/credentials/secrets', { value: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('path.purpose');
    const extra = await b.call('PUT', '/v1/config/credentials/sms', { provider: 'twilio', authToken: 'long-enough-token', secretName: `${a.tenantId}/sms` });
    expect(extra.body.error).toMatchObject({ code: 'invalid_request', field: 'secretName' });
    const provider = await b.call('PUT', '/v1/config/credentials/job-events/..%2Fcrm', { signingKey: 'whsec_0123456789abcdef' });
    expect(provider.status).toBe(400);
  });

  it("refuses a CRM credential for another adapter than the account's CRM", async () => {
    const hubspot = await createTestTenant({
      crm: {
        adapter: 'hubspot',
        apiUrl: 'https://api.hubapi.com',
        pipelineId: 'default',
        dealStageIds: {},
        contactIdProperty: 'jobrelay_customer_id',
        dealIdProperty: 'jobrelay_booking_id',
        timeoutMs: 2_000,
      },
    });
    const wrong = await hubspot.call('PUT', '/v1/config/credentials/crm', { adapter: 'housecallpro', apiKey: 'hcp-key-0123456789' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('adapter');
    expect((await hubspot.call('PUT', '/v1/config/credentials/crm', { adapter: 'hubspot', accessToken: 'pat-na1-0123456789' })).status).toBe(200);
  });

  it('is for admins of the tenant only', async () => {
    const bookings = await keyWith(b, ['bookings', 'review', 'reports']);
    expect((await bookings.call('PUT', '/v1/config/credentials/sms', { provider: 'twilio', authToken: 'not-allowed-token' })).status).toBe(403);
    expect((await bookings.call('GET', '/v1/config/credentials')).status).toBe(403);
    // An admin of B cannot act for A.
    const acting = await b.call('PUT', `/v1/config/credentials/job-events/fieldedge?tenantId=${a.tenantId}`, { signingKey: 'whsec_b_overwrites_a_key' });
    expect(acting.status).toBe(403);
    expect(await getTenantSecret(a.tenantId, 'job-events/fieldedge')).toBe('whsec_tenant_a_fieldedge_key');
  });
});

describe('provider URLs', () => {
  it.each([
    ['messaging.sms.baseUrl', { sms: { ...twilioSms, baseUrl: 'https://169.254.169.254/latest' }, email: { provider: 'outbox' } }],
    ['messaging.sms.baseUrl', { sms: { ...twilioSms, baseUrl: 'https://10.0.0.7' }, email: { provider: 'outbox' } }],
    ['messaging.sms.baseUrl', { sms: { ...twilioSms, baseUrl: 'http://api.twilio.example' }, email: { provider: 'outbox' } }],
    ['messaging.email.endpoint', { sms: { provider: 'outbox' }, email: { provider: 'ses', from: 'x@lonestar.example', endpoint: 'https://[fd00::5]' } }],
  ])('%s: private or plain-http addresses are a 400 naming the field, even locally', async (field, messaging) => {
    const response = await b.call('PUT', '/v1/config/company', await companyWith(b, messaging));
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe(field);
  });

  it('a loopback URL is a 400 naming the field without the local setting, and allowed with it (read per call)', async () => {
    const body = await companyWith(b, { sms: { ...twilioSms, baseUrl: 'http://127.0.0.1:9' }, email: { provider: 'outbox' } });
    // The handler itself, in this process, so the test decides the setting (the system's process has it on).
    const put = async (setting: string | undefined) => {
      const before = process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
      if (setting === undefined) delete process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
      else process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS = setting;
      try {
        const event = {
          version: '2.0',
          routeKey: 'PUT /v1/config/company',
          rawPath: '/v1/config/company',
          rawQueryString: '',
          headers: { authorization: `Bearer ${b.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          isBase64Encoded: false,
          requestContext: { http: { method: 'PUT', path: '/v1/config/company' }, routeKey: 'PUT /v1/config/company', domainName: 'localhost' },
        } as unknown as APIGatewayProxyEventV2;
        const result = (await configHandler(event, {} as Context)) as { statusCode: number; body: string };
        return { status: result.statusCode, body: JSON.parse(result.body) };
      } finally {
        if (before === undefined) delete process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS;
        else process.env.JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS = before;
      }
    };
    const off = await put(undefined);
    expect(off.status).toBe(400);
    expect(off.body.error).toMatchObject({ field: 'messaging.sms.baseUrl', message: expect.stringContaining('loopback') });
    expect((await put('1')).status).toBe(200);
    // Back to the outbox for the outbox tests below.
    expect((await b.call('PUT', '/v1/config/company', await companyWith(b, { sms: { provider: 'outbox' }, email: { provider: 'outbox' } }))).status).toBe(200);
  });
});

describe('GET /v1/outbox', () => {
  it('needs a scope that reads messages: a reports-only key gets 403', async () => {
    const reports = await keyWith(a, ['reports']);
    const refused = await reports.call('GET', '/v1/outbox');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('+1512');
    expect((await (await keyWith(a, ['bookings'])).call('GET', '/v1/outbox')).status).toBe(200);
    expect((await (await keyWith(a, ['review'])).call('GET', '/v1/outbox')).status).toBe(200);
  });

  it('exists only where the outbox provider is in use: 404 when SMS and email both go through providers', async () => {
    const real = await createTestTenant({
      messaging: { sms: { ...twilioSms, provider: 'twilio' }, email: { provider: 'ses', from: 'dispatch@lonestar.example' }, templates: {} },
    });
    const response = await real.call('GET', '/v1/outbox');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    const half = await createTestTenant({ messaging: { sms: { ...twilioSms, provider: 'twilio' }, email: { provider: 'outbox' }, templates: {} } });
    expect((await half.call('GET', '/v1/outbox')).status).toBe(200);
  });
});
