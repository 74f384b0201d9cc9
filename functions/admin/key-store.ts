/**
 * How a request's API key resolves to its tenant (shared/http.ts, on every authenticated request):
 * the `APIKEY#<sha256>` row, the one key not led by the tenant, because the key is how we learn the
 * tenant. Apart from admin/store.ts (which writes keys with tenants) so that every route's bundle
 * loads only this lookup, not the tenant model and the admin schemas (~60 ms of init, issue 19).
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** What a request's key resolves to (shared/http.ts). */
export interface ApiKeyRecord {
  tenantId: string;
  keyId: string;
  /** The name its admin gave it; keys issued before names were kept here have none. */
  keyName?: string;
  scopes: string[];
  revoked: boolean;
}

export const adminKeys = {
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  keyListEntry: (tenantId: string, keyId: string) => ({ pk: `T#${tenantId}`, sk: `KEY#${keyId}` }),
  keyListPrefix: 'KEY#',
};

export async function findApiKey(apiKey: string): Promise<ApiKeyRecord | undefined> {
  const keyHash = hashApiKey(apiKey);
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: adminKeys.apiKey(keyHash) }));
  const record: ApiKeyRecord | undefined = Item
    ? {
        tenantId: Item.tenantId,
        keyId: Item.keyId,
        ...(typeof Item.keyName === 'string' ? { keyName: Item.keyName } : {}),
        scopes: Item.scopes ?? [],
        revoked: Boolean(Item.revoked),
      }
    : undefined;
  if (record && !record.revoked) remember(keyHash, record);
  else recent.delete(keyHash);
  return record;
}

/**
 * Keys this container found live lately: at most RECENT_KEYS, each for RECENT_KEY_MS. Only for a
 * route whose first write is conditional on the key still being live (apiKeyLiveCheck; shared/http.ts
 * `verifiesKey`, POST /v1/bookings through its admission places): a revoked key is refused there as
 * it is by a read, and nothing is done with it first. Every other route reads the key on every request.
 * What a key resolves to (tenant, id, name, scopes) never changes; only `revoked` does.
 */
export const RECENT_KEY_MS = 300_000;
const RECENT_KEYS = 256;
const recent = new Map<string, { record: ApiKeyRecord; at: number }>();

function remember(keyHash: string, record: ApiKeyRecord): void {
  recent.delete(keyHash);
  recent.set(keyHash, { record, at: Date.now() });
  // The oldest first out (a Map keeps insertion order).
  if (recent.size > RECENT_KEYS) recent.delete(recent.keys().next().value!);
}

/** The key as this container found it live within RECENT_KEY_MS, not read again; undefined otherwise. */
export function recentApiKey(apiKey: string): { record: ApiKeyRecord; keyHash: string } | undefined {
  const keyHash = hashApiKey(apiKey);
  const seen = recent.get(keyHash);
  if (!seen || Date.now() - seen.at > RECENT_KEY_MS) return undefined;
  return { record: seen.record, keyHash };
}

/** A TransactWriteItems item that holds only while the key exists and is not revoked. */
export function apiKeyLiveCheck(keyHash: string) {
  return {
    ConditionCheck: {
      TableName: config.tableName,
      Key: adminKeys.apiKey(keyHash),
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(revoked) OR revoked = :false)',
      ExpressionAttributeValues: { ':false': false },
    },
  };
}
