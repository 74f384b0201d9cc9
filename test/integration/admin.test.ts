/**
 * Tenant administration: a platform key creates tenants (with a first admin key, shown once);
 * an admin key lists, creates, rotates and revokes its tenant's keys; every route checks scope;
 * only hashes are stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { issueApiKey } from '../../functions/admin/store';
import { hashApiKey } from '../../functions/admin/store';
import { callApi, createTestTenant, itemsWithPrefix, partitionItems, type TestTenant } from './helpers';

const as = (apiKey: string) => ({
  call: (method: string, path: string, body?: unknown) => callApi(method, path, { body, headers: { authorization: `Bearer ${apiKey}` } }),
});

let platformKey: string;

beforeAll(async () => {
  platformKey = (await issueApiKey('platform', { name: 'agency operator', scopes: ['platform'] })).apiKey;
});

describe('POST /v1/tenants', () => {
  it('creates a tenant with its first admin key, once; the key works and is stored hashed', async () => {
    const tenantId = `acme-${ulid().toLowerCase().slice(-8)}`;
    const created = await as(platformKey).call('POST', '/v1/tenants', { tenantId, name: 'Acme Heating & Air', timeZone: 'America/Denver' });
    expect(created.status).toBe(201);
    expect(created.body.tenant).toEqual({ tenantId, name: 'Acme Heating & Air', timeZone: 'America/Denver' });
    expect(created.body.apiKey).toMatch(/^jr_/);
    expect(created.body.key.scopes).toEqual(['admin', 'bookings', 'review', 'reports']);

    const me = await as(created.body.apiKey).call('GET', '/v1/me');
    expect(me.body).toMatchObject({ tenantId, tenantName: 'Acme Heating & Air', timeZone: 'America/Denver', keyId: created.body.key.keyId });

    const again = await as(platformKey).call('POST', '/v1/tenants', { tenantId, name: 'Someone else', timeZone: 'America/Chicago' });
    expect(again.status).toBe(409);

    // Only the hash is stored, never the key.
    const rows = [...(await itemsWithPrefix(`T#${tenantId}`)), ...(await partitionItems(`APIKEY#${hashApiKey(created.body.apiKey)}`))];
    expect(JSON.stringify(rows)).not.toContain(created.body.apiKey);
    expect(rows.some((r) => r.pk === `APIKEY#${hashApiKey(created.body.apiKey)}`)).toBe(true);
  });

  it('refuses a tenant admin key, and bad input names the field', async () => {
    const tenant = await createTestTenant();
    const refused = await tenant.call('POST', '/v1/tenants', { tenantId: 'sneaky-co', name: 'Sneaky', timeZone: 'America/Chicago' });
    expect(refused.status).toBe(403);
    const bad = await as(platformKey).call('POST', '/v1/tenants', { tenantId: 'ok-id', name: 'X', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('timeZone');
  });

  it('refuses a company outside the +1 countries, whose callers it could not recognise, at setup and in settings', async () => {
    const abroad = await as(platformKey).call('POST', '/v1/tenants', {
      tenantId: `uk-${ulid().toLowerCase().slice(-8)}`,
      name: 'London Plumbing',
      timeZone: 'Europe/London',
      country: 'GB',
    });
    expect(abroad.status).toBe(400);
    expect(abroad.body.error.field).toBe('country');
    expect(abroad.body.error.message).toContain('+1');

    const tenant = await createTestTenant();
    const { tenantId: _t, warnings: _w, ...settings } = (await tenant.call('GET', '/v1/config/company')).body;
    const moved = await tenant.call('PUT', '/v1/config/company', { ...settings, country: 'GB' });
    expect(moved.status).toBe(400);
    expect(moved.body.error.field).toBe('country');
    const canada = await tenant.call('PUT', '/v1/config/company', { ...settings, country: 'CA' });
    expect(canada.status).toBe(200);
  });
});

describe('API keys', () => {
  let admin: ReturnType<typeof as>;
  let tenantId: string;

  beforeAll(async () => {
    tenantId = `keys-${ulid().toLowerCase().slice(-8)}`;
    const created = await as(platformKey).call('POST', '/v1/tenants', { tenantId, name: 'Keys Co', timeZone: 'America/Chicago' });
    admin = as(created.body.apiKey);
  });

  it('creates a key shown once, lists keys without secrets', async () => {
    const issued = await admin.call('POST', '/v1/keys', { name: 'Voice agent', scopes: ['bookings'] });
    expect(issued.status).toBe(201);
    expect(issued.body.apiKey).toMatch(/^jr_/);
    const list = await admin.call('GET', '/v1/keys');
    expect(list.status).toBe(200);
    expect(list.body.keys.map((k: any) => k.name).sort()).toEqual(['First admin key', 'Voice agent']);
    expect(JSON.stringify(list.body)).not.toContain(issued.body.apiKey);
    const voice = list.body.keys.find((k: any) => k.name === 'Voice agent');
    expect(voice).toMatchObject({ scopes: ['bookings'], revoked: false, hint: issued.body.apiKey.slice(0, 7) + '…' });
    expect(voice).not.toHaveProperty('keyHash');

    // The bot key books but cannot administer.
    expect((await as(issued.body.apiKey).call('GET', '/v1/keys')).status).toBe(403);
    expect((await as(issued.body.apiKey).call('GET', '/v1/review-items')).status).toBe(403);
  });

  it('never grants more than the caller has', async () => {
    const response = await admin.call('POST', '/v1/keys', { name: 'escalate', scopes: ['platform'] });
    expect(response.status).toBe(403);
    expect(response.body.error.field).toBe('scopes');
    const unknown = await admin.call('POST', '/v1/keys', { name: 'x', scopes: ['root'] });
    expect(unknown.status).toBe(400);
  });

  it('rotates: the new secret works, the old one is 401 at once', async () => {
    const issued = await admin.call('POST', '/v1/keys', { name: 'Chat widget', scopes: ['bookings'] });
    const rotated = await admin.call('POST', `/v1/keys/${issued.body.key.keyId}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.apiKey).not.toBe(issued.body.apiKey);
    expect(rotated.body.key).toMatchObject({ keyId: issued.body.key.keyId, name: 'Chat widget', scopes: ['bookings'] });
    expect((await as(issued.body.apiKey).call('GET', '/v1/me')).status).toBe(401);
    expect((await as(rotated.body.apiKey).call('GET', '/v1/me')).body.keyId).toBe(issued.body.key.keyId);
  });

  it('revokes: the key stops working; a revoked key cannot be rotated back', async () => {
    const issued = await admin.call('POST', '/v1/keys', { name: 'Old CSR tool', scopes: ['bookings', 'review'] });
    expect((await as(issued.body.apiKey).call('GET', '/v1/me')).status).toBe(200);
    const revoked = await admin.call('POST', `/v1/keys/${issued.body.key.keyId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key).toMatchObject({ revoked: true });
    expect((await as(issued.body.apiKey).call('GET', '/v1/me')).status).toBe(401);
    expect((await admin.call('POST', `/v1/keys/${issued.body.key.keyId}/rotate`)).status).toBe(409);
  });

  it("cannot touch another tenant's keys; a platform key can", async () => {
    const other: TestTenant = await createTestTenant();
    const theirs = await issueApiKey(other.tenantId, { name: 'theirs', scopes: ['bookings'] });
    expect((await admin.call('POST', `/v1/keys/${theirs.key.keyId}/revoke`)).status).toBe(404);
    expect((await admin.call('GET', `/v1/keys?tenantId=${other.tenantId}`)).status).toBe(403);
    const listed = await as(platformKey).call('GET', `/v1/keys?tenantId=${other.tenantId}`);
    // Their first key (issued with the tenant) and the one issued here; none of ours.
    expect(listed.body.keys.map((k: any) => k.keyId)).toContain(theirs.key.keyId);
    expect(listed.body.keys).toHaveLength(2);
    const revoked = await as(platformKey).call('POST', `/v1/keys/${theirs.key.keyId}/revoke?tenantId=${other.tenantId}`);
    expect(revoked.status).toBe(200);
    expect((await as(theirs.apiKey).call('GET', '/v1/me')).status).toBe(401);
  });
});
