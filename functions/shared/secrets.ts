/**
 * Tenant secrets (CRM keys, webhook signing keys). In AWS: Secrets Manager under `jobrelay/<name>`
 * through Powertools' cached provider. Locally: a git-ignored JSON file named by
 * JOBRELAY_LOCAL_SECRETS_FILE (there is no Secrets Manager to run locally). Never logged.
 */
import { readFile } from 'node:fs/promises';
import { getSecret as getAwsSecret } from '@aws-lambda-powertools/parameters/secrets';

export const SECRET_PREFIX = 'jobrelay/';

export async function getTenantSecret(name: string): Promise<string> {
  const localFile = process.env.JOBRELAY_LOCAL_SECRETS_FILE;
  if (localFile) {
    const secrets = JSON.parse(await readFile(localFile, 'utf8')) as Record<string, string>;
    const value = secrets[name];
    if (value === undefined) throw new Error(`Secret ${name} is not in the local secrets file`);
    return value;
  }
  const value = await getAwsSecret(`${SECRET_PREFIX}${name}`, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error(`Secret ${name} is missing`);
  return value;
}
