/**
 * The one JobRelay table (ENGINEERING.md "Data"), declared once: its key attributes, its GSIs and its
 * TTL attribute. lib/data.ts builds the CDK table from it and local/table.ts the DynamoDB Local
 * CreateTable input; the stores name the index and the TTL attribute through it. Plain data, no AWS import.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after (every read and condition checks it too). */
  ttlAttribute: 'expiresAt',
  /** Every GSI, named for its query; all string keys, projecting all attributes. */
  indexes: {
    /** Sparse: due work by partition (`NOTIFY#...`, `CRMSYNC`, `RECOVER`) and time. */
    byDue: { partitionKey: 'duePk', sortKey: 'dueAt' },
  },
} as const;

export type IndexName = keyof typeof TABLE.indexes;
