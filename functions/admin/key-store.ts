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
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: adminKeys.apiKey(hashApiKey(apiKey)) }));
  if (!Item) return undefined;
  return {
    tenantId: Item.tenantId,
    keyId: Item.keyId,
    ...(typeof Item.keyName === 'string' ? { keyName: Item.keyName } : {}),
    scopes: Item.scopes ?? [],
    revoked: Boolean(Item.revoked),
  };
}
