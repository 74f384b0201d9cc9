/**
 * Jobber's rotating OAuth tokens, one item per tenant: `T#<tenant>#CRMTOKEN` / `jobber`.
 * Why not the secret: Jobber rotates the refresh token on every refresh and (for apps created after
 * 2024-01-02) invalidates the previous one at once (developer.getjobber.com "Refresh Token
 * Rotation"). Every function that writes to the CRM refreshes; writing the secret back would give
 * all of them PutSecretValue, and a container still holding the old secret in its 5-minute cache
 * would refresh with a dead token and lock the account out. So the owner's credential (client id,
 * client secret, the refresh token from the install) stays write-only in the tenant's `crm` secret,
 * and the rotation state lives here: written with a compare-and-swap on `version`, so of two
 * concurrent refreshes one wins and the other reads the winner's tokens. `seed` is a hash of the
 * secret's refresh token: a new credential from the owner starts a new rotation (the old state is
 * ignored). Values are never logged nor returned by the API.
 */
import { createHash } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../shared/config';
import { getItem, sendConditional } from '../../shared/dynamo';

export const jobberTokenKeys = {
  tokens: (tenantId: string) => ({ pk: `T#${tenantId}#CRMTOKEN`, sk: 'jobber' }),
  /** The Jobber account the tenant's credentials reach (webhooks of any other account are refused). */
  account: (tenantId: string) => ({ pk: `T#${tenantId}#CRMTOKEN`, sk: 'jobber#account' }),
};

export interface JobberTokenState {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms the access token stops working. */
  expiresAt: number;
  /** Hash of the owner's refresh token this rotation started from. */
  seed: string;
  version: number;
  /** When Jobber refused this rotation's refresh token (ISO): nothing is refreshed until the owner reconnects. */
  refusedAt?: string;
}

/** A short hash of the owner's refresh token (never the token itself). */
export function tokenSeed(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex').slice(0, 32);
}

export async function readJobberTokens(tenantId: string): Promise<JobberTokenState | undefined> {
  const item = await getItem(jobberTokenKeys.tokens(tenantId), { consistent: true });
  if (!item) return undefined;
  return {
    accessToken: String(item.accessToken),
    refreshToken: String(item.refreshToken),
    expiresAt: Number(item.expiresAt),
    seed: String(item.seed),
    version: Number(item.version),
    ...(item.refusedAt ? { refusedAt: String(item.refusedAt) } : {}),
  };
}

/**
 * Stores a new token pair if the item is still at `previousVersion` (undefined: absent, or from
 * another seed). False when another refresh got there first.
 */
export async function saveJobberTokens(tenantId: string, state: Omit<JobberTokenState, 'version'>, previous?: JobberTokenState): Promise<boolean> {
  const sameSeed = previous && previous.seed === state.seed;
  return sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...jobberTokenKeys.tokens(tenantId), type: 'JobberTokens', ...state, version: sameSeed ? previous.version + 1 : 1 },
      ...(sameSeed
        ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': previous.version } }
        : previous
          ? { ConditionExpression: 'seed <> :seed', ExpressionAttributeValues: { ':seed': state.seed } }
          : { ConditionExpression: 'attribute_not_exists(pk) OR seed <> :seed', ExpressionAttributeValues: { ':seed': state.seed } }),
    }),
  );
}

/**
 * Jobber refused the refresh token of this rotation (`previous`, or the owner's own when none is
 * stored for this seed): marked on the tokens item, so no function refreshes with it again until a
 * new credential (another seed) replaces the item. True for the one call that marked it (it reports
 * it, once); false when it was marked already or the rotation moved on meanwhile (another refresh
 * stored newer tokens).
 */
export async function markJobberRefused(tenantId: string, seed: string, previous: JobberTokenState | undefined, at: Date): Promise<boolean> {
  const sameSeed = previous && previous.seed === seed;
  return sendConditional(
    sameSeed
      ? new UpdateCommand({
          TableName: config.tableName,
          Key: jobberTokenKeys.tokens(tenantId),
          UpdateExpression: 'SET refusedAt = :at',
          ConditionExpression: 'seed = :seed AND version = :version AND attribute_not_exists(refusedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':seed': seed, ':version': previous.version },
        })
      : new PutCommand({
          TableName: config.tableName,
          Item: {
            ...jobberTokenKeys.tokens(tenantId),
            type: 'JobberTokens',
            accessToken: '',
            refreshToken: '',
            expiresAt: 0,
            seed,
            version: 0,
            refusedAt: at.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR seed <> :seed',
          ExpressionAttributeValues: { ':seed': seed },
        }),
  );
}

/**
 * The Jobber account id the tenant's connection reaches, as learnt from Jobber (`account { id }`),
 * for the refresh token it was learnt with (`seed`): a reconnection with another token (maybe another
 * account) learns it again. Undefined when not known for this seed.
 */
export async function readJobberAccountId(tenantId: string, seed: string): Promise<string | undefined> {
  const item = await getItem(jobberTokenKeys.account(tenantId), { consistent: true });
  return item && item.seed === seed ? String(item.accountId) : undefined;
}

export async function saveJobberAccountId(tenantId: string, seed: string, accountId: string): Promise<void> {
  await sendConditional(
    new PutCommand({ TableName: config.tableName, Item: { ...jobberTokenKeys.account(tenantId), type: 'JobberAccount', seed, accountId } }),
  );
}
