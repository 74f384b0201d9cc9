/**
 * Counts the DynamoDB calls this test process makes (all functions share one client), for tests
 * that pin how many calls a node or worker makes: counts, never timings (issue 19).
 */
import { dynamoClient } from '../../functions/shared/clients';

export interface Call {
  command: string;
  /** The partition keys the call names (Key, or a BatchGetItem's keys). */
  pks: string[];
  /** The partition a Query reads, as its `:pk` value names it (the stores' convention). */
  queried?: string;
}

let calls: Call[] | undefined;
const pkOf = (key: unknown) => {
  const pk = (key as { pk?: unknown } | undefined)?.pk;
  return typeof pk === 'string' ? pk : ((pk as { S?: string } | undefined)?.S ?? '');
};
dynamoClient().middlewareStack.add(
  (next, middlewareContext) => async (args) => {
    const input = args.input as {
      Key?: unknown;
      RequestItems?: Record<string, { Keys?: unknown[] }>;
      ExpressionAttributeValues?: Record<string, unknown>;
    };
    const keys = input.Key ? [input.Key] : Object.values(input.RequestItems ?? {}).flatMap((table) => table.Keys ?? []);
    // A Query's partition, as its `:pk` value names it (the stores' convention).
    const queried = String(middlewareContext.commandName) === 'QueryCommand' && input.ExpressionAttributeValues?.[':pk'];
    calls?.push({ command: String(middlewareContext.commandName), pks: keys.map(pkOf), ...(queried ? { queried: pkOf({ pk: queried }) } : {}) });
    return next(args);
  },
  { step: 'initialize', name: 'countDynamoCalls' },
);

/** Runs `run` and returns what it answered with every DynamoDB call it made. */
export async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  calls = [];
  try {
    const result = await run();
    return { result, calls };
  } finally {
    calls = undefined;
  }
}

const READS = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)Command$/;
export const reads = (of: Call[]) => of.filter((call) => READS.test(call.command));
/** Reads naming a key of this kind of item (e.g. 'BOOKING', 'CUSTOMER'). */
export const readsOf = (of: Call[], what: string) => reads(of).filter((call) => call.pks.some((pk) => pk.includes(`#${what}#`)));
