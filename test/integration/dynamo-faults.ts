/**
 * Puts AWS's refusals in the way of this test process's DynamoDB writes, for failures DynamoDB Local
 * never produces (throttling, transaction conflicts): a fault, not a mock; every other call goes
 * through to the database as it is.
 */
import { documentClient } from '../../functions/shared/clients';

export interface DynamoFault {
  /** Which calls to refuse: their input, as JSON. */
  when: (input: string) => boolean;
  /** The error AWS would answer with. */
  error: () => Error;
}

/** Runs `run` with `fault` refusing the first `times` calls it matches; answers how many it refused. */
export async function withDynamoFault<T>(fault: DynamoFault, times: number, run: () => Promise<T>): Promise<{ result: T; refused: number }> {
  let refused = 0;
  const name = `dynamo-fault-${Math.random().toString(36).slice(2)}`;
  documentClient().middlewareStack.add(
    (next) => async (args) => {
      if (refused < times && fault.when(JSON.stringify((args as { input?: unknown }).input ?? {}))) {
        refused++;
        throw fault.error();
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), refused };
  } finally {
    documentClient().middlewareStack.remove(name);
  }
}
