/**
 * Tenant secrets (CRM credentials, the Twilio Auth Token, webhook signing keys). A tenant never names
 * a secret: its name is derived here, and only here, from the tenant id and the secret's purpose
 * (`<tenant>/crm`, `<tenant>/sms`, `<tenant>/job-events/<provider>`), so no configuration can point
 * at another tenant's secret. In AWS: Secrets Manager under `jobrelay/<tenant>/<purpose>` (read
 * through Powertools' cached provider, written with PutSecretValue/CreateSecret). Locally: a
 * git-ignored JSON file named by JOBRELAY_LOCAL_SECRETS_FILE (there is no Secrets Manager to run
 * locally), keyed by the same derived names. Values are never logged nor returned by the API.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { secretsManagerClient } from './clients';

export const SECRET_PREFIX = 'jobrelay/';

/** Purposes with one secret per tenant. */
/** `vapi`: the Vapi server URL secret (X-Vapi-Secret); `retell`: the Retell API key that signs custom function calls (X-Retell-Signature). */
export const SINGLE_SECRET_PURPOSES = ['crm', 'sms', 'payments', 'vapi', 'retell'] as const;
/** A field service system's name as it appears in webhook paths (`/v1/webhooks/<provider>/job-events`). */
export const PROVIDER_ID = /^[a-z0-9-]{2,40}$/;
const TENANT_ID = /^[a-z0-9-]{3,40}$/;

/** What a secret is for: the tenant's CRM, its SMS provider, payments, or one FSM's job-event signing key. */
export type SecretPurpose = (typeof SINGLE_SECRET_PURPOSES)[number] | `job-events/${string}`;

/** The job-event signing key's purpose for an FSM provider. */
export function jobEventsPurpose(provider: string): SecretPurpose {
  return `job-events/${provider}`;
}

export function isSecretPurpose(value: string): value is SecretPurpose {
  if ((SINGLE_SECRET_PURPOSES as readonly string[]).includes(value)) return true;
  const [kind, provider, ...rest] = value.split('/');
  return kind === 'job-events' && rest.length === 0 && PROVIDER_ID.test(provider ?? '');
}

/**
 * The one place a secret's name is made. Throws on anything but a tenant id and a known purpose, so
 * a name can never climb out of the tenant's own `<tenant>/` space.
 */
export function tenantSecretName(tenantId: string, purpose: SecretPurpose): string {
  if (!TENANT_ID.test(tenantId)) throw new Error('A secret belongs to a tenant: the tenant id is malformed');
  if (!isSecretPurpose(purpose)) throw new Error('Unknown secret purpose');
  return `${tenantId}/${purpose}`;
}

/** The Secrets Manager name (`jobrelay/<tenant>/<purpose>`); IAM allows only `jobrelay/*\/*`. */
export function awsSecretName(tenantId: string, purpose: SecretPurpose): string {
  return `${SECRET_PREFIX}${tenantSecretName(tenantId, purpose)}`;
}

/** Thrown when the tenant has not set the credential a purpose needs. */
export class SecretNotSetError extends Error {
  override name = 'SecretNotSetError';
  constructor(readonly purpose: SecretPurpose) {
    super(`No ${purpose} credential is set for this account (PUT /v1/config/credentials/${purpose})`);
  }
}

async function readLocalSecrets(file: string): Promise<Record<string, string>> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
  // A null-prototype copy: a lookup by name can never find Object.prototype's members.
  return Object.assign(Object.create(null) as Record<string, string>, parsed);
}

export async function getTenantSecret(tenantId: string, purpose: SecretPurpose): Promise<string> {
  const name = tenantSecretName(tenantId, purpose);
  const localFile = process.env.JOBRELAY_LOCAL_SECRETS_FILE;
  if (localFile) {
    const value = (await readLocalSecrets(localFile))[name];
    if (typeof value !== 'string') throw new SecretNotSetError(purpose);
    return value;
  }
  let value: unknown;
  // Loaded on first use (with the Secrets Manager client): most cold starts read no secret (issue 19).
  const { getSecret: getAwsSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  try {
    value = await getAwsSecret(awsSecretName(tenantId, purpose), { maxAge: 300 });
  } catch (error) {
    if (/ResourceNotFound/.test(String((error as Error).name) + String((error as { cause?: { name?: string } }).cause?.name))) {
      throw new SecretNotSetError(purpose);
    }
    throw error;
  }
  if (typeof value !== 'string') throw new SecretNotSetError(purpose);
  return value;
}

/**
 * The local file is written by the system and by test processes at once: writers take a lock (an
 * atomic mkdir, released in finally; one left by a killed process is broken after 10 s), then read,
 * change and write a temp file renamed over the old, so no update is lost and no reader sees half a
 * file. Hand-written because it is a few lines for a local-only file; AWS never takes this path.
 */
async function putLocalSecret(file: string, name: string, value: string): Promise<void> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > 10_000) await rmdir(lock).catch(() => undefined);
      if (Date.now() > deadline) throw new Error('The local secrets file stayed locked');
      await delay(5);
    }
  }
  try {
    const secrets = await readLocalSecrets(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Object.create(null) as Record<string, string>;
      throw error;
    });
    secrets[name] = value;
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}

/**
 * Sets the tenant's secret for a purpose (the credentials route is the only caller). In AWS a
 * PutSecretValue, or CreateSecret the first time; readers see it within their 5-minute cache.
 */
export async function putTenantSecret(tenantId: string, purpose: SecretPurpose, value: string): Promise<void> {
  const name = tenantSecretName(tenantId, purpose);
  const localFile = process.env.JOBRELAY_LOCAL_SECRETS_FILE;
  if (localFile) return putLocalSecret(localFile, name, value);
  const client = await secretsManagerClient();
  const { CreateSecretCommand, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const SecretId = awsSecretName(tenantId, purpose);
  try {
    await client.send(new PutSecretValueCommand({ SecretId, SecretString: value }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(new CreateSecretCommand({ Name: SecretId, SecretString: value, Description: `JobRelay: ${purpose} credential of tenant ${tenantId}` }));
  } catch (error) {
    // Created meanwhile by a concurrent call: set the value on it.
    if ((error as Error).name !== 'ResourceExistsException') throw error;
    await client.send(new PutSecretValueCommand({ SecretId, SecretString: value }));
  }
}
