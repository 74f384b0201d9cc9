/**
 * Local IAM: which action on which resource an AWS SDK call needs, and whether a role's statements
 * allow it. Our roles hold Allow statements only (lib/function-definition.ts writes no Deny and no
 * Condition), so evaluation is: some statement whose action and resource patterns both match
 * (`*` any run of characters, `?` one, case-insensitive actions), else an implicit deny. That is a
 * few lines, where `@cloud-copilot/iam-simulate` would bring a full policy engine (SCPs, boundaries,
 * conditions) that nothing here uses; switch to it the day a statement gets a Condition or a Deny.
 */
import type { AllowStatement } from '../lib/function-definition';

export interface LocalAwsIdentity {
  region: string;
  account: string;
}

/** One authorisation an SDK call needs. */
export interface RequiredPermission {
  action: string;
  resource: string;
}

/** Compiled patterns: every SDK call of every local function checks its role's statements (a few dozen globs in all). */
const compiled = new Map<string, RegExp>();

function pattern(glob: string, flags = ''): RegExp {
  const key = `${flags}:${glob}`;
  let compiledPattern = compiled.get(key);
  if (!compiledPattern) {
    compiledPattern = compilePattern(glob, flags);
    compiled.set(key, compiledPattern);
  }
  return compiledPattern;
}

function compilePattern(glob: string, flags: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

export function isAllowed(statements: readonly AllowStatement[], { action, resource }: RequiredPermission): boolean {
  return statements.some((s) => s.actions.some((a) => pattern(a, 'i').test(action)) && s.resources.some((r) => pattern(r).test(resource)));
}

/** IAM service prefix of an SDK client, by its `clientName`. */
const SERVICE_OF: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  SQSClient: 'sqs',
  SFNClient: 'states',
  SecretsManagerClient: 'secretsmanager',
  SESv2Client: 'ses',
  SESClient: 'ses',
};

type Input = Record<string, any>;

function dynamoTables(command: string, input: Input): Array<{ action: string; table: string; index?: string }> {
  switch (command) {
    case 'TransactWriteItems':
      // IAM checks each item's own action (there is no dynamodb:TransactWriteItems action).
      return (input.TransactItems ?? []).flatMap((item: Input) =>
        Object.entries({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' })
          .filter(([key]) => item[key])
          .map(([key, action]) => ({ action, table: item[key].TableName as string })),
      );
    case 'TransactGetItems':
      return (input.TransactItems ?? []).map((item: Input) => ({ action: 'GetItem', table: item.Get?.TableName as string }));
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(input.RequestItems ?? {}).map((table) => ({ action: command, table }));
    default:
      return [{ action: command, table: input.TableName as string, index: input.IndexName as string | undefined }];
  }
}

/** The permissions an SDK call needs, with the resource ARNs AWS would check, for our services. */
export function requiredPermissions(clientName: string, commandName: string, input: Input, id: LocalAwsIdentity): RequiredPermission[] {
  const service = SERVICE_OF[clientName];
  const command = commandName.replace(/Command$/, '');
  if (!service) return [{ action: `${clientName.replace(/Client$/, '').toLowerCase()}:${command}`, resource: '*' }];
  const arn = (resource: string) => `arn:aws:${service}:${id.region}:${id.account}:${resource}`;
  switch (service) {
    case 'dynamodb':
      return dynamoTables(command, input).map(({ action, table, index }) => ({
        action: `dynamodb:${action}`,
        resource: arn(`table/${table}${index ? `/index/${index}` : ''}`),
      }));
    case 'sqs': {
      // A queue URL's last path segment is its name; move tasks name their queues by ARN.
      const queueArn = input.QueueUrl ? arn(String(input.QueueUrl).split('/').pop()!) : undefined;
      const resources = [queueArn, input.SourceArn].filter(Boolean) as string[];
      const needs = resources.map((resource) => ({ action: `sqs:${command}`, resource }));
      if (command === 'StartMessageMoveTask' && input.DestinationArn) needs.push({ action: 'sqs:SendMessage', resource: input.DestinationArn });
      if (command === 'SendMessageBatch') return needs.map((n) => ({ ...n, action: 'sqs:SendMessage' }));
      if (command === 'DeleteMessageBatch') return needs.map((n) => ({ ...n, action: 'sqs:DeleteMessage' }));
      if (command === 'ChangeMessageVisibilityBatch') return needs.map((n) => ({ ...n, action: 'sqs:ChangeMessageVisibility' }));
      if (command === 'GetQueueUrl') return [{ action: 'sqs:GetQueueUrl', resource: arn(String(input.QueueName)) }];
      return needs.length ? needs : [{ action: `sqs:${command}`, resource: '*' }];
    }
    case 'states':
      return [{ action: `states:${command}`, resource: String(input.stateMachineArn ?? input.executionArn ?? '*') }];
    case 'secretsmanager': {
      const secretId = String(input.SecretId ?? input.Name ?? '*');
      // Secrets Manager appends six random characters to a secret's name in its ARN.
      return [{ action: `secretsmanager:${command}`, resource: secretId.startsWith('arn:') ? secretId : arn(`secret:${secretId}-AbCdEf`) }];
    }
    case 'ses':
      return [
        { action: `ses:${command}`, resource: arn(`identity/${String(input.FromEmailAddress ?? input.Source ?? '*').replace(/^.*<([^>]+)>.*$/, '$1')}`) },
      ];
    default:
      return [{ action: `${service}:${command}`, resource: '*' }];
  }
}

/** The error AWS answers a call no statement allows, as the SDK raises it. */
export class AccessDeniedException extends Error {
  override name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  readonly Code = 'AccessDeniedException';

  constructor(principalArn: string, { action, resource }: RequiredPermission) {
    super(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    );
  }
}
