/**
 * The inside of a local Lambda sandbox: bundled together with one function's handler (local/bundle.ts)
 * and run in its own worker thread (local/lambdas.ts), so it has its own module state and its own
 * process.env (the function's synthesised environment only). Before the first invocation it puts a
 * middleware on every AWS SDK client (through the one smithy Client class they all extend) that
 * checks each call against the role's statements, as IAM would, and fails it with
 * AccessDeniedException when none allows it.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from '@smithy/core/client';
import type { Context } from 'aws-lambda';
import type { AllowStatement } from '../lib/function-definition';
import { AccessDeniedException, isAllowed, requiredPermissions, type LocalAwsIdentity } from './iam';

export interface GuestData {
  functionName: string;
  functionArn: string;
  /** The role session AWS would name in an AccessDenied message. */
  principalArn: string;
  timeoutSeconds: number;
  memoryMb: number;
  statements: AllowStatement[];
  identity: LocalAwsIdentity;
}

export interface GuestRequest {
  id: number;
  /** JSON, as Lambda passes it: nothing non-serialisable crosses between functions. */
  event: string;
}

/** `calls`: the AWS SDK calls the invocation made, by command (and `TransactWriteItems.items`): bench/ counts them. */
export type GuestReply =
  | { ready: true }
  | { id: number; ok: true; result: string; calls?: Record<string, number> }
  | { id: number; ok: false; error: { name: string; message: string }; calls?: Record<string, number> };

/** The current invocation's AWS SDK calls (a sandbox runs one invocation at a time). */
let calls: Record<string, number> = {};

function countCall(commandName: string, input: Record<string, unknown>): void {
  calls[commandName] = (calls[commandName] ?? 0) + 1;
  // A transaction is billed per item (twice over): count its items too.
  const items = (input.TransactItems as unknown[] | undefined)?.length;
  if (items) calls[`${commandName}.items`] = (calls[`${commandName}.items`] ?? 0) + items;
}

/** Adds milliseconds to a `*.ms` entry of the current invocation's calls (whole ms are too coarse for a sum). */
function addMs(key: string, ms: number): void {
  calls[key] = (calls[key] ?? 0) + ms;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

function installIamCheck(data: GuestData): void {
  const checked = new WeakSet<object>();
  const send = Client.prototype.send;
  Client.prototype.send = function (this: Client<any, any, any, any>, ...args: Parameters<typeof send>) {
    const stack = this.middlewareStack as unknown as object;
    if (!checked.has(stack)) {
      checked.add(stack);
      this.middlewareStack.add(
        (next, context) => async (request) => {
          const input = (request as { input: Record<string, unknown> }).input ?? {};
          const commandName = String(context.commandName);
          countCall(commandName, input);
          const checking = performance.now();
          for (const needed of requiredPermissions(String(context.clientName), commandName, input, data.identity)) {
            if (!isAllowed(data.statements, needed)) throw new AccessDeniedException(data.principalArn, needed);
          }
          // Where an invocation's time goes (bench/booking.ts prints it): the IAM check, then the call itself.
          const sending = performance.now();
          addMs('Local.iamCheck.ms', sending - checking);
          try {
            return await next(request);
          } finally {
            addMs(`${commandName}.ms`, performance.now() - sending);
          }
        },
        { step: 'initialize', name: 'jobrelayLocalIamCheck', priority: 'high' },
      );
    }
    return (send as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof send;
}

function lambdaContext(data: GuestData): Context {
  const deadline = Date.now() + data.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Serve invocations of `handler` from the parent thread, one at a time (a sandbox runs one). */
export function serveLambda(handler: Handler): void {
  const port = parentPort;
  if (!port) throw new Error('local/lambda-guest.ts runs inside a worker thread');
  const data = workerData as GuestData;
  installIamCheck(data);
  const reply = (message: GuestReply) => port.postMessage(message);
  port.on('message', async ({ id, event }: GuestRequest) => {
    calls = {};
    // The invocation itself and its duration in whole ms, as Lambda bills it (bench/cost.ts).
    const started = performance.now();
    // And this thread's CPU time (bench/booking.ts: CPU per booking by function, against the cores there are).
    const cpu = process.threadCpuUsage();
    const billed = () => {
      const used = process.threadCpuUsage(cpu);
      return Object.assign(calls, {
        'Lambda.invocations': 1,
        'Lambda.billedMs': Math.ceil(performance.now() - started),
        'Local.cpu.ms': (used.user + used.system) / 1000,
      });
    };
    try {
      const result = await handler(JSON.parse(event), lambdaContext(data));
      reply({ id, ok: true, result: JSON.stringify(result ?? null), calls: billed() });
    } catch (error) {
      const thrown = error instanceof Error ? error : new Error(String(error));
      reply({ id, ok: false, error: { name: thrown.name || 'Error', message: thrown.message }, calls: billed() });
    }
  });
  reply({ ready: true });
}
