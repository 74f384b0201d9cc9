/**
 * The table as the local runtime creates it, built from the one definition (functions/shared/table.ts)
 * that lib/data.ts builds the AWS table from (test/infra compares the two).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../functions/shared/table';

export function tableDefinition(tableName: string): CreateTableCommandInput {
  const indexes = Object.entries(TABLE.indexes);
  const attributes = [TABLE.partitionKey, TABLE.sortKey, ...indexes.flatMap(([, index]) => [index.partitionKey, index.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...new Set(attributes)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

export const TTL_ATTRIBUTE = TABLE.ttlAttribute;
