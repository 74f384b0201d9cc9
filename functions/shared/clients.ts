/**
 * One configured SDK client per service, shared by every handler in the same Lambda (or local process).
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables, so local and AWS differ only there.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let dynamo: DynamoDBClient | undefined;
let doc: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
let sfn: SFNClient | undefined;
let secretsManager: SecretsManagerClient | undefined;

export function dynamoClient(): DynamoDBClient {
  dynamo ??= new DynamoDBClient({});
  return dynamo;
}

export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return doc;
}

export function sqsClient(): SQSClient {
  sqs ??= new SQSClient({});
  return sqs;
}

export function sfnClient(): SFNClient {
  // StartSyncExecution goes to the `sync-` host prefix in AWS; a custom endpoint (local) has none.
  sfn ??= new SFNClient({ disableHostPrefix: Boolean(process.env.AWS_ENDPOINT_URL_SFN) });
  return sfn;
}

/**
 * Writes tenant secrets (functions/shared/secrets.ts; reads go through Powertools' cached provider).
 * Loaded on first use: only the credentials route writes, and every other function imports this file.
 */
export async function secretsManagerClient(): Promise<SecretsManagerClient> {
  if (!secretsManager) {
    const { SecretsManagerClient: Client } = await import('@aws-sdk/client-secrets-manager');
    secretsManager ??= new Client({});
  }
  return secretsManager;
}
