/**
 * The AWS SDK's credentials in a Lambda bundle: from the environment, where Lambda puts the
 * function role's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) before
 * init, and the local runtime its dummy ones.
 *
 * The Lambda bundles carry the SDK (lib/function-definition.ts, LAMBDA_BUNDLING) and put this module
 * in place of `@aws-sdk/credential-provider-node` (esbuild `alias`): the SDK's default chain (env,
 * then SSO, ini files, process, web identity, container and instance metadata) brings the STS, SSO
 * and sign-in clients into every bundle (~130 KB) and ~60 ms to its init (measured 2026-11-30),
 * for sources a Lambda function never reads. The clients import `defaultProvider` from that package
 * and nothing else.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export function defaultProvider(init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}
