/**
 * The whole system on one machine: DynamoDB Local, the SQS server, the Step Functions endpoint over
 * the ASL interpreter, the HTTP API, queue pollers and the schedule ticker. Handlers run unchanged;
 * only the AWS_ENDPOINT_URL_* variables differ from AWS.
 */
import { join } from 'node:path';
import { dlqUrlEnv, queues, queueUrlEnv, schedules, stateMachines } from '../functions/registry';
import { startDynamoDb } from './dynamodb';
import { startHttpApi, type ExtraHandler } from './http';
import {
  BUNDLE_DIR_ENV,
  invokeLambda,
  LOCAL_REGION,
  LOCAL_TABLE_NAME,
  prepareLambdas,
  stopLambdas,
  synchronousPath,
  TIMEOUT_SCALE_ENV,
  warmLambdas,
} from './lambdas';
import { startPollers } from './pollers';
import { startSqs, type LocalSqs } from './sqs';
import { localStateMachineArn, startStepFunctions, type LocalStepFunctions } from './stepfunctions';
import { ASYNC_TARGETS_DLQ_URL_ENV, scheduledEvent, startTicker } from './ticker';

export { LOCAL_TABLE_NAME };

export interface LocalSystemOptions {
  /** Where DynamoDB Local keeps its data; omit for in-memory (tests). */
  dataDir?: string;
  /** HTTP API port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Run the queue pollers and the schedule ticker (tests drive them by hand instead). */
  background?: boolean;
  tickerIntervalMs?: number;
  /** Shorten Step Functions Retry intervals (tests). */
  retryIntervalMs?: number;
  /** Multiply the workflows' TimeoutSeconds and the functions' timeouts (tests: every file at once on two cores; see local/stepfunctions.ts, local/lambdas.ts). */
  timeoutScale?: number;
  /** Extra HTTP handling before the API routes (the console, later). */
  extra?: ExtraHandler;
  secretsFile?: string;
  /**
   * Start the synchronous booking path's warm instances (default), as provisioned concurrency keeps
   * it warm in AWS. Off only for a system that books nothing before it stops (the crash tests'
   * restarts, test/integration/crash-harness.ts): 22 worker inits, ~5 s of CPU, for no call.
   */
  warmSynchronousPath?: boolean;
}

export interface LocalSystem {
  apiUrl: string;
  sfn: LocalStepFunctions;
  env: Record<string, string>;
  sqs: LocalSqs;
  stop(): Promise<void>;
}

/**
 * Starts services side by side and registers each one's stop as soon as it is up, waiting for all
 * to settle before answering: when one fails (a bundle that does not build), the others that did
 * start are already in `stops`, so stopping leaves no DynamoDB Local JVM or queue server behind.
 */
export async function startTogether<T extends readonly unknown[]>(stops: Array<() => Promise<void>>, starting: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(
    (starting as readonly Promise<unknown>[]).map((promise) =>
      promise.then((service) => {
        const stop = (service as { stop?: unknown } | undefined)?.stop;
        if (typeof stop === 'function') stops.push(stop as () => Promise<void>);
        return service;
      }),
    ),
  );
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    // Every function is bundled once, as for Lambda, while the services start (local/bundle.ts).
    stops.push(stopLambdas);
    const [dynamo, sqs, bundle] = await startTogether(stops, [
      startDynamoDb({ dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined, tableName: LOCAL_TABLE_NAME }),
      startSqs(),
      prepareLambdas(),
    ]);
    const sfn = await startStepFunctions({ retryIntervalMs: options.retryIntervalMs, timeoutScale: options.timeoutScale });
    stops.push(sfn.stop);

    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      TABLE_NAME: LOCAL_TABLE_NAME,
      ...Object.fromEntries(stateMachines.map((m) => [m.arnEnv, localStateMachineArn(m.name)])),
      ...Object.fromEntries(queues.map((q) => [queueUrlEnv(q.name), sqs.queueUrl(q.name)])),
      ...Object.fromEntries(queues.map((q) => [dlqUrlEnv(q.name), sqs.dlqUrl(q.name)])),
      // Not a function's variable (local/lambdas.ts passes functions their own): the ticker's (local/ticker.ts).
      [ASYNC_TARGETS_DLQ_URL_ENV]: sqs.asyncTargetsDlqUrl,
      ...(options.secretsFile ? { JOBRELAY_LOCAL_SECRETS_FILE: options.secretsFile } : {}),
      // The contract servers and local providers listen on loopback over http: allowed here, by this
      // explicit setting only, never in AWS (functions/shared/provider-url.ts).
      JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS: '1',
      // This is the local runtime (functions/shared/stage.ts): unset tenant providers fall back to the
      // local outbox and fake payments here, and only here; in AWS they are a setup warning.
      JOBRELAY_STAGE: 'local',
      // Test processes invoke pollers' consumers from the same bundles.
      [BUNDLE_DIR_ENV]: bundle.dir,
      ...(options.timeoutScale ? { [TIMEOUT_SCALE_ENV]: String(options.timeoutScale) } : {}),
    };
    // For this process (the SFN endpoint, pollers) and, through the tests' setup, test processes.
    // Each function sees only its own definition's variables plus the local settings (local/lambdas.ts).
    Object.assign(process.env, env);
    // The synchronous booking path starts warm, as provisioned concurrency keeps it in AWS.
    if (options.warmSynchronousPath !== false) await warmLambdas(synchronousPath());

    const api = await startHttpApi({ port: options.port, host: options.host, extra: options.extra });
    stops.push(api.stop);
    if (options.background !== false) {
      const pollers = startPollers(sqs);
      const ticker = startTicker(options.tickerIntervalMs ?? 60_000);
      stops.push(pollers.stop, ticker.stop);
      // What a crash left behind (runs that died, lost doorbells) is recovered at start, not only at the
      // recovery sweep's next tick: a single local process means every run before this start is dead.
      const recovery = schedules.find((schedule) => schedule.lambda === 'RecoverySweep');
      if (recovery) {
        void invokeLambda(recovery.lambda, scheduledEvent(recovery)).catch((error) =>
          console.error('recovery sweep at start failed:', (error as Error).message),
        );
      }
    }
    return { apiUrl: api.url, env, sqs, sfn, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
