/**
 * One configured SDK client per service, shared by every handler in the same Lambda (or local process).
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables, so local and AWS differ only there.
 * SQS and Step Functions have their own modules (queue-client.ts, workflow-client.ts): an ES import
 * loads its package at init whether it is used or not, and most functions use neither.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let dynamo: DynamoDBClient | undefined;
let doc: DynamoDBDocumentClient | undefined;
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
