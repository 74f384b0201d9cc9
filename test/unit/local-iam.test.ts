/**
 * The local IAM check (local/iam.ts): which action and resource an SDK call needs, and whether Allow
 * statements from lib/function-definition.ts grant it.
 */
import { describe, expect, it } from 'vitest';
import { grantDefinition, statementsFor } from '../../lib/function-definition';
import { lambdaByName } from '../../functions/registry';
import { isAllowed, requiredPermissions } from '../../local/iam';
import { localGrantRefs } from '../../local/lambdas';

const id = { region: 'us-east-1', account: '000000000000' };
const refs = localGrantRefs('http://127.0.0.1:9324');

describe('requiredPermissions', () => {
  it('checks each item of a transaction under its own action and table', () => {
    const input = {
      TransactItems: [{ Put: { TableName: 'jobrelay' } }, { Update: { TableName: 'jobrelay' } }, { ConditionCheck: { TableName: 'other' } }],
    };
    expect(requiredPermissions('DynamoDBClient', 'TransactWriteItemsCommand', input, id)).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/jobrelay' },
      { action: 'dynamodb:UpdateItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/jobrelay' },
      { action: 'dynamodb:ConditionCheckItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/other' },
    ]);
  });

  it('names a query on an index by the index ARN, a queue by the name in its URL, a batch send as SendMessage', () => {
    expect(requiredPermissions('DynamoDBClient', 'QueryCommand', { TableName: 'jobrelay', IndexName: 'byDue' }, id)[0]!.resource).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/jobrelay/index/byDue',
    );
    expect(requiredPermissions('SQSClient', 'SendMessageBatchCommand', { QueueUrl: 'http://127.0.0.1:9324/000000000000/jobrelay-notify' }, id)).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:jobrelay-notify' },
    ]);
  });
});

describe('isAllowed', () => {
  it('allows what a grant gives and nothing else', () => {
    const read = grantDefinition('table:read', refs).statements;
    const get = { action: 'dynamodb:GetItem', resource: `${refs.tableArn}` };
    const put = { action: 'dynamodb:PutItem', resource: `${refs.tableArn}` };
    expect(isAllowed(read, get)).toBe(true);
    expect(isAllowed(read, { action: 'dynamodb:Query', resource: `${refs.tableArn}/index/byDue` })).toBe(true);
    expect(isAllowed(read, put)).toBe(false);
    expect(isAllowed(read, { action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/another' })).toBe(false);
  });

  it("matches a tenant secret's ARN (random suffix) under jobrelay/*/*, not a secret outside a tenant's space", () => {
    const statements = grantDefinition('crmSecrets:read', refs).statements;
    const needed = (name: string) => requiredPermissions('SecretsManagerClient', 'GetSecretValueCommand', { SecretId: name }, id)[0]!;
    expect(isAllowed(statements, needed('jobrelay/t-acme/crm'))).toBe(true);
    expect(isAllowed(statements, needed('jobrelay-admin'))).toBe(false);
  });

  it('gives a queue consumer what its event source mapping gives it', () => {
    const statements = statementsFor(lambdaByName('CrmSyncWorker'), refs);
    expect(isAllowed(statements, { action: 'sqs:ChangeMessageVisibility', resource: refs.queueArn('crm-sync') })).toBe(true);
    expect(isAllowed(statements, { action: 'sqs:ChangeMessageVisibility', resource: refs.queueArn('notify') })).toBe(false);
  });
});
