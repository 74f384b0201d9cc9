/** Shared bench helpers: DynamoDB call counters (a middleware on the shared client), pools, percentiles. */
import { dynamoClient } from '../functions/shared/clients';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);
const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

export const counts = { writes: 0, reads: 0, queries: 0 };

export function countDynamoCalls(): void {
  dynamoClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITE_COMMANDS.has(context.commandName!)) counts.writes++;
      if (READ_COMMANDS.has(context.commandName!)) counts.reads++;
      if (context.commandName === 'QueryCommand') counts.queries++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
}

export function resetCounts(): void {
  counts.writes = 0;
  counts.reads = 0;
  counts.queries = 0;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs fn over items with `concurrency` workers; returns elapsed ms. */
export async function runPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
  return performance.now() - started;
}
