/**
 * API keys and tenant creation: the one module that writes API key items. A key is two rows written together:
 * - `APIKEY#<sha256>`: how a request's key resolves to a tenant (findApiKey), the one key not led by
 *   the tenant, because the key is how we learn the tenant;
 * - `T#<tenant>` / `KEY#<keyId>`: the tenant's list of its keys (name, scopes, hash, state), so keys
 *   can be listed, rotated and revoked without ever storing or showing a secret again.
 * Keys issued before this list existed still work but are not listed.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { TenantSchema, type Tenant, type TenantInput } from '../tenant/model';
import { tenantConfigItem } from '../tenant/store';
import { PLATFORM_TENANT_ID } from './platform';
import type { ApiKeySummarySchema } from './schemas';
import type * as z from '../shared/zod';
import { queryPrefix, sendConditional } from '../shared/dynamo';
import { adminKeys, findApiKey, hashApiKey } from './key-store';

// The lookup of a request's key lives in key-store.ts (every route loads it); its names stay importable from here.
export { adminKeys, findApiKey, hashApiKey, type ApiKeyRecord } from './key-store';

export function newApiKey(): string {
  return `jr_${randomBytes(24).toString('base64url')}`;
}

/** A key as its tenant sees it (never its secret): the schema is the API's (admin/schemas.ts). */
export type ApiKeySummary = z.infer<typeof ApiKeySummarySchema>;

const hintOf = (apiKey: string) => `${apiKey.slice(0, 7)}…`;

function toSummary(item: Record<string, any>): ApiKeySummary {
  return {
    keyId: item.keyId,
    name: item.name,
    scopes: item.scopes ?? [],
    hint: item.hint,
    createdAt: item.createdAt,
    ...(item.createdBy ? { createdBy: item.createdBy } : {}),
    ...(item.rotatedAt ? { rotatedAt: item.rotatedAt } : {}),
    revoked: Boolean(item.revoked),
    ...(item.revokedAt ? { revokedAt: item.revokedAt } : {}),
  };
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

function keyWrites(tenantId: string, apiKey: string, summary: ApiKeySummary): TransactItem[] {
  const keyHash = hashApiKey(apiKey);
  return [
    {
      Put: {
        TableName: config.tableName,
        Item: {
          ...adminKeys.apiKey(keyHash),
          type: 'ApiKey',
          tenantId,
          keyId: summary.keyId,
          keyName: summary.name,
          scopes: summary.scopes,
          revoked: false,
          createdAt: summary.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: config.tableName,
        Item: { ...adminKeys.keyListEntry(tenantId, summary.keyId), type: 'ApiKeyListEntry', tenantId, keyHash, ...summary },
      },
    },
  ];
}

/** A new key (the secret is returned here once and never again; only its SHA-256 is stored). */
export async function issueApiKey(
  tenantId: string,
  options: { name: string; scopes: string[]; createdBy?: string },
  at: Date = new Date(),
): Promise<{ apiKey: string; key: ApiKeySummary }> {
  const apiKey = newApiKey();
  const key: ApiKeySummary = {
    keyId: ulid(at.getTime()),
    name: options.name,
    scopes: [...new Set(options.scopes)],
    hint: hintOf(apiKey),
    createdAt: at.toISOString(),
    ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    revoked: false,
  };
  await documentClient().send(new TransactWriteCommand({ TransactItems: keyWrites(tenantId, apiKey, key) }));
  return { apiKey, key };
}

export async function listApiKeys(tenantId: string): Promise<ApiKeySummary[]> {
  return (await queryPrefix(`T#${tenantId}`, adminKeys.keyListPrefix)).map(toSummary);
}

/** One of the tenant's keys (never its secret); undefined when the tenant has no such key. */
export async function getApiKey(tenantId: string, keyId: string): Promise<ApiKeySummary | undefined> {
  const entry = await keyEntry(tenantId, keyId);
  return entry ? toSummary(entry) : undefined;
}

async function keyEntry(tenantId: string, keyId: string): Promise<Record<string, any> | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: config.tableName, Key: adminKeys.keyListEntry(tenantId, keyId), ConsistentRead: true }),
  );
  return Item;
}

/** The key stops working at once. Undefined when the tenant has no such key; revoking twice is a no-op. */
export async function revokeApiKey(tenantId: string, keyId: string, at: Date = new Date()): Promise<ApiKeySummary | undefined> {
  const entry = await keyEntry(tenantId, keyId);
  if (!entry) return undefined;
  if (entry.revoked) return toSummary(entry);
  const revokedAt = at.toISOString();
  await documentClient().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: config.tableName,
            Key: adminKeys.apiKey(entry.keyHash),
            UpdateExpression: 'SET revoked = :true, revokedAt = :at',
            ExpressionAttributeValues: { ':true': true, ':at': revokedAt },
          },
        },
        {
          Update: {
            TableName: config.tableName,
            Key: adminKeys.keyListEntry(tenantId, keyId),
            UpdateExpression: 'SET revoked = :true, revokedAt = :at',
            ExpressionAttributeValues: { ':true': true, ':at': revokedAt },
          },
        },
      ],
    }),
  );
  return toSummary({ ...entry, revoked: true, revokedAt });
}

/**
 * Rotation: the same key (id, name, scopes) gets a new secret; the old secret stops working in the
 * same transaction. Undefined when there is no such key; `conflict` when it is revoked or another
 * rotation won the race.
 */
export async function rotateApiKey(
  tenantId: string,
  keyId: string,
  at: Date = new Date(),
): Promise<{ apiKey: string; key: ApiKeySummary } | undefined | 'conflict'> {
  const entry = await keyEntry(tenantId, keyId);
  if (!entry) return undefined;
  if (entry.revoked) return 'conflict';
  const apiKey = newApiKey();
  const newHash = hashApiKey(apiKey);
  const rotatedAt = at.toISOString();
  const applied = await sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: config.tableName,
            Item: {
              ...adminKeys.apiKey(newHash),
              type: 'ApiKey',
              tenantId,
              keyId,
              keyName: entry.name,
              scopes: entry.scopes,
              revoked: false,
              createdAt: rotatedAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: config.tableName,
            Key: adminKeys.apiKey(entry.keyHash),
            UpdateExpression: 'SET revoked = :true, revokedAt = :at',
            ExpressionAttributeValues: { ':true': true, ':at': rotatedAt },
          },
        },
        {
          Update: {
            TableName: config.tableName,
            Key: adminKeys.keyListEntry(tenantId, keyId),
            UpdateExpression: 'SET keyHash = :new, hint = :hint, rotatedAt = :at',
            ConditionExpression: 'keyHash = :old AND revoked = :false',
            ExpressionAttributeValues: { ':new': newHash, ':old': entry.keyHash, ':hint': hintOf(apiKey), ':at': rotatedAt, ':false': false },
          },
        },
      ],
    }),
  );
  if (!applied) return 'conflict';
  return { apiKey, key: toSummary({ ...entry, hint: hintOf(apiKey), rotatedAt }) };
}

/**
 * A new tenant and its first admin key, together or not at all. `conflict` when the id is taken.
 * The config row is tenant/store.ts's item (tenantConfigItem).
 */
export async function createTenantWithAdminKey(
  input: TenantInput,
  createdBy: string,
  at: Date = new Date(),
): Promise<{ tenant: Tenant; apiKey: string; key: ApiKeySummary } | 'conflict'> {
  const tenant = TenantSchema.parse(input);
  const apiKey = newApiKey();
  const key: ApiKeySummary = {
    keyId: ulid(at.getTime()),
    name: 'First admin key',
    scopes: ['admin', 'bookings', 'review', 'reports'],
    hint: hintOf(apiKey),
    createdAt: at.toISOString(),
    createdBy,
    revoked: false,
  };
  const applied = await sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: config.tableName,
            Item: tenantConfigItem(tenant, { createdAt: at.toISOString() }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...keyWrites(tenant.tenantId, apiKey, key),
      ],
    }),
  );
  if (!applied) return 'conflict';
  return { tenant, apiKey, key };
}

export { PLATFORM_TENANT_ID } from './platform';

/**
 * Bootstrap: a platform key is needed to create the first tenant over the API, so the first one is
 * issued here (locally by `npm start`; in AWS by an operator with table access). Reuses `existing`
 * while it still resolves to an unrevoked platform key.
 */
export async function ensurePlatformKey(existing?: string): Promise<string> {
  if (existing) {
    const record = await findApiKey(existing);
    if (record && !record.revoked && record.scopes.includes('platform')) return existing;
  }
  return (await issueApiKey(PLATFORM_TENANT_ID, { name: 'Platform operator', scopes: ['platform'], createdBy: 'bootstrap' })).apiKey;
}
