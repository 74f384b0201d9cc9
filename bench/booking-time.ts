/**
 * Where one booking's time goes, from what the local runtime records per invocation (local/lambdas.ts,
 * local/lambda-guest.ts): per function of the spine, the wait for a free instance, the round trip to
 * it (event and result cross as JSON between threads), the handler's own time, and inside it the AWS
 * SDK calls by service and the local IAM check. The booking workflow's run (the bookings route's
 * StartSyncExecution call) less its nodes' round trips is the interpreter's own time. Prints; asserts nothing.
 */
import { localAwsCalls } from '../local/lambdas';

/** A copy of the local call records (the next level resets them). */
export function snapshotCalls(): Map<string, Record<string, number>> {
  return new Map([...localAwsCalls()].map(([name, calls]) => [name, { ...calls }]));
}

const ms = (n: number) => n.toFixed(1).padStart(7);

/** Sums a function's `*.ms` entries whose command matches. */
function sumMs(calls: Readonly<Record<string, number>>, match: (command: string) => boolean): { ms: number; calls: number } {
  let total = 0;
  let count = 0;
  for (const [key, value] of Object.entries(calls)) {
    if (!key.endsWith('Command.ms')) continue;
    const command = key.slice(0, -'.ms'.length);
    if (!match(command)) continue;
    total += value;
    count += calls[command] ?? 0;
  }
  return { ms: total, calls: count };
}

const DYNAMODB = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

/** Prints the per-booking time table of the functions in `spine` from a snapshot of the local call records. */
export function printBookingTime(
  records: ReadonlyMap<string, Readonly<Record<string, number>>>,
  spine: ReadonlySet<string>,
  bookings: number,
  route = 'CreateBooking',
): void {
  const per = (n: number) => n / bookings;
  console.log(`\nWhere one booking's time goes (concurrency 1, ms per booking, mean of ${bookings}; a function's handler time includes its SDK calls):`);
  console.log('function              | calls | wait inst | round trip | handler | DynamoDB (n)     | other SDK | IAM check | thread+JSON');
  let nodesRoundTrip = 0;
  for (const [name, calls] of records) {
    if (!spine.has(name)) continue;
    const invocations = calls['Lambda.invocations'] ?? 0;
    if (!invocations) continue;
    const roundTrip = calls['Local.roundTrip.ms'] ?? 0;
    const handler = calls['Lambda.billedMs'] ?? 0;
    const dynamo = sumMs(calls, (c) => DYNAMODB.has(c));
    const other = sumMs(calls, (c) => !DYNAMODB.has(c));
    if (name !== route) nodesRoundTrip += roundTrip;
    console.log(
      `${name.padEnd(21)} | ${per(invocations).toFixed(1).padStart(5)} | ${ms(per(calls['Local.waitForInstance.ms'] ?? 0)).padStart(9)} | ${ms(per(roundTrip)).padStart(10)} | ${ms(per(handler))} | ${ms(per(dynamo.ms))} (${per(dynamo.calls).toFixed(1).padStart(4)}) | ${ms(per(other.ms)).padStart(9)} | ${ms(per(calls['Local.iamCheck.ms'] ?? 0)).padStart(9)} | ${ms(per(roundTrip - handler)).padStart(11)}`,
    );
  }
  const routeCalls = records.get(route) ?? {};
  const run = routeCalls['StartSyncExecutionCommand.ms'] ?? 0;
  console.log(
    `workflow run (${route}'s StartSyncExecution) ${ms(per(run))}: nodes' round trips ${ms(per(nodesRoundTrip))}, the interpreter and its endpoint ${ms(per(run - nodesRoundTrip))}`,
  );
}
