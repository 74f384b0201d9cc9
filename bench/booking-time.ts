/**
 * Where one booking's time goes, from what the local runtime records per invocation (local/lambdas.ts,
 * local/lambda-guest.ts): per function of the spine, the wait for a free instance, the round trip to
 * it (event and result cross as JSON between threads), the handler's own time, and inside it the AWS
 * SDK calls by service and the local IAM check, and its thread's CPU time. The booking workflow's run (the bookings route's
 * StartSyncExecution call) less its nodes' round trips is the interpreter's own time. Prints; asserts nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
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
  console.log('function              | calls | wait inst | round trip | handler | CPU     | DynamoDB (n)     | other SDK | IAM check | thread+JSON');
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
      `${name.padEnd(21)} | ${per(invocations).toFixed(1).padStart(5)} | ${ms(per(calls['Local.waitForInstance.ms'] ?? 0)).padStart(9)} | ${ms(per(roundTrip)).padStart(10)} | ${ms(per(handler))} | ${ms(per(calls['Local.cpu.ms'] ?? 0))} | ${ms(per(dynamo.ms))} (${per(dynamo.calls).toFixed(1).padStart(4)}) | ${ms(per(other.ms)).padStart(9)} | ${ms(per(calls['Local.iamCheck.ms'] ?? 0)).padStart(9)} | ${ms(per(roundTrip - handler)).padStart(11)}`,
    );
  }
  const routeCalls = records.get(route) ?? {};
  const run = routeCalls['StartSyncExecutionCommand.ms'] ?? 0;
  console.log(
    `workflow run (${route}'s StartSyncExecution) ${ms(per(run))}: nodes' round trips ${ms(per(nodesRoundTrip))}, the interpreter and its endpoint ${ms(per(run - nodesRoundTrip))}`,
  );
}

/**
 * DynamoDB Local's JVM threads by what they do (thread names of the jar on Java 17): every request's
 * SQLite work on one thread (sqlite4java's SQLiteQueue); HTTP, JSON and request validation on
 * Jetty's pool (`qtp...`); the JIT compiler; the garbage collector (SerialGC runs in the VM Thread).
 */
const JVM_THREADS = { sqlite: /^SQLiteQueue/, requests: /^qtp\d/, jit: /^C[12] CompilerThre/, gc: /^(VM Thread|GC Thread)/ } as const;
type JvmThreads = Record<keyof typeof JVM_THREADS, number>;

/** CPU time so far (ms): this process's main thread, the whole process, and its child processes (DynamoDB Local's JVM) with the JVM's threads by kind. */
export interface CpuSample {
  mainThread: number;
  process: number;
  children: number;
  jvm: JvmThreads;
  load: string;
}

const TICK_MS = 10; // USER_HZ 100: /proc stat times are in 1/100 s

/** utime + stime of /proc stat text, in ms (`withChildren`: plus its waited-for children's). */
function statMs(stat: string, withChildren = false): number {
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return (fields[11]! + fields[12]! + (withChildren ? fields[13]! + fields[14]! : 0)) * TICK_MS;
}

function childPids(pid: number | string): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
  } catch {
    return [];
  }
}

/** Reads /proc (Linux); elsewhere the child figures stay 0. */
export function sampleCpu(): CpuSample {
  const main = process.threadCpuUsage();
  const whole = process.cpuUsage();
  let children = 0;
  const jvm: JvmThreads = { sqlite: 0, requests: 0, jit: 0, gc: 0 };
  for (const pid of childPids(process.pid)) {
    try {
      children += statMs(readFileSync(`/proc/${pid}/stat`, 'utf8'), true);
      // DynamoDB Local runs every request's SQLite work on one thread (sqlite4java's SQLiteQueue): its CPU per booking bounds bookings/s on any number of cores.
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const kind = (Object.keys(JVM_THREADS) as Array<keyof JvmThreads>).find((k) => JVM_THREADS[k].test(name));
        if (kind) jvm[kind] += statMs(stat);
      }
    } catch {
      // a child that ended meanwhile
    }
  }
  return {
    mainThread: (main.user + main.system) / 1000,
    process: (whole.user + whole.system) / 1000,
    children,
    jvm,
    load: loadavg()
      .map((n) => n.toFixed(1))
      .join(' '),
  };
}

/**
 * Where one booking's CPU goes between two samples (all bookings of a level, their trails included):
 * the main thread (HTTP front, SFN endpoint and ASL interpreter, SQS server, and this bench's own
 * client), the Lambda threads while invoked (local/lambda-guest.ts `Local.cpu.ms`), the process's
 * other threads (V8's GC and compiler threads, instance start-ups, libuv), DynamoDB Local's JVM. The
 * ceilings: the machine's cores over CPU per booking, and one SQLite thread over its share.
 */
export function printCpu(
  label: string,
  before: CpuSample,
  after: CpuSample,
  records: ReadonlyMap<string, Readonly<Record<string, number>>>,
  bookings: number,
): void {
  let lambdaThreads = 0;
  for (const calls of records.values()) lambdaThreads += calls['Local.cpu.ms'] ?? 0;
  const main = after.mainThread - before.mainThread;
  const other = after.process - before.process - main - lambdaThreads;
  const jvm = after.children - before.children;
  // A JIT thread that ends takes its time with it (the JVM starts and stops compiler threads as needed).
  const jvmThread = (kind: keyof JvmThreads) => Math.max(0, after.jvm[kind] - before.jvm[kind]);
  const sqlite = jvmThread('sqlite');
  const total = main + lambdaThreads + other + jvm;
  const per = (n: number) => (n / bookings).toFixed(0);
  const cores = availableParallelism();
  console.log(
    `  ${label} CPU ms per booking: ${per(total)} = main thread ${per(main)} + Lambda threads ${per(lambdaThreads)} + other Node threads ${per(other)} + DynamoDB Local JVM ${per(jvm)} (its SQLite thread ${per(sqlite)}, request threads ${per(jvmThread('requests'))}, JIT ${per(jvmThread('jit'))}, GC ${per(jvmThread('gc'))}); ` +
      `ceilings: ${cores} cores ${((cores * 1000 * bookings) / Math.max(1, total)).toFixed(1)}/s, one SQLite thread ${sqlite ? ((1000 * bookings) / sqlite).toFixed(1) : '-'}/s; load ${before.load} -> ${after.load}`,
  );
}
